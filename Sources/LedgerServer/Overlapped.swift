import Dispatch
import Synchronization

/// CPU work started on a thread of its own and waited for later, to overlap a wait (an fsync, a
/// database commit) or other work while a core is idle. A serial queue of its own (an overcommit
/// thread), not `DispatchQueue.global()`, for the reason `StoreThread` gives.
final class Overlapped<T: Sendable>: @unchecked Sendable {
    // Written once by the work, read only after `finished` is set (release/acquire).
    private var result: T?
    private let finished = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () -> T) {
        DispatchQueue(label: "emc-server.overlapped").async { [self] in
            result = work()
            finished.store(true, ordering: .releasing)
            done.signal()
        }
    }

    /// The work's result, once it is done. Call it once. The caller's core is idle by then (that
    /// is when work is overlapped), so it first watches for the result for up to `spinNanoseconds`
    /// rather than sleep: waking a sleeping thread costs 20–50 µs in a VM, about what the
    /// overlapped work has left when the caller gets here (issue 14).
    func wait(spinNanoseconds: UInt64 = 300_000) -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        var spins = 0
        while !finished.load(ordering: .acquiring) {
            spins += 1
            if spins & 63 == 0, DispatchTime.now().uptimeNanoseconds - start > spinNanoseconds { break }
        }
        done.wait()
        guard let result else { preconditionFailure("the result is set before the signal") }
        return result
    }
}
