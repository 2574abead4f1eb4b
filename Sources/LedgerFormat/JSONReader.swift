import LedgerCrypto

/// Typed access to the members of a JSON object, with errors that name the field.
package struct JSONReader {
    package let fields: [String: JSONValue]
    package let context: String

    package init(_ fields: [String: JSONValue], context: String) {
        self.fields = fields
        self.context = context
    }

    package init(_ value: JSONValue, context: String, allowed: [String]) throws(LedgerError) {
        guard case .object(let fields) = value else { throw malformed("\(context) must be a JSON object") }
        if let key = Self.firstUnknownKey(of: fields, allowed: allowed.contains) {
            throw malformed("\(context) has an unknown field \"\(key)\"")
        }
        self.init(fields, context: context)
    }

    /// The first key (in canonical order, UTF-16 code units) that `allowed` refuses: the same one
    /// named in every process, whatever a dictionary's iteration order.
    package static func firstUnknownKey(of fields: [String: JSONValue], allowed: (String) -> Bool) -> String? {
        fields.keys.filter { !allowed($0) }.min { $0.utf16.lexicographicallyPrecedes($1.utf16) }
    }

    package func value(_ key: String) throws(LedgerError) -> JSONValue {
        guard let value = fields[key] else { throw malformed("\(context) is missing \"\(key)\"") }
        return value
    }

    package func string(_ key: String) throws(LedgerError) -> String {
        guard case .string(let text) = try value(key) else { throw malformed("\(context) field \"\(key)\" must be a string") }
        return text
    }

    package func integer(_ key: String) throws(LedgerError) -> Int64 {
        guard case .integer(let number) = try value(key) else { throw malformed("\(context) field \"\(key)\" must be an integer") }
        return number
    }

    package func bool(_ key: String) throws(LedgerError) -> Bool {
        guard case .bool(let flag) = try value(key) else { throw malformed("\(context) field \"\(key)\" must be true or false") }
        return flag
    }

    package func array(_ key: String) throws(LedgerError) -> [JSONValue] {
        guard case .array(let values) = try value(key) else { throw malformed("\(context) field \"\(key)\" must be an array") }
        return values
    }

    /// A SHA-256 value: 64 lowercase hex digits.
    package func hash(_ key: String) throws(LedgerError) -> String {
        let text = try string(key)
        guard text.utf8.count == 64, Hex.decode(text) != nil else {
            throw malformed("\(context) field \"\(key)\" must be 64 lowercase hex digits")
        }
        return text
    }

    /// A raw Ed25519 public key: 64 lowercase hex digits. A small-order or non-canonical key
    /// (SPEC.md §1.2) is well-formed but refused: nobody holds its private key.
    package func publicKey(_ key: String) throws(LedgerError) -> PublicKey {
        let text = try string(key)
        guard let raw = Hex.decode(text), raw.count == 32 else {
            throw malformed("\(context) field \"\(key)\" must be a 32-byte public key in lowercase hex")
        }
        do {
            return try PublicKey(rawRepresentation: raw)
        } catch {
            let reason = "\(context) field \"\(key)\": \(error.message)"
            throw error.code == .keyWeak ? rejected(reason) : malformed(reason)
        }
    }
}
