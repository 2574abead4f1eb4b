import LedgerFormat
import LedgerHTTP
import LedgerCrypto
import LedgerStorage
#if canImport(Glibc)
import Glibc
#endif

/// The file store of the server (SPEC §5.10): one folder per ledger id under the data directory,
/// holding `ledger.jsonl` (written with the file store's durable write), the hash sidecar, the
/// latest checkpoint and the members' cosignatures. The data directory is locked for one server
/// process at a time.
public final class FileLedgerHost: LedgerHost {
    public let directory: String
    private let lockDescriptor: Int32

    public static let ledgerFileName = "ledger.jsonl"

    /// Opens (creating if needed) and locks `directory`; fails if another process holds it.
    public init(directory: String) throws(LedgerError) {
        var directory = directory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw LedgerError(.io, "cannot create the data directory: \(String(cString: strerror(errno)))", file: directory)
        }
        let descriptor = Glibc.open(directory + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw LedgerError(.io, "cannot open the data directory's lock file", file: directory) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw LedgerError(.usage, "another server is using this data directory", file: directory)
        }
        self.directory = directory
        self.lockDescriptor = descriptor
    }

    deinit { close(lockDescriptor) }

    func folder(_ ledgerID: String) -> String {
        precondition(APIRoute.isLedgerID(ledgerID), "ledger ids are checked before they reach the store")
        return directory + "/" + ledgerID
    }

    public func exists(ledgerID: String) throws(LedgerError) -> Bool {
        var status = stat()
        return stat(folder(ledgerID) + "/" + Self.ledgerFileName, &status) == 0
    }

    public func create(ledgerID: String, genesisLine: [UInt8]) throws(LedgerError) -> (any HostedLedgerStore)? {
        let folder = folder(ledgerID)
        if mkdir(folder, 0o755) != 0 && errno != EEXIST {
            throw LedgerError(.io, "cannot create the ledger's folder: \(String(cString: strerror(errno)))", file: folder)
        }
        if try exists(ledgerID: ledgerID) { return nil }
        do throws(LedgerError) {
            try LedgerStore.create(path: folder + "/" + Self.ledgerFileName, genesis: try DecodedEntry(line: genesisLine))
        } catch where error.code == .usage {
            return nil  // created by a concurrent request: `link` refused to overwrite
        }
        try LedgerStore.syncDirectory(of: folder)
        return try open(ledgerID: ledgerID)
    }

    public func open(ledgerID: String) throws(LedgerError) -> (any HostedLedgerStore)? {
        guard try exists(ledgerID: ledgerID) else { return nil }
        return try FileHostedLedgerStore(ledgerID: ledgerID, folder: folder(ledgerID))
    }
}

/// One ledger's folder. Keeps the ledger file open and the byte offset of every line, so reads
/// from a `seq` seek directly and the compare-and-swap is one `fstat` under the lock.
final class FileHostedLedgerStore: HostedLedgerStore {
    let ledgerID: String
    let folder: String
    let path: String
    private let descriptor: Int32
    /// `offsets[i]` is where line `i + 1` starts; the last element is the end of the last line.
    private var offsets: [Int64] = [0]
    private let reader: FileEntryStore

    init(ledgerID: String, folder: String) throws(LedgerError) {
        self.ledgerID = ledgerID
        self.folder = folder
        self.path = folder + "/" + FileLedgerHost.ledgerFileName
        self.descriptor = try Verifier.openLedger(path, flags: O_RDWR)
        self.reader = FileEntryStore(path: path)
        // A torn tail (a crash inside an unacknowledged append) is not part of the ledger: it is
        // cut off here, after copying the file aside, exactly as `emc repair` does.
        var last: UInt8 = 0x0a
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_size > 0 { _ = pread(descriptor, &last, 1, status.st_size - 1) }
        if last != 0x0a, let repaired = try LedgerStore.repair(path: path) {
            FileHandleOutput.standardError("emc-server: \(ledgerID): removed a torn tail of \(repaired.removedBytes) bytes (copy in \(repaired.backupPath))")
        }
        try reader.readLines(from: 0) { line, offset throws(LedgerError) in
            precondition(offset == offsets[offsets.count - 1], "lines are contiguous")
            offsets.append(offset + Int64(line.count) + 1)
            return true
        }
    }

    var size: Int64 { Int64(offsets.count - 1) }

    /// The data directory is locked for this process: nobody else appends.
    var isShared: Bool { false }

    func storedSize() throws(LedgerError) -> Int64 { size }

