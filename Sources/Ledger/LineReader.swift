#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a ledger file line by line in fixed-size chunks, so memory does not grow with the file.
struct LineReader {
    static let chunkBytes = 1 << 20

    /// What follows the last complete line.
    enum Tail: Equatable {
        case clean
        /// A final line without its newline: `byteCount` bytes starting at `offset`.
        case torn(offset: Int64, byteCount: Int)
    }

    let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private var atEnd = false
    /// File offset of the first byte of `buffer[bufferStart...]`.
    private(set) var offset: Int64 = 0
    private(set) var lineNumber = 0
    private(set) var tail: Tail = .clean

    init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// The next complete line without its newline, or nil at the end (then `tail` says what was left).
    /// A line longer than `Entry.maximumLineBytes` is returned truncated to that limit plus one byte,
    /// so the decoder reports it as oversized.
    mutating func nextLine() throws(LedgerError) -> [UInt8]? {
        var oversized: [UInt8]? = nil
        var oversizedStart: Int64 = 0
        while true {
            if let newline = buffer[bufferStart...].firstIndex(of: 0x0a) {
                var line = Array(buffer[bufferStart..<newline])
                offset += Int64(newline - bufferStart + 1)
                bufferStart = newline + 1
                lineNumber += 1
                if let prefix = oversized { line = Array((prefix + line).prefix(Entry.maximumLineBytes + 1)) }
                return line
            }
            if buffer.count - bufferStart > Entry.maximumLineBytes {
                // Keep only what is needed to report the oversized line.
                if oversized == nil { oversized = Array(buffer[bufferStart...].prefix(Entry.maximumLineBytes + 1)); oversizedStart = offset }
                offset += Int64(buffer.count - bufferStart)
                buffer.removeAll(keepingCapacity: true)
                bufferStart = 0
            }
            if atEnd {
                let remaining = buffer.count - bufferStart
                if remaining > 0 || oversized != nil {
                    let start = oversized == nil ? offset : oversizedStart
                    tail = .torn(offset: start, byteCount: Int(offset - start) + remaining)
                }
                return nil
            }
            try fill()
        }
    }

    private mutating func fill() throws(LedgerError) {
        if bufferStart > 0 {
            buffer.removeFirst(bufferStart)
            bufferStart = 0
        }
        let oldCount = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.chunkBytes))
        let count = buffer.withUnsafeMutableBytes { raw in
            Glibc.read(descriptor, raw.baseAddress! + oldCount, Self.chunkBytes)
        }
        guard count >= 0 else {
            buffer.removeLast(Self.chunkBytes)
            throw LedgerError(.io, "read failed: \(String(cString: strerror(errno)))", file: path)
        }
        buffer.removeLast(Self.chunkBytes - count)
        if count == 0 { atEnd = true }
    }
}
