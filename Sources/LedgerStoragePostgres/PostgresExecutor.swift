import Dispatch

/// Where the PostgreSQL client's tasks run: a serial dispatch queue of their own (an overcommit
/// thread), not Swift's cooperative pool. That pool is as wide as the cores (2 here), and work that
/// holds its threads (synchronous callers, long synchronous tests) would otherwise starve the
/// client: every `Blocking.wait` would time out although the database answers (seen in CI: "no
/// answer from the database in time" for a store that answers alone in 0.4 s). The client's own
/// I/O stays on its NIO event loops; only the Swift side of each answer runs here.
final class PostgresExecutor: TaskExecutor {
    static let shared = PostgresExecutor()
    private let queue = DispatchQueue(label: "emc-server.postgres")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
