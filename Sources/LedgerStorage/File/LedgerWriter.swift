import Ledger
import LedgerCrypto
#if canImport(Glibc)
import Glibc
#endif

/// An open ledger for appending, kept open as long as the caller likes (a command appends once; a
/// long-running writer many times). The verified state stays in memory; each `append` takes the
/// exclusive lock, checks that the file still ends at the state's head (catching up on entries other
/// writers appended meanwhile, verifying only those), applies, writes with one fsync, and unlocks.
/// Opened with a member's key, it loads the state from that member's authenticated state cache
/// (`StateCache`) when the cache verifies and fits, verifying only what follows it; otherwise it
/// verifies the whole file. Closing saves the cache. Opened without a key, it uses no cache.
public final class LedgerWriter {
    public let path: String
    public private(set) var verified: VerifiedLedger
    private let descriptor: Int32
    private let identity: (device: UInt64, inode: UInt64)
    private var isOpen = true
    /// The member whose state cache this writer reads and saves; nil for no cache.
    private let cacheOwner: (any EntrySigner)?
    /// Where writes and fsyncs go (tests inject faults here).
    private let io: any FileIO

    public var state: LedgerState { verified.state }

    public init(path: String, key: (any EntrySigner)? = nil, io: any FileIO = SystemFileIO(), progress: ((_ entries: Int64, _ bytes: Int64) -> Void)? = nil) throws(LedgerError) {
        let descriptor = try Verifier.openLedger(path, flags: O_RDWR)
        var status = stat()
        guard fstat(descriptor, &status) == 0, flock(descriptor, LOCK_EX) == 0 else {
            Glibc.close(descriptor)
            throw LedgerError(.io, "cannot lock the ledger", file: path)
        }
        defer { flock(descriptor, LOCK_UN) }
        self.path = path
        self.descriptor = descriptor
        self.identity = (UInt64(status.st_dev), UInt64(status.st_ino))
        self.cacheOwner = key
        self.io = io
        do throws(LedgerError) {
            let cached = key.flatMap { Self.loadCache(ledgerPath: path, key: $0) }
            verified = try Self.load(descriptor: descriptor, path: path, cached: cached, progress: progress)
            if let torn = verified.tornTailError(path: path) { throw torn.beforeAppending }
        } catch {
            Glibc.close(descriptor)
            isOpen = false
            throw error
        }
    }

    /// The member's cache of this ledger, if it exists and verifies under the member's key.
    public static func loadCache(ledgerPath: String, key: any EntrySigner) -> VerifiedLedger? {
        let cachePath = StateCache.path(forLedger: ledgerPath, keyID: key.publicKey.keyID)
        guard let ledgerID = StateCache.claimedLedgerID(ofFile: cachePath),
              let cacheKey = try? StateCacheKey(member: key, ledgerID: ledgerID) else { return nil }
        return StateCache.load(from: cachePath, key: cacheKey)
    }

