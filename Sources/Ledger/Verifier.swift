import Dispatch
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

    /// Reads and verifies the whole file. Throws the first bad entry. A torn tail is not thrown:
    /// it is returned in `tornTail`, so that callers decide (verify reports it, repair removes it).
    /// With `limit`, only the first `limit` entries are read (the state "as of entry `limit`").
    public static func verify(path: String, limit: Int64? = nil, progress: ((_ entries: Int64, _ bytes: Int64) -> Void)? = nil,
                              willApply: ((DecodedEntry, LedgerState) -> Void)? = nil) throws(LedgerError) -> VerifiedLedger {
        let descriptor = try openForReading(path)
        defer { close(descriptor) }
        return try verify(descriptor: descriptor, path: path, limit: limit, progress: progress, willApply: willApply)
    }

    /// Verifies only what was appended after `checkpoint`, a result this program verified earlier
    /// (e.g. loaded with `Checkpoint.load`). The checkpoint's head must still be the line at its
    /// offset; otherwise this throws and the caller verifies from the start.
    public static func verify(path: String, resumingFrom checkpoint: VerifiedLedger,
                              progress: ((_ entries: Int64, _ bytes: Int64) -> Void)? = nil) throws(LedgerError) -> VerifiedLedger {
        let descriptor = try openForReading(path)
        defer { close(descriptor) }
        return try verify(descriptor: descriptor, path: path, resumingFrom: checkpoint, progress: progress)
    }

    static func verify(descriptor: Int32, path: String, resumingFrom checkpoint: VerifiedLedger,
                       progress: ((_ entries: Int64, _ bytes: Int64) -> Void)?) throws(LedgerError) -> VerifiedLedger {
        try Checkpoint.checkHead(of: checkpoint, descriptor: descriptor, path: path)
        guard lseek(descriptor, off_t(checkpoint.validByteCount), SEEK_SET) >= 0 else {
            throw LedgerError(.io, "cannot seek to the checkpoint", file: path)
        }
        let reader = LineReader(path: path, descriptor: descriptor, offset: checkpoint.validByteCount,
                                lineNumber: Int(checkpoint.state.headSeq))
        return try verify(reader: reader, state: checkpoint.state, lastLineOffset: checkpoint.lastLineOffset,
                          path: path, limit: nil, progress: progress, willApply: nil)
    }

    /// Opens the ledger file; a missing or unreadable file is an I/O error naming it.
    static func openLedger(_ path: String, flags: Int32) throws(LedgerError) -> Int32 {
        let descriptor = open(path, flags | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "no such ledger file" : "cannot open: \(String(cString: strerror(errno)))"
            throw LedgerError(.io, reason, file: path)
        }
        return descriptor
    }

    static func openForReading(_ path: String) throws(LedgerError) -> Int32 {
        let descriptor = try openLedger(path, flags: O_RDONLY)
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw LedgerError(.io, "not a regular file", file: path)
        }
        return descriptor
    }

    static func verify(descriptor: Int32, path: String, limit: Int64? = nil, progress: ((_ entries: Int64, _ bytes: Int64) -> Void)?,
                       willApply: ((DecodedEntry, LedgerState) -> Void)? = nil) throws(LedgerError) -> VerifiedLedger {
        try verify(reader: LineReader(path: path, descriptor: descriptor), state: LedgerState(), lastLineOffset: 0,
                   path: path, limit: limit, progress: progress, willApply: willApply)
    }

    static func verify(reader initialReader: LineReader, state initialState: LedgerState, lastLineOffset initialLastLine: Int64,
                       path: String, limit: Int64?, progress: ((_ entries: Int64, _ bytes: Int64) -> Void)?,
                       willApply: ((DecodedEntry, LedgerState) -> Void)?) throws(LedgerError) -> VerifiedLedger {
        var reader = initialReader
        var state = initialState
        var validBytes = reader.offset
        var lastLineOffset = initialLastLine
        var batch: [[UInt8]] = []
        batch.reserveCapacity(batchSize)
        // Signature checks of the previous batch run in the background while the next batch is
        // decoded and applied; at most one batch is in flight, and it is always checked first.
        var inFlight: SignatureBatch? = nil
        do throws(LedgerError) {
            while true {
                let limitReached = limit.map { Int64(reader.lineNumber) >= $0 } ?? false
                let line = limitReached ? nil : try reader.nextLine()
                if let line { batch.append(line) }
                if batch.count == batchSize || (line == nil && !batch.isEmpty) {
                    let (jobs, firstError) = decodeAndApply(batch, firstLine: reader.lineNumber - batch.count + 1,
                                                            state: &state, willApply: willApply)
                    try inFlight?.waitAndCheck()
                    inFlight = nil
                    if let firstError {
                        try checkSignatures(jobs)
                        throw firstError
                    }
                    inFlight = SignatureBatch(jobs)
                    batch.removeAll(keepingCapacity: true)
                    validBytes = reader.offset
                    lastLineOffset = reader.lastLineOffset
                    progress?(state.headSeq, reader.offset)
                }
                if line == nil { break }
            }
            try inFlight?.waitAndCheck()
        } catch {
            var located = error
            located.file = path
            throw located
        }
        var result = VerifiedLedger(state: state, validByteCount: validBytes, lastLineOffset: lastLineOffset, tornTail: nil)
        if case .torn(let offset, let count) = reader.tail { result.tornTail = (offset, count) }
        if let limit, state.headSeq < limit, result.tornTail == nil {
            throw LedgerError(.usage, "the ledger has only \(state.headSeq) entries, not \(limit)", file: path)
        }
        if state.isEmpty && result.tornTail == nil {
            throw LedgerError(.malformed, "the ledger is empty (no genesis entry)", file: path)
        }
        return result
    }

    /// Decodes lines in parallel and applies them in order, collecting their signature checks.
    /// Stops at the first bad entry and returns its error with the checks of the entries before it.
    static func decodeAndApply(_ lines: [[UInt8]], firstLine: Int, state: inout LedgerState,
                               willApply: ((DecodedEntry, LedgerState) -> Void)? = nil) -> (jobs: [SignatureJob], firstError: LedgerError?) {
        let decoded = parallelMap(lines) { line -> Result<DecodedEntry, LedgerError> in
            do throws(LedgerError) { return .success(try DecodedEntry(line: line)) } catch { return .failure(error) }
        }
        var jobs: [SignatureJob] = []
        jobs.reserveCapacity(lines.count)
        for (index, result) in decoded.enumerated() {
            let lineNumber = firstLine + index
            do throws(LedgerError) {
                switch result {
                case .failure(let error): throw error.at(seq: Int64(lineNumber), line: lineNumber)
                case .success(let entry):
                    willApply?(entry, state)
                    try state.apply(entry, deferringSignaturesInto: &jobs)
                }
            } catch {
                return (jobs, error.at(seq: nil, line: lineNumber))
            }
        }
        return (jobs, nil)
    }

    /// One batch, synchronously: decode, apply, check signatures; throws the earliest bad entry.
    static func verifyBatch(_ lines: [[UInt8]], firstLine: Int, state: inout LedgerState) throws(LedgerError) {
        let (jobs, firstError) = decodeAndApply(lines, firstLine: firstLine, state: &state)
        try checkSignatures(jobs)
        if let firstError { throw firstError }
    }

    /// Runs `jobs` on every core and throws for the earliest entry whose signature does not verify.
    static func checkSignatures(_ jobs: [SignatureJob]) throws(LedgerError) {
        try check(jobs, results: parallelMap(jobs) { $0.isValid() })
    }

    static func check(_ jobs: [SignatureJob], results: [Bool]) throws(LedgerError) {
        guard let bad = results.firstIndex(of: false) else { return }
        // Applied entries have seq == line number (seq starts at 1 and grows by one per line).
        let job = jobs[bad]
        throw LedgerError(.rejected, "signature by key \(job.key.keyID) does not verify", seq: job.seq, line: Int(job.seq))
    }

    /// `checkSignatures` running in the background, so the caller can decode and apply meanwhile.
    final class SignatureBatch: @unchecked Sendable {
        let jobs: [SignatureJob]
        private var results: [Bool] = []
        private let group = DispatchGroup()

        init(_ jobs: [SignatureJob]) {
            self.jobs = jobs
            DispatchQueue.global().async(group: group) { [self] in
                // Written once here, read only after `group.wait()`.
                results = Verifier.parallelMap(jobs) { $0.isValid() }
            }
        }

        func waitAndCheck() throws(LedgerError) {
            group.wait()
            try Verifier.check(jobs, results: results)
        }
    }

    /// `transform` over `items` on every core, results in input order.
    /// Work is handed out in small chunks as workers ask for it (GCD's `concurrentPerform` hands out
    /// iterations dynamically), so a worker slowed by other threads on its core does not leave the
    /// other cores idle at the end.
    static func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        let count = items.count
        guard count > 0 else { return [] }
        let workers = min(count, max(1, activeProcessorCount))
        if workers == 1 { return items.map(transform) }
        let results = SharedBuffer<R?>(count: count, repeating: nil)
        let input = SharedBuffer<T>(copying: items)
        let chunk = max(1, min(16, count / (workers * 8)))
        DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { chunkIndex in
            // Each index is written by exactly one iteration.
            for index in (chunkIndex * chunk)..<min(count, (chunkIndex + 1) * chunk) {
                results.buffer[index] = transform(input.buffer[index])
            }
        }
        return results.buffer.map { $0! }
    }

    static let activeProcessorCount: Int = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}


/// A buffer shared by workers that touch disjoint indices only.
final class SharedBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>

    init(count: Int, repeating value: Element) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: value)
    }

    init(copying items: [Element]) {
        buffer = .allocate(capacity: items.count)
        _ = buffer.initialize(from: items)
    }

    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }
}
