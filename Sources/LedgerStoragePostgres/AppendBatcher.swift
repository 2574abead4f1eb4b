import Dispatch
import LedgerFormat
import NIOCore
import PostgresNIO
import Synchronization

/// Group commit across ledgers: appends that arrive while a batch is in the database wait, and go
/// together as the next one — one statement (`Statements.AppendBatch`), one transaction, one
/// commit — each ledger's compare-and-swap decided on its own row. A caller blocks until its
/// batch committed (or failed), so nothing is acknowledged before the commit, as with one
/// statement per append; what a batch saves is the round trip, the statement and the commit of
/// every append but one.
final class AppendBatcher: Sendable {
    /// One caller's append, and where its answer goes.
    final class Request: Sendable {
        let ledgerID: String
        let expectedSize: Int64
        let lines: [[UInt8]]
        let hashes: [[UInt8]]
        let byteCount: Int
        let answer = Mutex<Result<Bool, LedgerError>?>(nil)
        let done = DispatchSemaphore(value: 0)

        init(ledgerID: String, expectedSize: Int64, lines: [[UInt8]], hashes: [[UInt8]]) {
            self.ledgerID = ledgerID
            self.expectedSize = expectedSize
            self.lines = lines
            self.hashes = hashes
            self.byteCount = lines.reduce(0) { $0 + $1.count }
        }
    }

    private struct Queue {
        var pending: [Request] = []
        var draining = false
    }

    /// At most this many ledgers, lines and line bytes per batch (always at least one request).
    static let maximumRequests = 64
    static let maximumLines = 4096
    static let maximumBytes = 16 << 20

    private let client: PostgresClient
    private let state = Mutex(Queue())
    /// Where batches are sent from: one at a time, so that every batch but the first collects
    /// what arrived while the one before was in the database.
    private let drainer = DispatchQueue(label: "emc-server.postgres.appends")

    init(client: PostgresClient) {
        self.client = client
    }

    /// The compare-and-swap append of `lines` after `expectedSize`: true when stored (committed),
    /// false when the ledger's size was not `expectedSize`. Blocking, like every store call.
    func append(ledgerID: String, expectedSize: Int64, lines: [[UInt8]], hashes: [[UInt8]]) throws(LedgerError) -> Bool {
        let request = Request(ledgerID: ledgerID, expectedSize: expectedSize, lines: lines, hashes: hashes)
        let startDrain = state.withLock { queue -> Bool in
            queue.pending.append(request)
            guard !queue.draining else { return false }
            queue.draining = true
            return true
        }
        if startDrain { drainer.async { self.drain() } }
        request.done.wait()
        return try request.answer.withLock { $0! }.get()
    }

    /// Sends batches until none is waiting.
    private func drain() {
        while true {
            let batch = state.withLock { queue -> [Request] in
                let batch = Self.take(from: &queue.pending)
                if batch.isEmpty { queue.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let result = Result { () throws(LedgerError) -> Set<String> in try send(batch) }
            for request in batch {
                request.answer.withLock { $0 = result.map { $0.contains(request.ledgerID) } }
                request.done.signal()
            }
        }
    }

    /// The next batch: the oldest requests within the bounds, at most one per ledger (two of one
    /// ledger in one statement would both be decided against the row as it was before either; a
    /// server appends to a ledger from its one serial queue, so this only keeps it that way).
    static func take(from pending: inout [Request]) -> [Request] {
        var batch: [Request] = []
        var ledgers = Set<String>()
        var lines = 0, bytes = 0
        var kept: [Request] = []
        for request in pending {
            let fits = batch.isEmpty || (batch.count < maximumRequests && lines + request.lines.count <= maximumLines
                                         && bytes + request.byteCount <= maximumBytes)
            if fits && !ledgers.contains(request.ledgerID) {
                batch.append(request)
                ledgers.insert(request.ledgerID)
                lines += request.lines.count
                bytes += request.byteCount
            } else {
                kept.append(request)
            }
        }
        pending = kept
        return batch
    }

    /// One statement for the batch (ledgers in id order, so that two processes' batches lock
    /// shared rows in the same order); answers the ledger ids whose rows moved.
    func send(_ batch: [Request]) throws(LedgerError) -> Set<String> {
        var statement = Statements.AppendBatch()
        for request in batch.sorted(by: { $0.ledgerID < $1.ledgerID }) {
            let count = Int64(request.lines.count)
            statement.ledgerIDs.append(request.ledgerID)
            statement.expectedSizes.append(request.expectedSize)
            statement.newSizes.append(request.expectedSize + count)
            statement.heads.append(ByteBuffer(bytes: request.hashes.last!))
            for (index, line) in request.lines.enumerated() {
                statement.lineLedgerIDs.append(request.ledgerID)
                statement.seqs.append(request.expectedSize + 1 + Int64(index))
                statement.lines.append(ByteBuffer(bytes: line))
                statement.hashes.append(ByteBuffer(bytes: request.hashes[index]))
            }
        }
        let client = self.client, query = statement
        return try Blocking.run("cannot append to the ledger") {
            var moved = Set<String>()
            for try await id in try await client.execute(query) { moved.insert(id) }
            return moved
        }
    }
}
