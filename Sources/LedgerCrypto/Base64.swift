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
        let count = (bytes.count + 2) / 3 * 4
        guard count > 0 else { return "" }
        // Written through pointers into a string of the final size: no capacity check per symbol.
        return String(unsafeUninitializedCapacity: count) { out in
            bytes.withUnsafeBufferPointer { input in
                alphabet.withUnsafeBufferPointer { symbols in
                    var index = 0, position = 0
                    while index + 3 <= input.count {
                        let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                        out[position] = symbols[Int(group >> 18 & 63)]
                        out[position + 1] = symbols[Int(group >> 12 & 63)]
                        out[position + 2] = symbols[Int(group >> 6 & 63)]
                        out[position + 3] = symbols[Int(group & 63)]
                        index += 3
                        position += 4
                    }
                    let rest = input.count - index
                    if rest > 0 {
                        var group = UInt32(input[index]) << 16
                        if rest == 2 { group |= UInt32(input[index + 1]) << 8 }
                        out[position] = symbols[Int(group >> 18 & 63)]
                        out[position + 1] = symbols[Int(group >> 12 & 63)]
                        out[position + 2] = rest == 2 ? symbols[Int(group >> 6 & 63)] : UInt8(ascii: "=")
                        out[position + 3] = UInt8(ascii: "=")
                    }
                }
            }
            return count
        }
    }

    /// The bytes of canonical padded base64 `text`, or nil.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = String(text).utf8
        if let decoded = utf8.withContiguousStorageIfAvailable({ decode(symbols: UnsafeRawBufferPointer($0)) }) { return decoded }
        return decode(symbols: Array(utf8))
    }

    /// The bytes of canonical padded base64 `symbols` (a slice of a file, say), or nil.
    public static func decode(symbols: ArraySlice<UInt8>) -> [UInt8]? {
        symbols.withUnsafeBytes { decode(symbols: $0) }
    }

    /// The bytes of a structured field's byte sequence in exactly the form `prefix`, `length`
    /// characters of canonical base64, `:` (RFC 8941 §3.3.5 as the HTTP API uses it), or nil.
    public static func decodeField(_ value: String, prefix: [UInt8], length: Int) -> [UInt8]? {
        let utf8 = value.utf8
        guard utf8.count == prefix.count + length + 1, utf8.starts(with: prefix), utf8.last == UInt8(ascii: ":") else { return nil }
        return decode(symbols: Array(utf8.dropFirst(prefix.count).dropLast()))
    }

    private static func decode(symbols: [UInt8]) -> [UInt8]? {
        symbols.withUnsafeBytes { decode(symbols: $0) }
    }

    private static func decode(symbols: UnsafeRawBufferPointer) -> [UInt8]? {
        guard symbols.count % 4 == 0 else { return nil }
        guard symbols.count > 0 else { return [] }
        let padding = symbols[symbols.count - 1] != UInt8(ascii: "=") ? 0 : symbols[symbols.count - 2] == UInt8(ascii: "=") ? 2 : 1
        let count = symbols.count / 4 * 3 - padding
        var valid = true
        let out = values.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
                var index = 0, position = 0
                // Every full group: four symbols of the alphabet (0xff marks anything else).
                let fullGroups = symbols.count / 4 - (padding > 0 ? 1 : 0)
                for _ in 0..<fullGroups {
                    let a = table[Int(symbols[index])], b = table[Int(symbols[index + 1])]
                    let c = table[Int(symbols[index + 2])], d = table[Int(symbols[index + 3])]
                    guard (a | b | c | d) & 0xc0 == 0 else { valid = false; break }
                    let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    out[position] = UInt8(truncatingIfNeeded: group >> 16)
                    out[position + 1] = UInt8(truncatingIfNeeded: group >> 8)
                    out[position + 2] = UInt8(truncatingIfNeeded: group)
                    index += 4
                    position += 3
                }
                if valid && padding > 0 {
                    // The last group: 2 or 3 symbols, then padding; the bits below the last full
                    // byte must be zero (canonical).
                    var group: UInt32 = 0
                    for offset in 0..<(4 - padding) {
                        let value = table[Int(symbols[index + offset])]
                        guard value != 0xff else { valid = false; break }
                        group |= UInt32(value) << UInt32(18 - 6 * offset)
                    }
                    if valid {
                        out[position] = UInt8(truncatingIfNeeded: group >> 16)
                        if padding == 1 { out[position + 1] = UInt8(truncatingIfNeeded: group >> 8) }
                        if padding == 1 && group & 0xff != 0 { valid = false }
                        if padding == 2 && group & 0xffff != 0 { valid = false }
                    }
                }
                initialized = valid ? count : 0
            }
        }
        return valid ? out : nil
    }
}
