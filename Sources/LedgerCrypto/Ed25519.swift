internal import CLibCrypto
import Synchronization

/// An Ed25519 public key: 32 raw bytes, with the libcrypto object made on its first verification
/// and kept (a state holds every member's key; a one-shot command verifies with none of them).
/// Every initializer refuses small-order and non-canonical encodings (`Ed25519PointValidation`),
/// so no `PublicKey` value can verify a signature nobody made.
public final class PublicKey: @unchecked Sendable, Hashable, CustomStringConvertible {
    // The EVP_PKEY's address, 0 until it is made. EVP_PKEY is immutable after creation;
    // concurrent verifications use their own EVP_MD_CTX.
    private let handle: Atomic<UInt>
    public let rawRepresentation: [UInt8]
    /// The key id: lowercase hex of the first 8 bytes of SHA-256("emc-key-id-v1" 0x00 ‖ raw key).
    public let keyID: String

    public static let keyIDPrefix: [UInt8] = Array("emc-key-id-v1".utf8) + [0]

    public init(rawRepresentation raw: [UInt8]) throws(CryptoError) {
        guard raw.count == 32 else {
            throw CryptoError(.keyMalformed, "an Ed25519 public key is 32 bytes, got \(raw.count)")
        }
        if let problem = Ed25519PointValidation.problem(with: raw) {
            throw Ed25519PointValidation.error(problem, raw: raw)
        }
        self.handle = Atomic(0)
        self.rawRepresentation = raw
        self.keyID = Hex.encode(SHA256.hash(prefix: Self.keyIDPrefix, raw).prefix(8))
    }

    /// Takes ownership of a libcrypto key already known to be Ed25519.
    init(owning key: OpaquePointer) throws(CryptoError) {
        guard let raw = rawPublicKey(of: key) else {
            EVP_PKEY_free(key)
            throw CryptoError(.keyMalformed, "cannot read the Ed25519 public key")
        }
        if let problem = Ed25519PointValidation.problem(with: raw) {
            EVP_PKEY_free(key)
            throw Ed25519PointValidation.error(problem, raw: raw)
        }
        self.handle = Atomic(UInt(bitPattern: key))
        self.rawRepresentation = raw
        self.keyID = Hex.encode(SHA256.hash(prefix: Self.keyIDPrefix, raw).prefix(8))
    }

    deinit {
        if let key = OpaquePointer(bitPattern: handle.load(ordering: .acquiring)) { EVP_PKEY_free(key) }
    }

    /// The libcrypto key, made on first use; nil only if libcrypto cannot allocate one. Two threads
    /// may both make one: the first stored wins, the other is freed.
    private var pkey: OpaquePointer? {
        if let key = OpaquePointer(bitPattern: handle.load(ordering: .acquiring)) { return key }
        CryptoLibrary.prepare()
        guard let made = rawRepresentation.withUnsafeBufferPointer({ emc_ed25519_public_from_raw($0.baseAddress) }) else {
            emc_clear_errors()
            return nil
        }
        let (stored, current) = handle.compareExchange(expected: 0, desired: UInt(bitPattern: made), ordering: .acquiringAndReleasing)
        if stored { return made }
        EVP_PKEY_free(made)
        return OpaquePointer(bitPattern: current)
    }

    /// True when `signature` is a valid Ed25519 signature of `message` by this key.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == 64, let pkey else { return false }
        let ok = message.withUnsafeBufferPointer { messageBuffer in
            signature.withUnsafeBufferPointer { signatureBuffer in
                emc_ed25519_verify(pkey, messageBuffer.baseAddress, messageBuffer.count,
                                   signatureBuffer.baseAddress)
            }
        }
        if ok != 1 { emc_clear_errors() }
        return ok == 1
    }

    /// SPKI PEM, byte-identical to `openssl pkey -pubout`.
    public func pemRepresentation() throws(CryptoError) -> String {
        guard let pkey else { throw CryptoError(.primitiveFailed, "libcrypto could not make the Ed25519 key") }
        return try writePEM(pkey, isPrivate: false)
    }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.rawRepresentation == rhs.rawRepresentation
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawRepresentation) }

    public var description: String { "ed25519:\(keyID)" }
}

