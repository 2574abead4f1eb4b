#if canImport(Glibc)
import Glibc
#endif

/// The two calls through which the file store makes data durable, so that tests can inject
/// failures and crashes there (see `FaultyFileIO`) without any global switch.
public protocol FileIO: Sendable {
    /// As write(2).
    func write(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int
    /// As fsync(2); after a successful fsync the file store calls `didSync` before it reports success.
    func fsync(_ descriptor: Int32) -> Int32
    func didSync()
}

/// The real system calls.
public struct SystemFileIO: FileIO {
    public init() {}
    public func write(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int { Glibc.write(descriptor, buffer.baseAddress, buffer.count) }
    public func fsync(_ descriptor: Int32) -> Int32 { Glibc.fsync(descriptor) }
    public func didSync() {}
}
