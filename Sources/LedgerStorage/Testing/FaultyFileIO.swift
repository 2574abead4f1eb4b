#if canImport(Glibc)
import Glibc
#endif

/// A `FileIO` for tests: before each write and fsync it asks `fault` (with "write" or "fsync");
/// false makes that call fail with EIO as if the disk had. `afterSync` runs after each successful
/// fsync, before the store reports success (a crash test can kill the process there).
public final class FaultyFileIO: FileIO, @unchecked Sendable {
    // Tests drive one store from one thread; the closures are not shared across threads.
    private let fault: (String) -> Bool
    private let afterSync: () -> Void

    public init(fault: @escaping (String) -> Bool = { _ in true }, afterSync: @escaping () -> Void = {}) {
        self.fault = fault
        self.afterSync = afterSync
    }

    public func write(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int {
        guard fault("write") else { errno = EIO; return -1 }
        return Glibc.write(descriptor, buffer.baseAddress, buffer.count)
    }

    public func fsync(_ descriptor: Int32) -> Int32 {
        guard fault("fsync") else { errno = EIO; return -1 }
        return Glibc.fsync(descriptor)
    }

    public func didSync() { afterSync() }
}
