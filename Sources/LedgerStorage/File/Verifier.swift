import Ledger
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of reading a ledger file through the state machine.
public struct VerifiedLedger: Sendable {
    /// The state after the last valid complete entry.
    public var state: LedgerState
    /// Bytes of the file covered by complete, valid entries.
    public var validByteCount: Int64
    /// Where the last valid entry's line starts (its hash is the head).
    public var lastLineOffset: Int64 = 0
    /// Set when the file ends in a line without a newline (an interrupted append).
    public var tornTail: (offset: Int64, byteCount: Int)?

    public init(state: LedgerState, validByteCount: Int64, lastLineOffset: Int64, tornTail: (offset: Int64, byteCount: Int)?) {
        self.state = state
        self.validByteCount = validByteCount
        self.lastLineOffset = lastLineOffset
        self.tornTail = tornTail
    }

    public var entryCount: Int64 { state.headSeq }

    /// The error for a torn tail, naming `emc repair`.
    public func tornTailError(path: String) -> LedgerError? {
        guard let torn = tornTail else { return nil }
        return LedgerError(.tornTail, "torn tail after entry \(entryCount): the last append was interrupted (\(torn.byteCount) bytes without a newline at byte \(torn.offset)); run `emc repair \(path)`", file: path)
    }

    /// Throws the torn-tail error, if any: for readers that need a whole, clean ledger.
    public func requireNoTornTail(path: String) throws(LedgerError) {
        if let error = tornTailError(path: path) { throw error }
    }
}

/// Streams a ledger through `LedgerState.apply`, checking signatures in parallel batches.
public enum Verifier {
    public static let batchSize = 2048
    /// A batch is also cut once its lines reach this many bytes: with one batch being applied and
    /// one in flight for signatures, memory stays bounded whatever the entries' sizes (a settle
    /// line can be 70 KB, 2,048 of them would be 140 MB).
    public static let batchByteLimit = 256 << 10

    /// Reads and verifies the whole file. Throws the first bad entry. A torn tail is not thrown:
    /// it is returned in `tornTail`, so that callers decide (verify reports it, repair removes it).
    /// With `limit`, only the first `limit` entries are read (the state "as of entry `limit`").
    public static func verify(path: String, limit: Int64? = nil, progress: ((_ entries: Int64, _ bytes: Int64) -> Void)? = nil,
                              willApply: ((DecodedEntry, LedgerState) -> Void)? = nil) throws(LedgerError) -> VerifiedLedger {
        let descriptor = try openForReading(path)
        defer { close(descriptor) }
        return try verify(descriptor: descriptor, path: path, limit: limit, progress: progress, willApply: willApply)
    }

    /// Verifies only what was appended after `cached`, a result this program verified earlier
    /// (e.g. loaded with `StateCache.load`). The cache's head must still be the line at its
    /// offset; otherwise this throws and the caller verifies from the start.
    public static func verify(path: String, resumingFrom cached: VerifiedLedger,
                              progress: ((_ entries: Int64, _ bytes: Int64) -> Void)? = nil) throws(LedgerError) -> VerifiedLedger {
        let descriptor = try openForReading(path)
        defer { close(descriptor) }
        return try verify(descriptor: descriptor, path: path, resumingFrom: cached, progress: progress)
    }

    static func verify(descriptor: Int32, path: String, resumingFrom cached: VerifiedLedger,
                       progress: ((_ entries: Int64, _ bytes: Int64) -> Void)?) throws(LedgerError) -> VerifiedLedger {
        try StateCache.checkHead(of: cached, descriptor: descriptor, path: path)
        guard lseek(descriptor, off_t(cached.validByteCount), SEEK_SET) >= 0 else {
            throw LedgerError(.io, "cannot seek to the end of the state cache", file: path)
        }
        return try verify(reader: LineReader(path: path, descriptor: descriptor, offset: cached.validByteCount,
                                             lineNumber: Int(cached.state.headSeq)), state: cached.state, lastLineOffset: cached.lastLineOffset,
                          path: path, limit: nil, progress: progress, willApply: nil)
    }

    /// Opens the ledger file; a missing or unreadable file is an I/O error naming it.
    /// Opens the ledger file, which must be a regular file: a FIFO or a device is refused at once
    /// (never waited on or read forever). A missing or unreadable file is an I/O error naming it.
    package static func openLedger(_ path: String, flags: Int32) throws(LedgerError) -> Int32 {
        switch RegularFile.open(path, flags: flags) {
        case .success(let descriptor):
            return descriptor
        case .failure(.errno(let code)) where code == ENOENT:
            throw LedgerError(.io, "no such ledger file", file: path)
        case .failure(.notRegular):
            throw LedgerError(.io, "not a regular file", file: path)
        case .failure(let failure):
            throw LedgerError(.io, "cannot open: \(failure.reason)", file: path)
        }
    }