/// An Ed25519 private key. Never printed.
public final class PrivateKey: @unchecked Sendable {
    private let pkey: OpaquePointer
    public let publicKey: PublicKey

    /// A new key from 32 bytes of libcrypto randomness.
    public convenience init() throws(CryptoError) {
        try self.init(seed: secureRandomBytes(32))
    }

    /// The key whose RFC 8032 seed is `seed` (32 bytes). Deterministic: used for fixtures and the demo.
    public convenience init(seed: [UInt8]) throws(CryptoError) {
        guard seed.count == 32 else {
            throw CryptoError(.keyMalformed, "an Ed25519 seed is 32 bytes, got \(seed.count)")
        }
        CryptoLibrary.prepare()
        guard let key = seed.withUnsafeBufferPointer({ emc_ed25519_private_from_seed($0.baseAddress) }) else {
            emc_clear_errors()
            throw CryptoError(.primitiveFailed, "libcrypto could not create an Ed25519 key")
        }
        try self.init(owning: key)
    }

    /// Takes ownership of a libcrypto key already known to be Ed25519.
    init(owning key: OpaquePointer) throws(CryptoError) {
        guard let raw = rawPublicKey(of: key) else {
            EVP_PKEY_free(key)
            throw CryptoError(.keyMalformed, "cannot read the Ed25519 public key")
        }
        self.pkey = key
        self.publicKey = try PublicKey(rawRepresentation: raw)
    }

    deinit { EVP_PKEY_free(pkey) }

    public func signature(for message: [UInt8]) throws(CryptoError) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: 64)
        let ok = message.withUnsafeBufferPointer { messageBuffer in
            signature.withUnsafeMutableBufferPointer { signatureBuffer in
                emc_ed25519_sign(pkey, messageBuffer.baseAddress, messageBuffer.count,
                                 signatureBuffer.baseAddress)
            }
        }
        guard ok == 1 else {
            emc_clear_errors()
            throw CryptoError(.primitiveFailed, "libcrypto Ed25519 signing failed")
        }
        return signature
    }

    /// PKCS#8 PEM, the form `openssl genpkey -algorithm ed25519` writes.
    public func pemRepresentation() throws(CryptoError) -> String {
        try writePEM(pkey, isPrivate: true)
    }

    /// Encrypted PKCS#8 PEM (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC), the form
    /// `openssl genpkey -algorithm ed25519 -aes-256-cbc` writes. `passphrase` must not be empty.
    public func encryptedPEMRepresentation(passphrase: [UInt8]) throws(CryptoError) -> String {
        guard !passphrase.isEmpty, passphrase.count <= 1024 else {
            throw CryptoError(.keyWriteFailed, "a passphrase must be 1 to 1024 bytes")
        }
        var buffer = [CChar](repeating: 0, count: 2048)
        let length = passphrase.withUnsafeBufferPointer { secret in
            secret.withMemoryRebound(to: CChar.self) { secretChars in
                buffer.withUnsafeMutableBufferPointer {
                    emc_write_encrypted_pem(pkey, secretChars.baseAddress, Int32(secretChars.count), $0.baseAddress, Int32($0.count))
                }
            }
        }
        guard length > 0 else {
            emc_clear_errors()
            throw CryptoError(.primitiveFailed, "libcrypto could not write the encrypted key")
        }
        return String(decoding: buffer[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

func rawPublicKey(of key: OpaquePointer) -> [UInt8]? {
    var raw = [UInt8](repeating: 0, count: 32)
    let ok = raw.withUnsafeMutableBufferPointer { emc_ed25519_raw_public(key, $0.baseAddress) }
    if ok != 1 { emc_clear_errors() }
    return ok == 1 ? raw : nil
}

func writePEM(_ key: OpaquePointer, isPrivate: Bool) throws(CryptoError) -> String {
    var buffer = [CChar](repeating: 0, count: 1024)
    let length = buffer.withUnsafeMutableBufferPointer {
        emc_write_pem(key, isPrivate ? 1 : 0, $0.baseAddress, Int32($0.count))
    }
    guard length > 0 else {
        emc_clear_errors()
        throw CryptoError(.primitiveFailed, "libcrypto could not write the key as PEM")
    }
    return String(decoding: buffer[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
