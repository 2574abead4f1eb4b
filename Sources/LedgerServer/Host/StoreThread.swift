import Dispatch
import LedgerFormat

/// Where blocking store work runs when an async caller needs it: a serial dispatch queue of its
/// own (an overcommit thread), never `DispatchQueue.global()`. On Linux the global queues and the
/// Swift concurrency pool share a pool as wide as the cores, so a store that waits there for its
/// own async driver (the PostgreSQL store) could take the last thread that driver needs.
public enum StoreThread {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue(label: "emc-server.store").async { continuation.resume(returning: body()) }
        }
    }

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws(LedgerError) -> T) async throws(LedgerError) -> T {
        let result: Result<T, LedgerError> = await run { Result { () throws(LedgerError) in try body() } }
        return try result.get()
    }
}
