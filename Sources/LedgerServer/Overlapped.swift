import Dispatch

/// CPU work started on a thread of its own and waited for later, to overlap a wait (an fsync, a
/// database commit) or other work while a core is idle. A serial queue of its own (an overcommit
/// thread), not `DispatchQueue.global()`, for the reason `StoreThread` gives.
final class Overlapped<T: Sendable>: @unchecked Sendable {
    // Written once by the work, read only after `done` is signalled.
    private var result: T?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () -> T) {
        DispatchQueue(label: "emc-server.overlapped").async { [self] in
            result = work()
            done.signal()
        }
    }

    /// The work's result, once it is done. Call it once.
    func wait() -> T {
        done.wait()
        guard let result else { preconditionFailure("the result is set before the signal") }
        return result
    }
}
