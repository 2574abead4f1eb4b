import LedgerFormat

/// A `Decoder` over an already parsed `JSONValue`: lets the state snapshot rebuild the types whose
/// only public way in is `Decodable` (`ContractRunState`) without Foundation's JSON machinery.
/// Integers are Int64 within ±(2^53−1), as the canonical parser gives them; floating point and
/// unsigned types are refused. Total: a mismatch throws, nothing traps.
struct JSONValueDecoder: Decoder {
    let value: JSONValue
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func mismatch(_ message: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: message))
    }

    /// `T` from `value`: the JSON primitives directly, anything else through its `init(from:)`.
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        switch value {
        case .bool(let flag) where type == Bool.self: return flag as! T
        case .string(let text) where type == String.self: return text as! T
        case .integer(let number) where type == Int64.self: return number as! T
        case .integer(let number) where type == Int.self:
            guard let integer = Int(exactly: number) else { throw mismatch("integer out of range") }
            return integer as! T
        default:
            if type == Bool.self || type == String.self || type == Int64.self || type == Int.self || type == Double.self
                || type == Float.self || type == Int32.self || type == UInt64.self {
                throw mismatch("expected \(type)")
            }
            return try T(from: JSONValueDecoder(value: value))
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw Self.mismatch("expected an object") }
        return KeyedDecodingContainer(Keyed<Key>(members: members))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw Self.mismatch("expected an array") }
        return Unkeyed(items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(value: value) }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let members: [String: JSONValue]
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }
        func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }
        func member(_ key: Key) throws -> JSONValue {
            guard let value = members[key.stringValue] else { throw JSONValueDecoder.mismatch("missing \(key.stringValue)") }
            return value
        }
        func decodeNil(forKey key: Key) throws -> Bool { try member(key) == .null }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try JSONValueDecoder.decode(type, from: try member(key)) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try JSONValueDecoder.decode(type, from: try member(key)) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try JSONValueDecoder.decode(type, from: try member(key)) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try JSONValueDecoder.decode(type, from: try member(key)) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try JSONValueDecoder.decode(type, from: try member(key)) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { throw JSONValueDecoder.mismatch("no floating point") }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw JSONValueDecoder.mismatch("no floating point") }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { throw JSONValueDecoder.mismatch("unsupported Int8") }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { throw JSONValueDecoder.mismatch("unsupported Int16") }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { throw JSONValueDecoder.mismatch("unsupported Int32") }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { throw JSONValueDecoder.mismatch("unsupported UInt") }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { throw JSONValueDecoder.mismatch("unsupported UInt8") }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { throw JSONValueDecoder.mismatch("unsupported UInt16") }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { throw JSONValueDecoder.mismatch("unsupported UInt32") }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { throw JSONValueDecoder.mismatch("unsupported UInt64") }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try JSONValueDecoder(value: try member(key)).container(keyedBy: type)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try JSONValueDecoder(value: try member(key)).unkeyedContainer()
        }
        func superDecoder() throws -> any Decoder { throw JSONValueDecoder.mismatch("no super decoder") }
        func superDecoder(forKey key: Key) throws -> any Decoder { throw JSONValueDecoder.mismatch("no super decoder") }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let items: [JSONValue]
        var currentIndex = 0
        var codingPath: [any CodingKey] { [] }
        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }
        mutating func next() throws -> JSONValue {
            guard !isAtEnd else { throw JSONValueDecoder.mismatch("array too short") }
            defer { currentIndex += 1 }
            return items[currentIndex]
        }
        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, items[currentIndex] == .null else { return false }
            currentIndex += 1
            return true
        }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONValueDecoder.decode(type, from: try next()) }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try JSONValueDecoder.decode(type, from: try next()) }
        mutating func decode(_ type: String.Type) throws -> String { try JSONValueDecoder.decode(type, from: try next()) }
        mutating func decode(_ type: Int.Type) throws -> Int { try JSONValueDecoder.decode(type, from: try next()) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try JSONValueDecoder.decode(type, from: try next()) }
        mutating func decode(_ type: Double.Type) throws -> Double { throw JSONValueDecoder.mismatch("no floating point") }
        mutating func decode(_ type: Float.Type) throws -> Float { throw JSONValueDecoder.mismatch("no floating point") }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { throw JSONValueDecoder.mismatch("unsupported Int8") }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { throw JSONValueDecoder.mismatch("unsupported Int16") }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { throw JSONValueDecoder.mismatch("unsupported Int32") }
        mutating func decode(_ type: UInt.Type) throws -> UInt { throw JSONValueDecoder.mismatch("unsupported UInt") }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { throw JSONValueDecoder.mismatch("unsupported UInt8") }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { throw JSONValueDecoder.mismatch("unsupported UInt16") }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { throw JSONValueDecoder.mismatch("unsupported UInt32") }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { throw JSONValueDecoder.mismatch("unsupported UInt64") }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try JSONValueDecoder(value: try next()).container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try JSONValueDecoder(value: try next()).unkeyedContainer()
        }
        mutating func superDecoder() throws -> any Decoder { throw JSONValueDecoder.mismatch("no super decoder") }
    }

    struct Single: SingleValueDecodingContainer {
        let value: JSONValue
        var codingPath: [any CodingKey] { [] }
        func decodeNil() -> Bool { value == .null }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONValueDecoder.decode(type, from: value) }
        func decode(_ type: Bool.Type) throws -> Bool { try JSONValueDecoder.decode(type, from: value) }
        func decode(_ type: String.Type) throws -> String { try JSONValueDecoder.decode(type, from: value) }
        func decode(_ type: Int.Type) throws -> Int { try JSONValueDecoder.decode(type, from: value) }
        func decode(_ type: Int64.Type) throws -> Int64 { try JSONValueDecoder.decode(type, from: value) }
        func decode(_ type: Double.Type) throws -> Double { throw JSONValueDecoder.mismatch("no floating point") }
        func decode(_ type: Float.Type) throws -> Float { throw JSONValueDecoder.mismatch("no floating point") }
        func decode(_ type: Int8.Type) throws -> Int8 { throw JSONValueDecoder.mismatch("unsupported Int8") }
        func decode(_ type: Int16.Type) throws -> Int16 { throw JSONValueDecoder.mismatch("unsupported Int16") }
        func decode(_ type: Int32.Type) throws -> Int32 { throw JSONValueDecoder.mismatch("unsupported Int32") }
        func decode(_ type: UInt.Type) throws -> UInt { throw JSONValueDecoder.mismatch("unsupported UInt") }
        func decode(_ type: UInt8.Type) throws -> UInt8 { throw JSONValueDecoder.mismatch("unsupported UInt8") }
        func decode(_ type: UInt16.Type) throws -> UInt16 { throw JSONValueDecoder.mismatch("unsupported UInt16") }
        func decode(_ type: UInt32.Type) throws -> UInt32 { throw JSONValueDecoder.mismatch("unsupported UInt32") }
        func decode(_ type: UInt64.Type) throws -> UInt64 { throw JSONValueDecoder.mismatch("unsupported UInt64") }
    }
}
