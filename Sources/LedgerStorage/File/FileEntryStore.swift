import Ledger
import LedgerFormat
#if canImport(Glibc)
import Glibc
#endif

/// The ledger file as an `EntryStore`: lines separated by `\n`, appended under an exclusive `flock`
/// with one fsync (SPEC.md §1.9). `LedgerWriter` is the long-lived session over the same file and
/// the same write path; this type is the plain interface a server or a test drives.
public final class FileEntryStore: EntryStore {
    public let path: String
    private let io: any FileIO

    public init(path: String, io: any FileIO = SystemFileIO()) {
        self.path = path
        self.io = io
    }

    public func create(genesisLine: [UInt8]) throws(LedgerError) {
        let genesis: DecodedEntry
        do throws(LedgerError) { genesis = try DecodedEntry(line: genesisLine) } catch { throw error.located(path) }
        try LedgerStore.create(path: path, genesis: genesis, io: io)
    }

    public func head() throws(LedgerError) -> StoreHead {
        let descriptor = try Verifier.openLedger(path, flags: O_RDONLY)
        defer { close(descriptor) }
        return try Self.head(descriptor: descriptor, path: path)
    }

    public func readLines(from offset: Int64, _ body: (_ line: [UInt8], _ lineOffset: Int64) throws(LedgerError) -> Bool) throws(LedgerError) {
        let descriptor = try Verifier.openLedger(path, flags: O_RDONLY)
        defer { close(descriptor) }
        guard lseek(descriptor, off_t(offset), SEEK_SET) >= 0 else { throw LedgerError(.io, "cannot seek", file: path) }
        var reader = LineReader(path: path, descriptor: descriptor, offset: offset)
        while let line = try reader.nextLine() {
            guard try body(line, reader.lastLineOffset) else { return }
        }
    }

    public func append(lines: [[UInt8]], expected: StoreHead) throws(LedgerError) -> AppendResult {
        precondition(lines.allSatisfy { !$0.contains(0x0a) && !$0.isEmpty }, "a line holds no newline")
        let descriptor = try Verifier.openLedger(path, flags: O_RDWR)
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw LedgerError(.io, "cannot lock the ledger", file: path) }
        defer { flock(descriptor, LOCK_UN) }
        let current = try Self.head(descriptor: descriptor, path: path)
        guard current == expected else { return .headMoved(current) }
        guard !lines.isEmpty else { return .appended(current) }
        let bytes: [UInt8] = lines.flatMap { line -> [UInt8] in line + [0x0a] }
        try LedgerStore.writeDurably(descriptor: descriptor, bytes: bytes, originalSize: current.size, path: path, io: io)
        let lastLength = Int64(lines[lines.count - 1].count + 1)
        return .appended(StoreHead(size: current.size + Int64(bytes.count), lastLineOffset: current.size + Int64(bytes.count) - lastLength,
                                   hash: Entry.hash(lineBytes: lines[lines.count - 1])))
    }

    /// The head of the open file: the last complete line and where it starts. A torn tail (bytes
    /// after the last newline) is not part of the head, and is refused for appending.
    static func head(descriptor: Int32, path: String) throws(LedgerError) -> StoreHead {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw LedgerError(.io, "cannot stat the ledger", file: path) }
        let size = Int64(status.st_size)
        guard size > 0 else { return .empty }
        let window = Int(min(size, Int64(Entry.maximumLineBytes + 1)))
        var tail = [UInt8](repeating: 0, count: window)
        let count = tail.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, window, off_t(size - Int64(window))) }
        guard count == window else { throw LedgerError(.io, "cannot read the ledger's end", file: path) }
        guard tail.last == 0x0a else {
            throw LedgerError(.tornTail, "torn tail: the last append was interrupted; run `emc repair \(path)`", file: path)
        }
        let body = tail.dropLast()
        let start = body.lastIndex(of: 0x0a).map { $0 + 1 } ?? 0
        guard start > 0 || Int64(window) == size else { throw LedgerError(.malformed, "the last line is longer than the limit", file: path) }
        let offset = size - Int64(window) + Int64(start)
        return StoreHead(size: size, lastLineOffset: offset, hash: Entry.hash(lineBytes: Array(body[start...])))
    }
}
