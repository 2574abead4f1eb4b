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

/// Two steps of CPU work on a thread of its own, each waited for separately: the caller goes on
/// after the first while the second runs (`LedgerService.appendOverlapped`: check a request's
/// signature, then sign the checkpoint its entry would make while the entry is written).
final class OverlappedSteps<First: Sendable, Second: Sendable>: @unchecked Sendable {
    // Each written once by the work, read only after its semaphore is signalled.
    private var first: First?
    private var second: Second?
    private let firstDone = DispatchSemaphore(value: 0)
    private let secondDone = DispatchSemaphore(value: 0)

    init(_ firstStep: @escaping @Sendable () -> First, then secondStep: @escaping @Sendable (First) -> Second) {
        DispatchQueue(label: "emc-server.overlapped").async { [self] in
            let value = firstStep()
            first = value
            firstDone.signal()
            second = secondStep(value)
            secondDone.signal()
        }
    }

    /// The first step's result, once it is done. Call it once.
    func waitFirst() -> First {
        firstDone.wait()
        guard let first else { preconditionFailure("the result is set before the signal") }
        return first
    }

    /// The second step's result, once it is done. Call it once, after `waitFirst`.
    func waitSecond() -> Second {
        secondDone.wait()
        guard let second else { preconditionFailure("the result is set before the signal") }
        return second
    }
}
