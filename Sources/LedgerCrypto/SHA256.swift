internal import CLibCrypto

/// SHA-256 from the system libcrypto.
public enum SHA256 {
    public static let byteCount = 32

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { hash($0) }
    }

    public static func hash(_ buffer: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        let ok = out.withUnsafeMutableBufferPointer { digest in
            emc_sha256(buffer.baseAddress, buffer.count, digest.baseAddress)
        }
        // EVP_Digest over SHA-256 fails only when the library itself is broken.
        precondition(ok == 1, "libcrypto SHA-256 failed")
        return out
    }

    /// SHA-256 of `prefix ‖ bytes` — the domain-separated hash the ledger format uses.
    public static func hash(prefix: [UInt8], _ bytes: [UInt8]) -> [UInt8] {
        hash(prefix + bytes)
    }
}

/// Cryptographically secure random bytes from libcrypto.
public func secureRandomBytes(_ count: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    let ok = out.withUnsafeMutableBufferPointer { emc_random_bytes($0.baseAddress, Int32($0.count)) }
    precondition(ok == 1, "libcrypto RAND_bytes failed")
    return out
}
