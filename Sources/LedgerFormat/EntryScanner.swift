#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes a canonical entry line in one pass, validating canonical form (SPEC.md §1.3, §1.4) as it
/// reads instead of parsing the line into values and encoding them again. The body is not turned
/// into values at all: it stays canonical bytes (`EntryBody.canonical`), parsed only if read.
///
/// It accepts only lines it fully understands (ASCII keys without escapes, a kind of lowercase
/// letters and hyphens) and returns nil for anything else; such a line takes the general path,
/// which alone produces errors. Whenever this accepts a line, the general path accepts it with an
/// equal result: `EntryScannerTests` and the `FuzzEntry` target check that on every input they try.
package struct EntryScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    package static func decode(_ line: [UInt8]) -> DecodedEntry? {
        line.withUnsafeBufferPointer { buffer in
            var scanner = EntryScanner(buffer)
            return scanner.entry(line)
        }
    }

    private mutating func entry(_ line: [UInt8]) -> DecodedEntry? {
        guard line.count <= Entry.maximumLineBytes, literal(#"{"body":"#) else { return nil }
        let bodyStart = index
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{"), value(depth: 1) else { return nil }
        let bodyEnd = index
        guard bodyEnd - bodyStart <= Entry.maximumBodyBytes, literal(#","kind":""#), let kind = kindName(),
              literal(#","ledger":""#), let ledgerID = hexText(digits: 64),
              literal(#","prev":""#), let previousHash = hexText(digits: 64),
              literal(#","seq":"#), let seq = integer(), seq >= 1 else { return nil }
        let signaturesStart = index
        guard literal(#","sigs":["#) else { return nil }
        var signatures: [EntrySignature] = []
        while true {
            guard signatures.count < Entry.maximumSignatures, literal(#"{"alg":"ed25519","key":""#),
                  let keyID = hexText(digits: 16), literal(#","sig":""#), let signature = hexBytes(digits: 128),
                  literal("}"), index < bytes.count else { return nil }
            signatures.append(EntrySignature(keyID: keyID, signature: signature))
            index += 1
            if bytes[index - 1] == UInt8(ascii: "]") { break }
            guard bytes[index - 1] == UInt8(ascii: ",") else { return nil }
        }
        let signaturesEnd = index
        guard literal(#","time":""#), index + 21 <= bytes.count, bytes[index + 20] == UInt8(ascii: "\""),
              let time = Timestamp(String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<(index + 20)]), as: UTF8.self)) else { return nil }
        index += 21
        guard literal(#","v":1}"#), index == bytes.count else { return nil }

        let bodyBytes = Array(line[bodyStart..<bodyEnd])
        var message = Entry.signDomain
        message.reserveCapacity(message.count + line.count)
        message.append(contentsOf: line[..<signaturesStart])
        message.append(contentsOf: line[signaturesEnd...])
        let entry = Entry(ledgerID: ledgerID, seq: seq, previousHash: previousHash, kind: kind, time: time,
                          storedBody: .canonical(bodyBytes), signatures: signatures)
        return DecodedEntry(entry: entry, lineBytes: line, hash: Entry.hash(lineBytes: line),
                            signingMessage: message, bodyBytes: bodyBytes)
    }

    // MARK: Envelope fields

    private mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count, memcmp(bytes.baseAddress! + index, text.utf8Start, count) == 0 else { return false }
        index += count
        return true
    }

    /// A kind name: lowercase letters and hyphens, then the closing quote.
    private mutating func kindName() -> String? {
        let start = index
        while index < bytes.count, bytes[index] == UInt8(ascii: "-") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[index]) {
            index += 1
        }
        guard index > start, index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        let value = nibble(byte)
        return value < 16 ? value : nil
    }

    /// The value of a lowercase hex digit, or 0xff for any other byte (no optional per digit:
    /// the loops below or the values together and look once).
    private static func nibble(_ byte: UInt8) -> UInt8 {
        let digit = byte &- UInt8(ascii: "0")
        if digit < 10 { return digit }
        let letter = byte &- UInt8(ascii: "a")
        return letter < 6 ? letter &+ 10 : 0xff
    }

    /// Exactly `digits` lowercase hex digits, then the closing quote.
    private mutating func hexText(digits: Int) -> String? {
        guard index + digits < bytes.count, bytes[index + digits] == UInt8(ascii: "\"") else { return nil }
        var seen: UInt8 = 0
        for offset in 0..<digits { seen |= Self.nibble(bytes[index + offset]) }
        guard seen < 16 else { return nil }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<(index + digits)]), as: UTF8.self)
        index += digits + 1
        return text
    }

    private mutating func hexBytes(digits: Int) -> [UInt8]? {
        guard index + digits < bytes.count, bytes[index + digits] == UInt8(ascii: "\"") else { return nil }
        let digitsStart = bytes.baseAddress! + index
        var seen: UInt8 = 0
        let out = [UInt8](unsafeUninitializedCapacity: digits / 2) { buffer, initialized in
            for position in 0..<(digits / 2) {
                let high = Self.nibble(digitsStart[2 * position]), low = Self.nibble(digitsStart[2 * position + 1])
                seen |= high | low
                buffer[position] = high << 4 | low
            }
            initialized = digits / 2
        }
        guard seen < 16 else { return nil }
        index += digits + 1
        return out
    }

    // MARK: Canonical JSON values (validated, not built)

    /// One canonical value; `depth` counts as in `JSONParser` (the entry object is depth 0).
    private mutating func value(depth: Int) -> Bool {
        guard depth <= JSONValue.maximumDepth, index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"): return object(depth: depth)
        case UInt8(ascii: "["): return array(depth: depth)
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer() != nil
        default: return false
        }
    }

    /// Members in strictly increasing key order (so no duplicates); keys printable ASCII without
    /// escapes, where byte order is UTF-16 order.
    private mutating func object(depth: Int) -> Bool {
        index += 1
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "}") { index += 1; return true }
        var previousKey: Range<Int>? = nil
        while true {
            guard let key = plainKey() else { return false }
            if let previousKey, !precedes(previousKey, key) { return false }
            previousKey = key
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            guard value(depth: depth + 1), index < bytes.count else { return false }
            index += 1
            if bytes[index - 1] == UInt8(ascii: ",") { continue }
            return bytes[index - 1] == UInt8(ascii: "}")
        }
    }

    private mutating func array(depth: Int) -> Bool {
        index += 1
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "]") { index += 1; return true }
        while true {
            guard value(depth: depth + 1), index < bytes.count else { return false }
            index += 1
            if bytes[index - 1] == UInt8(ascii: ",") { continue }
            return bytes[index - 1] == UInt8(ascii: "]")
        }
    }

    private mutating func plainKey() -> Range<Int>? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<(index - 1)
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    /// Strictly before in byte order (a proper prefix comes first).
    private func precedes(_ first: Range<Int>, _ second: Range<Int>) -> Bool {
        let common = min(first.count, second.count)
        let order = memcmp(bytes.baseAddress! + first.lowerBound, bytes.baseAddress! + second.lowerBound, common)
        return order < 0 || (order == 0 && first.count < second.count)
    }

    /// A string exactly as `JSONValue.encodeString` writes it: the two-character escapes for
    /// `"` `\` and 0x08 0x09 0x0A 0x0C 0x0D, `\u00xx` (lowercase) for the other control characters,
    /// every other character as itself in valid UTF-8.
    private mutating func string() -> Bool {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return true
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { return false }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    guard index + 6 <= bytes.count, bytes[index + 2] == UInt8(ascii: "0"), bytes[index + 3] == UInt8(ascii: "0"),
                          bytes[index + 4] == UInt8(ascii: "0") || bytes[index + 4] == UInt8(ascii: "1"),
                          let low = Self.hexValue(bytes[index + 5]) else { return false }
                    let scalar = (bytes[index + 4] - UInt8(ascii: "0")) << 4 | low
                    guard ![0x08, 0x09, 0x0a, 0x0c, 0x0d].contains(scalar) else { return false }
                    index += 6
                default:
                    return false
                }
            case 0x00..<0x20:
                return false
            case 0x20..<0x80:
                index += 1
            default:
                guard utf8Scalar() else { return false }
            }
        }
        return false
    }

    /// One multi-byte UTF-8 scalar: no overlong forms, surrogates or values past U+10FFFF.
    private mutating func utf8Scalar() -> Bool {
        guard let length = JSONParser.utf8ScalarLength(at: index, in: bytes) else { return false }
        index += length
        return true
    }

    /// An integer as `String(Int64)` writes it, within ±(2^53−1).
    private mutating func integer() -> Int64? {
        var negative = false
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
        var magnitude: Int64 = 0
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if negative { return nil }
        } else {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                magnitude = magnitude * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                guard magnitude <= JSONValue.maximumInteger else { return nil }
                index += 1
            }
        }
        // What follows must end the value (checked by the caller); a fraction or exponent never does.
        return negative ? -magnitude : magnitude
    }
}

