internal import CLibCrypto

/// HMAC-SHA256 (RFC 2104) from the system libcrypto.
public enum HMACSHA256 {
    public static let byteCount = 32

    public static func authenticationCode(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        CryptoLibrary.prepare()
        var out = [UInt8](repeating: 0, count: byteCount)
        let ok = key.withUnsafeBufferPointer { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                out.withUnsafeMutableBufferPointer { outBuffer in
                    emc_hmac_sha256(keyBuffer.baseAddress, keyBuffer.count, messageBuffer.baseAddress, messageBuffer.count,
                                    outBuffer.baseAddress)
                }
            }
        }
        // HMAC fails only when the library itself is broken.
        precondition(ok == 1, "libcrypto HMAC-SHA256 failed")
        return out
    }

    /// True when `code` is the authentication code of `message` under `key`, compared in constant time.
    public static func isValid(_ code: [UInt8], for message: [UInt8], key: [UInt8]) -> Bool {
        let expected = authenticationCode(for: message, key: key)
        guard code.count == expected.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<expected.count { difference |= expected[index] ^ code[index] }
        return difference == 0
    }
}
