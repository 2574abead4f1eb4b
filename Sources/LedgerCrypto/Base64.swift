/// Standard base64 (RFC 4648 §4) with padding. Decoding is strict: only the canonical encoding
/// of some bytes is accepted, so one value has one spelling.
/// (Shared by signed notes, checkpoints and the HTTP headers.)
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (value, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(value) }
        return table
    }()

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            out.append(alphabet[Int(group >> 6 & 63)])
            out.append(alphabet[Int(group & 63)])
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            var group = UInt32(bytes[index]) << 16
            if rest == 2 { group |= UInt32(bytes[index + 1]) << 8 }
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            out.append(rest == 2 ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of canonical padded base64 `text`, or nil.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(symbols: Array(text.utf8))
    }

    /// The bytes of a structured field's byte sequence in exactly the form `prefix`, `length`
    /// characters of canonical base64, `:` (RFC 8941 §3.3.5 as the HTTP API uses it), or nil.
    public static func decodeField(_ value: String, prefix: [UInt8], length: Int) -> [UInt8]? {
        let utf8 = value.utf8
        guard utf8.count == prefix.count + length + 1, utf8.starts(with: prefix), utf8.last == UInt8(ascii: ":") else { return nil }
        return decode(symbols: Array(utf8.dropFirst(prefix.count).dropLast()))
    }

    private static func decode(symbols: [UInt8]) -> [UInt8]? {
        guard symbols.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(symbols.count / 4 * 3)
        var index = 0
        while index < symbols.count {
            let isLast = index + 4 == symbols.count
            let padding = isLast ? (symbols[index + 3] == UInt8(ascii: "=") ? (symbols[index + 2] == UInt8(ascii: "=") ? 2 : 1) : 0) : 0
            var group: UInt32 = 0
            for offset in 0..<(4 - padding) {
                let value = values[Int(symbols[index + offset])]
                guard value != 0xff else { return nil }
                group |= UInt32(value) << UInt32(18 - 6 * offset)
            }
            out.append(UInt8(group >> 16 & 0xff))
            if padding < 2 { out.append(UInt8(group >> 8 & 0xff)) }
            if padding < 1 { out.append(UInt8(group & 0xff)) }
            // Canonical: the bits below the last full byte are zero.
            if padding == 1 && group & 0xff != 0 { return nil }
            if padding == 2 && group & 0xffff != 0 { return nil }
            index += 4
        }
        return out
    }
}