    func readLines(fromSeq: Int64, _ body: (_ seq: Int64, _ line: [UInt8]) throws(LedgerError) -> Bool) throws(LedgerError) {
        guard fromSeq >= 1, fromSeq <= size else { return }
        var seq = fromSeq
        let end = offsets[offsets.count - 1]
        try reader.readLines(from: offsets[Int(fromSeq - 1)]) { line, offset throws(LedgerError) in
            guard offset < end else { return false }
            defer { seq += 1 }
            return try body(seq, line)
        }
    }

    func append(lines: [[UInt8]], expectedSize: Int64, whileSyncing: () -> Void) throws(LedgerError) -> Bool {
        guard flock(descriptor, LOCK_EX) == 0 else { throw LedgerError(.io, "cannot lock the ledger", file: path) }
        defer { flock(descriptor, LOCK_UN) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw LedgerError(.io, "cannot stat the ledger", file: path) }
        let end = offsets[offsets.count - 1]
        guard expectedSize == size, Int64(status.st_size) == end else { return false }
        let bytes = EntryBatch.encode(lines)
        try LedgerStore.writeDurably(descriptor: descriptor, bytes: bytes, originalSize: end, path: path, io: SystemFileIO(),
                                     whileSyncing: whileSyncing)
        var offset = end
        for line in lines {
            offset += Int64(line.count) + 1
            offsets.append(offset)
        }
        return true
    }

    var checkpointPath: String { folder + "/checkpoint" }
    var cosignaturesPath: String { folder + "/cosignatures" }

    func loadCheckpoint() throws(LedgerError) -> [UInt8]? {
        try readSmallFile(checkpointPath, limit: 65_536)
    }

    /// Not fsync'd: the checkpoint is signed again from the ledger if it is lost.
    func saveCheckpoint(_ note: [UInt8]) throws(LedgerError) {
        try replaceFile(checkpointPath, bytes: note, durably: false)
    }

    /// Lines `<member> <size> <key id hex> <base64 timestamp ‖ signature>`.
    func loadCosignatures() throws(LedgerError) -> [CosignatureRecord] {
        guard let bytes = try readSmallFile(cosignaturesPath, limit: 1 << 20) else { return [] }
        var records: [CosignatureRecord] = []
        for line in bytes.split(separator: 0x0a) {
            let fields = line.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == 4, let size = Int64(fields[1]), let keyID = UInt32(fields[2], radix: 16),
                  let signature = Base64.decode(fields[3]) else {
                throw LedgerError(.malformed, "the cosignatures file is damaged", file: cosignaturesPath)
            }
            records.append(CosignatureRecord(member: fields[0], size: size, keyID: keyID, signature: signature))
        }
        return records
    }

    /// One process, and the ledger's queue around it: reading the file and replacing it is atomic.
    func storeCosignature(_ record: CosignatureRecord, ifStoredSizeIs oldSize: Int64) throws(LedgerError) -> Int64? {
        var records = try loadCosignatures()
        let index = records.firstIndex { $0.member == record.member }
        let stored = index.map { records[$0].size } ?? 0
        if let index, records[index] == record { return nil }  // already stored: a retry
        guard stored == oldSize else { return stored }
        if let index { records[index] = record } else { records.append(record) }
        try saveCosignatures(records.sorted { $0.member < $1.member })
        return nil
    }

    private func saveCosignatures(_ records: [CosignatureRecord]) throws(LedgerError) {
        let text = records.map { "\($0.member) \($0.size) \(String($0.keyID, radix: 16)) \(Base64.encode($0.signature))\n" }.joined()
        try replaceFile(cosignaturesPath, bytes: Array(text.utf8), durably: true)
    }

    func saveTreeHashes(_ bytes: [UInt8]) {
        try? replaceFile(path + ".tlog-hashes", bytes: bytes, durably: true)
    }

    func close() { Glibc.close(descriptor) }

    private func readSmallFile(_ path: String, limit: Int) throws(LedgerError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw LedgerError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        defer { Glibc.close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, Int(status.st_size) <= limit else {
            throw LedgerError(.io, "not a regular file of at most \(limit) bytes", file: path)
        }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count == bytes.count else { throw LedgerError(.io, "cannot read", file: path) }
        return bytes
    }

    /// Write-temp, (fsync), rename, (fsync the directory).
    private func replaceFile(_ path: String, bytes: [UInt8], durably: Bool) throws(LedgerError) {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw LedgerError(.io, "cannot create", file: temporary) }
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, bytes.count - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                Glibc.close(descriptor)
                throw LedgerError(.io, "cannot write", file: temporary)
            }
            done += count
        }
        let synced = !durably || fsync(descriptor) == 0
        Glibc.close(descriptor)
        guard synced, rename(temporary, path) == 0 else { throw LedgerError(.io, "cannot write durably", file: path) }
        if durably { try LedgerStore.syncDirectory(of: path) }
    }
}

/// One line on standard error, without Foundation.
enum FileHandleOutput {
    static func standardError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