    static func load(descriptor: Int32, path: String, cached: VerifiedLedger?,
                     progress: ((_ entries: Int64, _ bytes: Int64) -> Void)?) throws(LedgerError) -> VerifiedLedger {
        if let cached {
            return try catchUp(from: cached, descriptor: descriptor, path: path, progress: progress)
        }
        guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw LedgerError(.io, "cannot seek", file: path) }
        return try Verifier.verify(descriptor: descriptor, path: path, progress: progress)
    }

    /// The state at the file's end: `known` plus whatever follows it, or the whole file verified
    /// again when `known` no longer fits (its head is not where it was).
    static func catchUp(from known: VerifiedLedger, descriptor: Int32, path: String,
                        progress: ((_ entries: Int64, _ bytes: Int64) -> Void)?) throws(LedgerError) -> VerifiedLedger {
        if let resumed = try? Verifier.verify(descriptor: descriptor, path: path, resumingFrom: known, progress: progress) {
            return resumed
        }
        guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw LedgerError(.io, "cannot seek", file: path) }
        return try Verifier.verify(descriptor: descriptor, path: path, progress: progress)
    }

    /// Under the lock: makes `verified` the state at the file's end. When the file still has the
    /// size and change time (ctime) it had right after this writer's own last write, no writer
    /// appended since (an append changes the size; every write or truncate sets ctime, which no
    /// program can set back) and this costs one fstat and one stat; otherwise the head line is read
    /// and hashed again, and anything appended since is verified from the state on. (The kernel's
    /// ctime clock is coarse: an in-place rewrite of old bytes within the same tick would go unseen
    /// here, and is caught by the next verify, as tampering always is.)
    private func refresh() throws(LedgerError) {
        var status = stat(), named = stat()
        guard fstat(descriptor, &status) == 0 else { throw LedgerError(.io, "cannot stat the ledger", file: path) }
        guard stat(path, &named) == 0, UInt64(named.st_dev) == identity.device, UInt64(named.st_ino) == identity.inode else {
            throw LedgerError(.io, "the ledger file was replaced or removed since it was opened; open it again", file: path)
        }
        if Int64(status.st_size) == verified.validByteCount {
            if let seen = lastWritten, seen == Self.fingerprint(status) { return }
            if (try? StateCache.checkHead(of: verified, descriptor: descriptor, path: path)) != nil { return }
        }
        lastWritten = nil
        let current = try Self.catchUp(from: verified, descriptor: descriptor, path: path, progress: nil)
        if let torn = current.tornTailError(path: path) { throw torn.beforeAppending }
        verified = current
    }

    /// Size and change time of the file, as fstat gives them.
    private static func fingerprint(_ status: stat) -> [Int64] {
        [Int64(status.st_size), Int64(status.st_ctim.tv_sec), Int64(status.st_ctim.tv_nsec)]
    }

    /// The file's fingerprint right after this writer's last successful write, if it knows it.
    private var lastWritten: [Int64]? = nil

    /// Locks, catches up with the file, builds entries from the current state with `make`, and
    /// appends them (all or nothing) with one fsync.
    @discardableResult
    public func append(_ make: (LedgerState) throws -> [Entry]) throws -> [DecodedEntry] {
        try locked { () throws -> [DecodedEntry] in
            try refresh()
            let entries = try make(verified.state)
            return try appendLocked(Self.encoded(entries))
        }
    }

    /// Appends `entries`, which must extend the file's current head, with one fsync.
    @discardableResult
    public func append(_ entries: [Entry]) throws(LedgerError) -> [DecodedEntry] {
        try appendDecoded(Self.encoded(entries))
    }

    /// Encoding, reading back (the verifier's decode and limits) and hashing are independent per
    /// entry: done on every core.
    private static func encoded(_ entries: [Entry]) -> [Result<DecodedEntry, LedgerError>] {
        Replay.parallelMap(entries) { entry in Result { () throws(LedgerError) in try DecodedEntry(entry: entry) } }
    }

    /// Appends entry lines received from elsewhere (a server), which must extend the file's
    /// current head: each is decoded and limit-checked as a reader would, applied with its
    /// signatures verified in full, and written byte for byte with one fsync.
    @discardableResult
    public func append(lines: [[UInt8]]) throws(LedgerError) -> [DecodedEntry] {
        try appendDecoded(Replay.parallelMap(lines) { line in Result { () throws(LedgerError) in try DecodedEntry(line: line) } })
    }

    private func appendDecoded(_ decoded: [Result<DecodedEntry, LedgerError>]) throws(LedgerError) -> [DecodedEntry] {
        do {
            return try locked { () throws -> [DecodedEntry] in
                try refresh()
                return try appendLocked(decoded)
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            preconditionFailure("unreachable: \(error)")
        }
    }

    private func locked<T>(_ body: () throws -> T) throws -> T {
        precondition(isOpen, "append after close")
        guard flock(descriptor, LOCK_EX) == 0 else { throw LedgerError(.io, "cannot lock the ledger", file: path) }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// Signature checks handed to the other cores at a time while a large batch is applied.
    package static let signatureChunkSize = 512

    /// Applies decoded entries (or the first decoding error, at its place) in order (all or nothing), then writes them with one fsync.
    private func appendLocked(_ encoded: [Result<DecodedEntry, LedgerError>]) throws(LedgerError) -> [DecodedEntry] {
        var state = verified.state
        var written: [DecodedEntry] = []
        var bytes: [UInt8] = []
        var lastLineOffset = verified.lastLineOffset
        var jobs: [SignatureJob] = []
        // Signature checks of a large batch start, chunk by chunk, while the rest is still being
        // applied (at most `SignatureBatch.inFlightLimit` chunks in flight); their results are
        // looked at only once every entry applied, in order, so the error reported is the one a
        // check after applying all would report.
        var signatureChunks: [Replay.SignatureBatch] = []
        for result in encoded {
            let decoded: DecodedEntry
            do throws(LedgerError) {
                decoded = try result.get()
                try state.apply(decoded, deferringSignaturesInto: &jobs)
                if jobs.count >= Self.signatureChunkSize {
                    let limit = Replay.SignatureBatch.inFlightLimit
                    if signatureChunks.count >= limit { signatureChunks[signatureChunks.count - limit].wait() }
                    signatureChunks.append(Replay.SignatureBatch(jobs))
                    jobs.removeAll(keepingCapacity: true)
                }
            } catch {
                var located = error.at(seq: state.headSeq + 1, line: nil)
                located.file = path
                throw located
            }
            lastLineOffset = verified.validByteCount + Int64(bytes.count)
            bytes += decoded.lineBytes
            bytes.append(0x0a)
            written.append(decoded)
        }
        guard !written.isEmpty else { return [] }
        // The same signature checks `apply` makes, run on every core for large batches.
        do throws(LedgerError) {
            for chunk in signatureChunks { try chunk.waitAndCheck() }
            try Replay.checkSignatures(jobs)
        } catch {
            var located = error
            located.file = path
            throw located
        }
        lastWritten = nil
        try LedgerStore.writeDurably(descriptor: descriptor, bytes: bytes, originalSize: verified.validByteCount, path: path, io: io)
        verified = VerifiedLedger(state: state, validByteCount: verified.validByteCount + Int64(bytes.count),
                                  lastLineOffset: lastLineOffset, tornTail: nil)
        var status = stat()
        if fstat(descriptor, &status) == 0, Int64(status.st_size) == verified.validByteCount {
            lastWritten = Self.fingerprint(status)
        }
        return written
    }

    /// Saves the member's state cache (under the lock, when the file is still at this writer's
    /// state) and closes the file. A cache that cannot be saved is skipped: it only costs time.
    public func close() {
        guard isOpen else { return }
        if let key = cacheOwner, flock(descriptor, LOCK_EX) == 0 {
            var status = stat()
            if fstat(descriptor, &status) == 0, Int64(status.st_size) == verified.validByteCount, !verified.state.isEmpty,
               let cacheKey = try? StateCacheKey(member: key, ledgerID: verified.state.ledgerID) {
                try? StateCache.save(verified, to: StateCache.path(forLedger: path, keyID: key.publicKey.keyID), key: cacheKey)
            }
            flock(descriptor, LOCK_UN)
        }
        Glibc.close(descriptor)
        isOpen = false
    }

    deinit { close() }
}

extension LedgerError {
    /// A torn-tail error as an appender reports it.
    var beforeAppending: LedgerError {
        var error = self
        error.reason += " before appending"
        return error
    }
}
