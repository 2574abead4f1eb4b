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

    /// Supplies the passphrase of an encrypted key file at `path`; called only for an encrypted file.
    public typealias PassphraseSource = (_ path: String) throws(CryptoError) -> [UInt8]

    /// Loads a PKCS#8 PEM private key, encrypted (then `passphrase` is asked) or not. A public key,
    /// an OpenSSH key or a file others can read is refused with what to do instead.
    public static func loadPrivateKey(path: String, passphrase: PassphraseSource? = nil) throws(CryptoError) -> PrivateKey {
        let file = try readKeyFile(path: path)
        try refuseNonPrivateKey(file.text, source: path)
        if (file.mode & 0o077) != 0 {
            let mode = String(file.mode & 0o777, radix: 8)
            throw CryptoError(.keyFilePermissions, "\(path): private key is accessible by others (mode \(mode)); run chmod 600 \(path)")
        }
        guard isEncrypted(file.text), let passphrase else {
            return try parsePrivateKey(pem: file.text, source: path)
        }
        var secret = try passphrase(path)
        defer { for index in secret.indices { secret[index] = 0 } }
        return try parseEncryptedPrivateKey(pem: file.text, source: path, passphrase: secret)
    }

    /// Loads an SPKI PEM public key, or an OpenSSH `ssh-ed25519 AAAA…` public key line.
    public static func loadPublicKey(path: String) throws(CryptoError) -> PublicKey {
        let text = try readKeyFile(path: path).text
        if OpenSSHKeys.isPublicKeyLine(text) { return try OpenSSHKeys.parsePublicKey(text, source: path) }
        return try parsePublicKey(pem: text, source: path)
    }

    static func isEncrypted(_ pem: String) -> Bool {
        pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED")
    }

    /// Names what a file given as a private key is when it is something else, and what to pass instead.
    static func refuseNonPrivateKey(_ text: String, source: String) throws(CryptoError) {
        if text.contains("-----BEGIN PUBLIC KEY-----") || OpenSSHKeys.isPublicKeyLine(text) {
            throw CryptoError(.keyMalformed, "\(source): this is a public key; pass the private .key file (or ssh-agent:\(source) to sign with the key in your ssh-agent)")
        }
        if text.contains("-----BEGIN OPENSSH PRIVATE KEY-----") {
            throw CryptoError(.keyMalformed, "\(source): this is an OpenSSH private key, which emc does not read (and ssh-keygen cannot convert an Ed25519 key to PKCS#8): add it to your agent with `ssh-add \(source)` and pass --key ssh-agent:\(source).pub, or make a PKCS#8 key with `emc keygen`")
        }
    }

    public static func parsePrivateKey(pem: String, source: String) throws(CryptoError) -> PrivateKey {
        if isEncrypted(pem) {
            throw CryptoError(.keyEncrypted, "\(source): the private key is encrypted and no passphrase was given")
        }
        guard pem.contains("-----BEGIN") else {
            throw CryptoError(.keyMalformed, "\(source): not a PEM private key")
        }
        try requireOnePEMBlock(pem, source: source)
        if let seed = ed25519Seed(ofPlainPEM: pem) { return try PrivateKey(seed: seed) }
        CryptoLibrary.prepare()
        let key: OpaquePointer? = pem.withCString { emc_read_private_pem($0, Int32(strlen($0))) }
        return try ed25519PrivateKey(key, source: source)
    }

    /// An encrypted PKCS#8 PEM private key (`-----BEGIN ENCRYPTED PRIVATE KEY-----`) decrypted with `passphrase`.
    public static func parseEncryptedPrivateKey(pem: String, source: String, passphrase: [UInt8]) throws(CryptoError) -> PrivateKey {
        guard pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") else {
            throw CryptoError(.keyEncrypted, "\(source): only encrypted PKCS#8 keys (-----BEGIN ENCRYPTED PRIVATE KEY-----) are supported; re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`")
        }
        try requireOnePEMBlock(pem, source: source)
        CryptoLibrary.prepare()
        let key: OpaquePointer? = pem.withCString { text in
            passphrase.withUnsafeBufferPointer { secret in
                secret.withMemoryRebound(to: CChar.self) {
                    emc_read_encrypted_private_pem(text, Int32(strlen(text)), $0.baseAddress, Int32($0.count))
                }
            }
        }
        guard key != nil else {
            emc_clear_errors()
            throw CryptoError(.keyWrongPassphrase, "\(source): wrong passphrase (or a damaged key file)")
        }
        return try ed25519PrivateKey(key, source: source)
    }

    private static func ed25519PrivateKey(_ key: OpaquePointer?, source: String) throws(CryptoError) -> PrivateKey {
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
        CryptoLibrary.prepare()
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
    /// With `passphrase`, `NAME.key` is encrypted PKCS#8 (PBKDF2-HMAC-SHA256, AES-256-CBC).
    public static func write(_ key: PrivateKey, name: String, directory: String, passphrase: [UInt8]? = nil) throws(CryptoError) -> (privatePath: String, publicPath: String) {
        let privatePath = directory + "/" + name + ".key"
        let publicPath = directory + "/" + name + ".pub"
        let privateText: String
        if let passphrase {
            privateText = try key.encryptedPEMRepresentation(passphrase: passphrase)
        } else {
            privateText = try key.pemRepresentation()
        }
        try writeFile(path: privatePath, contents: privateText, mode: 0o600)
        try writeFile(path: publicPath, contents: key.publicKey.pemRepresentation(), mode: 0o644)
        return (privatePath, publicPath)
    }

    private static func readKeyFile(path: String) throws(CryptoError) -> (text: String, mode: mode_t) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw CryptoError(.keyFileMissing, "\(path): no such key file")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw CryptoError(.keyFileUnreadable, "\(path): not a regular file")
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
        return (text, status.st_mode)
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