extension EntryScanner {
    /// The values of a canonical object body that is exactly `{"k1":"v1","k2":"v2",…}` with
    /// `keys` in that order and values of printable ASCII without escapes; nil for anything else
    /// (the caller then reads the body as values, which finds what is wrong). For `bodyBytes` of a
    /// `DecodedEntry`, already validated as canonical JSON: the strings returned are exactly what
    /// reading the body as values would give.
    package static func plainStrings(_ body: [UInt8], keys: [StaticString]) -> [String]? {
        body.withUnsafeBufferPointer { buffer -> [String]? in
            var scanner = EntryScanner(buffer)
            var values: [String] = []
            values.reserveCapacity(keys.count)
            for (position, key) in keys.enumerated() {
                guard scanner.literal(position == 0 ? "{\"" : ",\""), scanner.literal(key), scanner.literal("\":\"") else { return nil }
                let start = scanner.index
                while scanner.index < buffer.count {
                    let byte = buffer[scanner.index]
                    guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
                    if byte == UInt8(ascii: "\"") { break }
                    scanner.index += 1
                }
                guard scanner.index < buffer.count else { return nil }
                values.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<scanner.index]), as: UTF8.self))
                scanner.index += 1
            }
            guard scanner.literal("}"), scanner.index == buffer.count else { return nil }
            return values
        }
    }
}

extension DecodedEntry {
    /// The scanner's law, for tests and the entry fuzz target: false only when the scanner accepts
    /// `line` and the general path rejects it or decodes it to anything different.
    @_spi(Testing) public static func scannerAgreesWithGeneralPath(_ line: [UInt8]) -> Bool {
        guard let scanned = EntryScanner.decode(line) else { return true }
        guard let parsed = try? DecodedEntry(parsing: line) else { return false }
        return scanned.entry == parsed.entry && scanned.entry.body == parsed.entry.body && scanned.hash == parsed.hash
            && scanned.signingMessage == parsed.signingMessage && scanned.bodyBytes == parsed.bodyBytes
            && scanned.lineBytes == parsed.lineBytes
    }
}
