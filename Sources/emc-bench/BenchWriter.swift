import Ledger

/// The session the benchmark writes through. `LedgerWriter` (one lock, one state load, one write
/// and one fsync per `append`) replaces `StoreAppender` here once it is on main.
typealias BenchWriter = StoreAppender

/// Stand-in for `LedgerWriter` with the same calls, built on `LedgerStore.append`: each `append`
/// locks, re-verifies the whole file, applies, writes and fsyncs.
final class StoreAppender {
    let path: String
    private(set) var state: LedgerState

    init(path: String) throws {
        self.path = path
        state = try Verifier.verify(path: path).state
    }

    @discardableResult
    func append(_ entries: [Entry]) throws -> [DecodedEntry] {
        let written = try LedgerStore.append(path: path) { _ in entries }
        // The store has already checked every signature of these entries.
        var ignoredJobs: [SignatureJob] = []
        for decoded in written { try state.apply(decoded, deferringSignaturesInto: &ignoredJobs) }
        return written
    }

    func close() {}
}
