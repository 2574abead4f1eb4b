import Ledger
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a ledger file line by line through one buffer of bounded size, so memory does not grow
/// with the file. The buffer starts at one chunk and grows, up to the longest line plus one chunk,
/// only when a line does not fit: ledgers of ordinary lines touch 256 KiB, not 5 MiB.
package struct LineReader {
    static let chunkBytes = 256 << 10
    /// The most the buffer ever holds: one line longer than the limit plus one chunk.
    static let maximumStorageBytes = Entry.maximumLineBytes + 1 + chunkBytes

    /// What follows the last complete line.
    enum Tail: Equatable {
        case clean
        /// A final line without its newline: `byteCount` bytes starting at `offset`.
        case torn(offset: Int64, byteCount: Int)
    }

    let path: String
    private let descriptor: Int32
    /// Holds at most `maximumStorageBytes`.
    private var storage: [UInt8]
    private var start = 0
    private var end = 0
    private var atEnd = false
    /// File offset of `storage[start]`.
    private(set) var offset: Int64 = 0
    private(set) var lineNumber = 0
    /// File offset where the last line returned starts.
    private(set) var lastLineOffset: Int64 = 0
    private(set) var tail: Tail = .clean

    /// Reads from the descriptor's current position, which is file offset `offset` and follows
    /// `lineNumber` complete lines.
    package init(path: String, descriptor: Int32, offset: Int64 = 0, lineNumber: Int = 0) {
        self.path = path
        self.descriptor = descriptor
        self.offset = offset
        self.lineNumber = lineNumber
        // Not zeroed: only bytes `read` wrote are ever looked at, so a reader that finds nothing new
        // (an append resuming at the end of its state cache) touches none of its 256 KiB.
        self.storage = [UInt8](unsafeUninitializedCapacity: Self.chunkBytes) { _, count in count = Self.chunkBytes }
    }

    /// The next complete line without its newline, or nil at the end (then `tail` says what was left).
    /// A line longer than `Entry.maximumLineBytes` comes back cut to that limit plus one byte, so the
    /// decoder reports it as oversized.
    package mutating func nextLine() throws(LedgerError) -> [UInt8]? {
        var oversized: [UInt8]? = nil
        var oversizedStart: Int64 = 0
        while true {
            if let newline = findNewline() {
                var line = storage.withUnsafeBufferPointer { Array(UnsafeBufferPointer(rebasing: $0[start..<newline])) }
                lastLineOffset = oversized == nil ? offset : oversizedStart
                offset += Int64(newline - start + 1)
                start = newline + 1
                lineNumber += 1
                if let prefix = oversized { line = Array((prefix + line).prefix(Entry.maximumLineBytes + 1)) }
                return line
            }
            if end - start > Entry.maximumLineBytes {
                // Keep only what is needed to report the oversized line, then skip to its end.
                if oversized == nil {
                    oversized = Array(storage[start..<(start + Entry.maximumLineBytes + 1)])
                    oversizedStart = offset
                }
                offset += Int64(end - start)
                start = 0
                end = 0
            }
            if atEnd {
                let remaining = end - start
                if remaining > 0 || oversized != nil {
                    let tornStart = oversized == nil ? offset : oversizedStart
                    tail = .torn(offset: tornStart, byteCount: Int(offset - tornStart) + remaining)
                }
                return nil
            }
            try fill()
        }
    }

    private func findNewline() -> Int? {
        guard end > start else { return nil }
        return storage.withUnsafeBufferPointer { buffer -> Int? in
            guard let found = memchr(buffer.baseAddress! + start, 0x0a, end - start) else { return nil }
            return buffer.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    private mutating func fill() throws(LedgerError) {
        if start > 0 {
            let remaining = end - start
            storage.withUnsafeMutableBufferPointer { buffer in
                _ = memmove(buffer.baseAddress!, buffer.baseAddress! + start, remaining)
            }
            start = 0
            end = remaining
        }
        if storage.count - end < Self.chunkBytes && storage.count < Self.maximumStorageBytes {
            // A line longer than what is left: grow (doubling, up to the maximum).
            storage.append(contentsOf: repeatElement(0, count: min(Self.maximumStorageBytes - storage.count, storage.count)))
        }
        let capacity = storage.count - end
        let count = storage.withUnsafeMutableBufferPointer { buffer in
            read(descriptor, buffer.baseAddress! + end, min(capacity, Self.chunkBytes))
        }
        guard count >= 0 else {
            throw LedgerError(.io, "read failed: \(String(cString: strerror(errno)))", file: path)
        }
        end += count
        if count == 0 { atEnd = true }
    }
}