    package static func openForReading(_ path: String) throws(LedgerError) -> Int32 {
        try openLedger(path, flags: O_RDONLY)
    }

    static func verify(descriptor: Int32, path: String, limit: Int64? = nil, progress: ((_ entries: Int64, _ bytes: Int64) -> Void)?,
                       willApply: ((DecodedEntry, LedgerState) -> Void)? = nil) throws(LedgerError) -> VerifiedLedger {
        try verify(reader: LineReader(path: path, descriptor: descriptor), state: LedgerState(), lastLineOffset: 0,
                   path: path, limit: limit, progress: progress, willApply: willApply)
    }

    /// `reader` and `state` are consumed: the caller's copies would otherwise make the first read
    /// copy the reader's buffer, and the first apply copy the state's collections.
    static func verify(reader: consuming LineReader, state: consuming LedgerState, lastLineOffset initialLastLine: Int64,
                       path: String, limit: Int64?, progress: ((_ entries: Int64, _ bytes: Int64) -> Void)?,
                       willApply: ((DecodedEntry, LedgerState) -> Void)?) throws(LedgerError) -> VerifiedLedger {
        var validBytes = reader.offset
        var lastLineOffset = initialLastLine
        var batch: [[UInt8]] = []
        var batchBytes = 0
        batch.reserveCapacity(batchSize)
        // Signature checks of earlier batches run in the background while the next batch is decoded
        // and applied; at most `inFlightLimit` batches are in flight, always checked oldest first.
        var inFlight: [Replay.SignatureBatch] = []
        inFlight.reserveCapacity(Replay.SignatureBatch.inFlightLimit)
        do throws(LedgerError) {
            while true {
                let limitReached = limit.map { Int64(reader.lineNumber) >= $0 } ?? false
                let line = limitReached ? nil : try reader.nextLine()
                if let line {
                    batch.append(line)
                    batchBytes += line.count
                }
                if batch.count == batchSize || batchBytes >= batchByteLimit || (line == nil && !batch.isEmpty) {
                    let (jobs, firstError) = Replay.decodeAndApply(batch, firstLine: reader.lineNumber - batch.count + 1,
                                                            state: &state, decodeInParallel: inFlight.isEmpty, willApply: willApply)
                    if let firstError {
                        for batch in inFlight { try batch.waitAndCheck() }
                        try Replay.checkSignatures(jobs)
                        throw firstError
                    }
                    if inFlight.count == Replay.SignatureBatch.inFlightLimit { try inFlight.removeFirst().waitAndCheck() }
                    inFlight.append(Replay.SignatureBatch(jobs))
                    batch.removeAll(keepingCapacity: true)
                    batchBytes = 0
                    validBytes = reader.offset
                    lastLineOffset = reader.lastLineOffset
                    progress?(state.headSeq, reader.offset)
                }
                if line == nil { break }
            }
            for batch in inFlight { try batch.waitAndCheck() }
        } catch {
            var located = error
            located.file = path
            throw located
        }
        var result = VerifiedLedger(state: state, validByteCount: validBytes, lastLineOffset: lastLineOffset, tornTail: nil)
        if case .torn(let offset, let count) = reader.tail { result.tornTail = (offset, count) }
        if let limit, result.state.headSeq < limit, result.tornTail == nil {
            throw LedgerError(.usage, "the ledger has only \(result.state.headSeq) entries, not \(limit)", file: path)
        }
        if result.state.isEmpty && result.tornTail == nil {
            throw LedgerError(.malformed, "the ledger is empty (no genesis entry)", file: path)
        }
        return result
    }

}

/// A ledger file as a replay source for read models: every replay verifies the whole file, and a
/// torn tail is an error (readers need a whole, clean ledger).
public struct FileReplay: LedgerReplaying {
    public let path: String
    public init(path: String) { self.path = path }
    public var name: String { path }

    public func replay(willApply: ((DecodedEntry, LedgerState) -> Void)?) throws(LedgerError) -> LedgerState {
        let verified = try Verifier.verify(path: path, willApply: willApply)
        try verified.requireNoTornTail(path: path)
        return verified.state
    }
}
