internal import CLibCrypto

/// SHA-256 from the system libcrypto.
public enum SHA256 {
    public static let byteCount = 32

    /// Fetched once (a global's initialiser runs once, thread-safely); never freed.
    nonisolated(unsafe) fileprivate static let algorithm: OpaquePointer = {
        CryptoLibrary.prepare()
        guard let md = emc_fetch_sha256() else { preconditionFailure("libcrypto has no SHA-256") }
        return md
    }()

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { hash($0) }
    }

    public static func hash(_ buffer: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        digest(prefix: UnsafeBufferPointer(start: nil, count: 0), buffer)
    }

    /// SHA-256 of `prefix ‖ bytes` — the domain-separated hash the ledger format uses.
    public static func hash(prefix: [UInt8], _ bytes: [UInt8]) -> [UInt8] {
        prefix.withUnsafeBufferPointer { prefixBuffer in
            bytes.withUnsafeBufferPointer { digest(prefix: prefixBuffer, $0) }
        }
    }

    private static func digest(prefix: UnsafeBufferPointer<UInt8>, _ buffer: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        let ok = out.withUnsafeMutableBufferPointer { digest in
            emc_sha256(algorithm, prefix.baseAddress, prefix.count, buffer.baseAddress, buffer.count, digest.baseAddress)
        }
        // SHA-256 fails only when the library itself is broken.
        precondition(ok == 1, "libcrypto SHA-256 failed")
        return out
    }
}

/// libcrypto's one-time set-up (`emc_init_library`), run before the first call into it from
/// anywhere in this module: every function that can be first calls `prepare()`, which after the
/// first time costs one atomic load.
enum CryptoLibrary {
    private static let ready: Bool = emc_init_library() == 1

    static func prepare() {
        // libcrypto refuses its set-up only when it cannot allocate; then every later call fails too.
        precondition(ready, "libcrypto could not be initialised")
    }
}

/// Cryptographically secure random bytes from libcrypto.
public func secureRandomBytes(_ count: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    CryptoLibrary.prepare()
    let ok = out.withUnsafeMutableBufferPointer { emc_random_bytes($0.baseAddress, Int32($0.count)) }
    precondition(ok == 1, "libcrypto RAND_bytes failed")
    return out
}

extension SHA256 {
    /// SHA-256 through one reused libcrypto context, for many small digests in a row
    /// (Merkle tree nodes). One per thread: it is a class with mutable C state, not `Sendable`.
    public final class Context {
        private let context: OpaquePointer

        public init() {
            CryptoLibrary.prepare()
            guard let context = emc_digest_context_new() else { preconditionFailure("libcrypto is out of memory") }
            self.context = context
        }

        deinit { emc_digest_context_free(context) }

        /// Writes SHA-256(`prefix` ‖ `first` ‖ `second`) to the 32 bytes at `out`.
        public func hash(prefix: UInt8, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer,
                         into out: UnsafeMutableRawPointer) {
            var prefixByte = prefix
            let ok = withUnsafePointer(to: &prefixByte) { prefixPointer in
                emc_sha256_reusing(context, SHA256.algorithm, prefixPointer, 1,
                                   first.baseAddress?.assumingMemoryBound(to: UInt8.self), first.count,
                                   second.baseAddress?.assumingMemoryBound(to: UInt8.self), second.count,
                                   out.assumingMemoryBound(to: UInt8.self))
            }
            precondition(ok == 1, "libcrypto SHA-256 failed")
        }
    }
}
