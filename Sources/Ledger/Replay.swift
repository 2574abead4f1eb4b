import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A verified ledger that can be replayed through `apply` from its genesis: the source read models
/// (status, explain, audit) are fed by, whatever store holds the entries. `willApply` sees each
/// entry with the state just before it; the result is the state after the last entry.
public protocol LedgerReplaying {
    /// What errors name: the file, or the ledger id.
    var name: String { get }
    /// Replays every entry; a source that is not a whole, valid ledger throws.
    func replay(willApply: ((DecodedEntry, LedgerState) -> Void)?) throws(LedgerError) -> LedgerState
}

/// Replays entries through `LedgerState.apply` in batches, checking signatures on every core.
/// The one path every reader and writer takes from lines to a state; it touches no file.
public enum Replay {
    /// Decodes lines in parallel and applies them in order, collecting their signature checks.
    /// Stops at the first bad entry and returns its error with the checks of the entries before it.
    /// `decodeInParallel: false` decodes on the calling thread: for a caller whose other cores are
    /// busy checking the previous batch's signatures (`Verifier`), where a parallel decode would
    /// take those workers away from the signatures and leave them idle afterwards.
    package static func decodeAndApply(_ lines: [[UInt8]], firstLine: Int, state: inout LedgerState, decodeInParallel: Bool = true,
                               willApply: ((DecodedEntry, LedgerState) -> Void)? = nil) -> (jobs: [SignatureJob], firstError: LedgerError?) {
        let decode = { @Sendable (line: [UInt8]) -> Result<DecodedEntry, LedgerError> in
            do throws(LedgerError) { return .success(try DecodedEntry(line: line)) } catch { return .failure(error) }
        }
        let decoded = decodeInParallel ? parallelMap(lines, decode) : lines.map(decode)
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
    package static func verifyBatch(_ lines: [[UInt8]], firstLine: Int, state: inout LedgerState) throws(LedgerError) {
        let (jobs, firstError) = decodeAndApply(lines, firstLine: firstLine, state: &state)
        try checkSignatures(jobs)
        if let firstError { throw firstError }
    }

    /// Runs `jobs` on every core and throws for the earliest entry whose signature does not verify.
    package static func checkSignatures(_ jobs: [SignatureJob]) throws(LedgerError) {
        try check(jobs, results: parallelMap(jobs) { $0.isValid() })
    }

    package static func check(_ jobs: [SignatureJob], results: [Bool]) throws(LedgerError) {
        guard let bad = results.firstIndex(of: false) else { return }
        // Applied entries have seq == line number (seq starts at 1 and grows by one per line).
        let job = jobs[bad]
        throw LedgerError(.rejected, "signature by key \(job.key.keyID) does not verify", seq: job.seq, line: Int(job.seq))
    }

    /// `checkSignatures` running in the background, so the caller can decode and apply meanwhile.
    package final class SignatureBatch: @unchecked Sendable {
        /// How many batches a caller keeps in flight (`Verifier`, a writer's received batches): two,
        /// not one, so the workers go from one batch straight to the next instead of sleeping until
        /// the caller hands them another; a woken worker is often placed on the core of the thread
        /// that woke it, beside the other worker, while a core idles (measured: 1.5 instead of 1.95
        /// cores busy on 2).
        package static let inFlightLimit = 2

        let jobs: [SignatureJob]
        private var results: [Bool] = []
        private let group = DispatchGroup()

        package init(_ jobs: [SignatureJob]) {
            self.jobs = jobs
            DispatchQueue.global().async(group: group) { [self] in
                // Written once here, read only after `group.wait()`.
                results = Replay.parallelMap(jobs) { $0.isValid() }
            }
        }

        /// Waits for the checks to finish, without looking at their results.
        package func wait() { group.wait() }

        package func waitAndCheck() throws(LedgerError) {
            group.wait()
            try Replay.check(jobs, results: results)
        }
    }

    /// `transform` over `items` on every core, results in input order.
    /// Work is handed out in small chunks as workers ask for it (GCD's `concurrentPerform` hands out
    /// iterations dynamically), so a worker slowed by other threads on its core does not leave the
    /// other cores idle at the end.
    package static func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        let count = items.count
        guard count > 0 else { return [] }
        let workers = min(count, max(1, activeProcessorCount))
        if workers == 1 { return items.map(transform) }
        let chunk = max(1, min(16, count / (workers * 8)))
        // Results are written straight into the array's storage (no optionals, no second copy);
        // every index is initialized by exactly one iteration before the array exists.
        return items.withUnsafeBufferPointer { input in
            let source = UnsafeSendable(input)
            return [R](unsafeUninitializedCapacity: count) { output, initialized in
                let target = UnsafeSendable(output)
                DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { chunkIndex in
                    for index in (chunkIndex * chunk)..<min(count, (chunkIndex + 1) * chunk) {
                        (target.value.baseAddress! + index).initialize(to: transform(source.value[index]))
                    }
                }
                initialized = count
            }
        }
    }

    package static let activeProcessorCount: Int = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}


/// A buffer pointer handed to workers that touch disjoint indices only.
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
