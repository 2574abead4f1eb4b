internal import CLibCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing key files: PKCS#8 PEM private keys (mode 0600) and SPKI PEM public keys.
public enum KeyFiles {
    /// Key files are small; anything larger is refused before parsing.
    public static let maximumFileBytes = 16 * 1024

    public static func loadPrivateKey(path: String) throws(CryptoError) -> PrivateKey {
        let text = try readKeyFile(path: path, isPrivate: true)
        return try parsePrivateKey(pem: text, source: path)
    }

    public static func loadPublicKey(path: String) throws(CryptoError) -> PublicKey {
        let text = try readKeyFile(path: path, isPrivate: false)
        return try parsePublicKey(pem: text, source: path)
    }

    public static func parsePrivateKey(pem: String, source: String) throws(CryptoError) -> PrivateKey {
        if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED") {
            throw CryptoError(.keyEncrypted, "\(source): the private key is encrypted; emc needs an unencrypted PKCS#8 Ed25519 key")
        }
        guard pem.contains("-----BEGIN") else {
            throw CryptoError(.keyMalformed, "\(source): not a PEM private key")
        }
        try requireOnePEMBlock(pem, source: source)
        if let seed = ed25519Seed(ofPlainPEM: pem) { return try PrivateKey(seed: seed) }
        let key: OpaquePointer? = pem.withCString { emc_read_private_pem($0, Int32(strlen($0))) }
        guard let key else {
            emc_clear_errors()
            throw CryptoError(.keyMalformed, "\(source): malformed or truncated PEM private key")
        }
        guard emc_pkey_is_ed25519(key) == 1 else {
            EVP_PKEY_free(key)
            throw CryptoError(.keyNotEd25519, "\(source): not an Ed25519 key (emc uses Ed25519 only)")
        }
        return try PrivateKey(owning: key)
    }

    /// The DER of an unencrypted PKCS#8 v1 Ed25519 private key (RFC 8410), up to its 32-byte seed.
    static let pkcs8Ed25519Prefix: [UInt8] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]

    /// The seed of a key file in exactly the form `write` (and OpenSSL) produce: one PEM block of
    /// 64 base64 characters holding the 48-byte DER above. Anything else is nil and goes to
    /// libcrypto's general PEM decoder, which costs ~10 M instructions to set up (a one-shot
    /// command's largest fixed cost after process start).
    static func ed25519Seed(ofPlainPEM pem: String) -> [UInt8]? {
        let header = "-----BEGIN PRIVATE KEY-----\n", footer = "\n-----END PRIVATE KEY-----\n"
        let utf8 = Array(pem.utf8)
        guard utf8.count == header.utf8.count + 64 + footer.utf8.count, pem.hasPrefix(header), pem.hasSuffix(footer) else { return nil }
        let body = utf8[header.utf8.count..<(header.utf8.count + 64)]
        var der: [UInt8] = []
        der.reserveCapacity(48)
        var accumulator: UInt32 = 0
        for (index, character) in body.enumerated() {
            let sextet: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): sextet = character - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): sextet = character - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sextet = character - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): sextet = 62
            case UInt8(ascii: "/"): sextet = 63
            default: return nil
            }
            accumulator = accumulator << 6 | UInt32(sextet)
            if index % 4 == 3 {
                der += [UInt8(truncatingIfNeeded: accumulator >> 16), UInt8(truncatingIfNeeded: accumulator >> 8), UInt8(truncatingIfNeeded: accumulator)]
                accumulator = 0
            }
        }
        guard der.count == 48, der.starts(with: pkcs8Ed25519Prefix) else { return nil }
        return Array(der[16...])
    }

    public static func parsePublicKey(pem: String, source: String) throws(CryptoError) -> PublicKey {
        if pem.contains("PRIVATE KEY-----") {
            throw CryptoError(.keyMalformed, "\(source): this is a private key; give the public key (.pub) file")
        }
        guard pem.contains("-----BEGIN PUBLIC KEY-----") else {
            throw CryptoError(.keyMalformed, "\(source): not a PEM public key")
        }
        try requireOnePEMBlock(pem, source: source)
        let key: OpaquePointer? = pem.withCString { emc_read_public_pem($0, Int32(strlen($0))) }
        guard let key else {
            emc_clear_errors()
            throw CryptoError(.keyMalformed, "\(source): malformed or truncated PEM public key")
        }
        guard emc_pkey_is_ed25519(key) == 1 else {
            EVP_PKEY_free(key)
            throw CryptoError(.keyNotEd25519, "\(source): not an Ed25519 key (emc uses Ed25519 only)")
        }
        return try PublicKey(owning: key)
    }

    /// Throws unless `pem` is exactly one PEM block with nothing but whitespace before or after it
    /// (a second block or trailing text would be silently ignored by libcrypto).
    static func requireOnePEMBlock(_ pem: String, source: String) throws(CryptoError) {
        let text = pem.trimmingWhitespace
        let ends = text.ranges(of: "-----END ")
        // One BEGIN at the very start, one END whose line is the very last.
        guard text.ranges(of: "-----BEGIN ").count == 1, ends.count == 1, text.hasPrefix("-----BEGIN "), text.hasSuffix("-----"),
              !text[ends[0].upperBound...].utf8.contains(0x0a) else {
            throw CryptoError(.keyMalformed, "\(source): a key file must hold exactly one PEM block and nothing else")
        }
    }

    /// Writes `NAME.key` (0600, created exclusively) and `NAME.pub` into `directory`.
    public static func write(_ key: PrivateKey, name: String, directory: String) throws(CryptoError) -> (privatePath: String, publicPath: String) {
        let privatePath = directory + "/" + name + ".key"
        let publicPath = directory + "/" + name + ".pub"
        try writeFile(path: privatePath, contents: key.pemRepresentation(), mode: 0o600)
        try writeFile(path: publicPath, contents: key.publicKey.pemRepresentation(), mode: 0o644)
        return (privatePath, publicPath)
    }

    private static func readKeyFile(path: String, isPrivate: Bool) throws(CryptoError) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw CryptoError(.keyFileMissing, "\(path): no such key file")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw CryptoError(.keyFileUnreadable, "\(path): not a regular file")
        }
        if isPrivate && (status.st_mode & 0o077) != 0 {
            let mode = String(status.st_mode & 0o777, radix: 8)
            throw CryptoError(.keyFilePermissions, "\(path): private key is accessible by others (mode \(mode)); run chmod 600 \(path)")
        }
        guard status.st_size <= maximumFileBytes else {
            throw CryptoError(.keyMalformed, "\(path): \(status.st_size) bytes is too large for a key file")
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw CryptoError(.keyFileUnreadable, "\(path): cannot read key file")
        }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: maximumFileBytes + 1)
        var total = 0
        while total < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + total, $0.count - total) }
            if count < 0 { throw CryptoError(.keyFileUnreadable, "\(path): cannot read key file") }
            if count == 0 { break }
            total += count
        }
        guard total <= maximumFileBytes else {
            throw CryptoError(.keyMalformed, "\(path): too large for a key file")
        }
        guard let text = String(validating: bytes[0..<total], as: UTF8.self), !text.contains("\0") else {
            throw CryptoError(.keyMalformed, "\(path): not a PEM file (binary content)")
        }
        return text
    }

    private static func writeFile(path: String, contents: String, mode: mode_t) throws(CryptoError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else {
            if errno == EEXIST {
                throw CryptoError(.keyFileExists, "\(path): already exists; refusing to overwrite a key")
            }
            throw CryptoError(.keyWriteFailed, "\(path): cannot create key file")
        }
        defer { close(descriptor) }
        // The umask may have cleared bits we want, never added any; set the mode exactly.
        _ = fchmod(descriptor, mode)
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw CryptoError(.keyWriteFailed, "\(path): cannot write key file")
        }
    }
}

extension String {
    /// Without leading and trailing ASCII whitespace (space, tab, CR, LF).
    fileprivate var trimmingWhitespace: String {
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0d, 0x0a]
        var bytes = Substring(self).utf8[...]
        while let first = bytes.first, whitespace.contains(first) { bytes = bytes.dropFirst() }
        while let last = bytes.last, whitespace.contains(last) { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
