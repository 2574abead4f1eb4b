/// Reading the line-based proof texts: a cursor over bytes that hands out lines.
struct LineCursor {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next line without its newline, or nil at the end or when the line has no newline.
    mutating func nextLine() -> String? {
        guard let end = bytes[offset...].firstIndex(of: 0x0a) else { return nil }
        defer { offset = end + 1 }
        return String(validating: bytes[offset..<end], as: UTF8.self)
    }

    /// Base64 hash lines up to (and consuming) the blank line that ends them.
    mutating func hashLines(limit: Int, what: String) throws(TransparencyError) -> [MerkleHash] {
        var hashes: [MerkleHash] = []
        while true {
            guard let line = nextLine() else { throw TransparencyError(.malformed, "malformed \(what): no blank line after the hashes") }
            if line.isEmpty { return hashes }
            guard hashes.count < limit else { throw TransparencyError(.limit, "\(what): more than \(limit) hashes") }
            guard let hash = MerkleHash(base64: line) else { throw TransparencyError(.malformed, "malformed \(what): a hash line is not the base64 of 32 bytes") }
            hashes.append(hash)
        }
    }

    var rest: ArraySlice<UInt8> { bytes[offset...] }
}

/// `key value` with a decimal value, e.g. `index 5` or `old 12`.
func parseKeyedDecimal(_ line: String?, key: String, what: String) throws(TransparencyError) -> UInt64 {
    guard let line, line.hasPrefix(key + " "), let value = Checkpoint.parseDecimal(line.dropFirst(key.count + 1)) else {
        throw TransparencyError(.malformed, "malformed \(what): expected a line \"\(key) <decimal>\"")
    }
    return value
}

func hashLinesText(_ hashes: [MerkleHash]) -> String { hashes.map { $0.base64 + "\n" }.joined() }
