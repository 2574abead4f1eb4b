import Dispatch
import LedgerFormat
import PostgresNIO
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The bridge from the store's synchronous interface to postgres-nio's async one. The server calls
/// stores only from serial dispatch queues (a ledger's queue, or `StoreThread`), never from the
/// concurrency pool, a global queue (on Linux they share the same few threads) or an event loop,
/// so waiting here blocks no task and no event loop: the work runs as a `Task` on
/// `PostgresExecutor` (never the concurrency pool, which others may hold) and the connection's
/// event loop.
enum Blocking {
    final class Slot<T: Sendable>: Sendable {
        let result = Mutex<Result<T, any Error>?>(nil)
    }

    /// `operation`'s result, waiting at most `timeoutSeconds`; a timeout cancels the task and is an
    /// error of unknown outcome (the callers' operations are idempotent or compare-and-swap).
    static func wait<T: Sendable>(timeoutSeconds: Int, _ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let semaphore = DispatchSemaphore(value: 0)
        let slot = Slot<T>()
        let task = Task(executorPreference: PostgresExecutor.shared) {
            let result: Result<T, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            slot.result.withLock { $0 = result }
            semaphore.signal()
        }
        guard semaphore.wait(timeout: .now() + .seconds(timeoutSeconds)) == .success else {
            task.cancel()
            throw TimedOut()
        }
        return try slot.result.withLock { $0! }.get()
    }

    struct TimedOut: Error, CustomStringConvertible {
        var description: String { "no answer from the database in time" }
    }

    /// Runs `operation` with bounded retries (serialization failures, deadlocks, lost or refused
    /// connections, timeouts: 4 tries, 50 ms … 400 ms apart); other database errors fail at once.
    /// Every operation of the store is safe to repeat: reads, compare-and-swap writes, upserts.
    static func run<T: Sendable>(_ what: String, attempts: Int = 4, timeoutSeconds: Int = 10,
                                 _ operation: @escaping @Sendable () async throws -> T) throws(LedgerError) -> T {
        var delayMs = 50
        var lastError: any Error = TimedOut()
        for attempt in 1...attempts {
            do {
                return try wait(timeoutSeconds: timeoutSeconds, operation)
            } catch {
                lastError = error
                guard isTransient(error), attempt < attempts else { break }
                usleep(UInt32(delayMs * 1000))
                delayMs *= 2
            }
        }
        throw LedgerError(.io, "\(what): \(describe(lastError))")
    }

    /// Worth another try: no answer, a lost or refused connection, or a server error of the classes
    /// "transaction rollback" (40: serialization failure, deadlock), "insufficient resources" (53),
    /// "operator intervention" (57: shutting down, cannot connect now) or "connection exception" (08).
    static func isTransient(_ error: any Error) -> Bool {
        if error is Schema.NewerSchema { return false }
        guard let error = error as? PSQLError else { return true }
        guard let state = error.serverInfo?[.sqlState] else { return error.code != .server }
        return ["40", "53", "57", "08"].contains(String(state.prefix(2)))
    }

    /// One line for the operator: the server's message and SQLSTATE, or the driver's error code.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
        }
        return "\(error.code)"
    }
}
