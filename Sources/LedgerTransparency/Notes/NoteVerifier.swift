import LedgerCrypto

/// The signature types EMC uses (C2SP signed-note §Signature types).
public enum NoteSignatureType: UInt8, Sendable {
    /// Ed25519 over the note text.
    case ed25519 = 0x01
    /// C2SP tlog-cosignature/v1: timestamped Ed25519 over `cosignature/v1\ntime <t>\n` ‖ note text.
    case cosignatureV1 = 0x04
}

/// A trusted key that can check note signatures: a name, a type and an Ed25519 public key.
public struct NoteVerifier: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let type: NoteSignatureType
    public let publicKey: PublicKey
    /// SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian.
    public let keyID: UInt32

    public init(name: String, publicKey: PublicKey, type: NoteSignatureType = .ed25519) throws(TransparencyError) {
        guard SignedNote.isValidKeyName(name) else {
            throw TransparencyError(.badKey, "a note key name must be non-empty UTF-8 without spaces or '+', got \"\(name)\"")
        }
        // A `PublicKey` is never small-order or non-canonical: its construction refuses them (SPEC §1.2).
        self.name = name
        self.type = type
        self.publicKey = publicKey
        self.keyID = Self.keyID(name: name, type: type, publicKey: publicKey.rawRepresentation)
    }

    /// Parses a verifier key `<name>+<hex key id>+base64(type ‖ public key)` the way Go's
    /// `note.NewVerifier` does (the hex may be either case), accepting types 0x01 and 0x04.
    public init(verifierKey: String) throws(TransparencyError) {
        let bad = TransparencyError(.badKey, "not a note verifier key (name+keyid+base64)")
        guard verifierKey.utf8.count <= 1024 else { throw bad }
        guard let firstPlus = verifierKey.firstIndex(of: "+") else { throw bad }
        let name = String(verifierKey[..<firstPlus])
        let rest = verifierKey[verifierKey.index(after: firstPlus)...]
        guard let secondPlus = rest.firstIndex(of: "+") else { throw bad }
        let hexID = rest[..<secondPlus]
        let keyText = rest[rest.index(after: secondPlus)...]
        guard hexID.utf8.count == 8, let id = UInt32(hexID, radix: 16), !hexID.hasPrefix("+"), !hexID.hasPrefix("-"),
              let keyBytes = Base64.decode(keyText), keyBytes.count == 33 else { throw bad }
        guard let type = NoteSignatureType(rawValue: keyBytes[0]) else {
            throw TransparencyError(.badKey, "verifier key of \(name): unknown signature type \(keyBytes[0])")
        }
        let publicKey: PublicKey
        do { publicKey = try PublicKey(rawRepresentation: Array(keyBytes[1...])) } catch { throw bad }
        try self.init(name: name, publicKey: publicKey, type: type)
        guard id == keyID else {
            throw TransparencyError(.badKey, "verifier key of \(name): the key id does not match the key")
        }
    }

    /// The verifier key string, as `note.NewVerifier` reads it.
    public var verifierKey: String {
        "\(name)+\(hexKeyID)+\(Base64.encode([type.rawValue] + publicKey.rawRepresentation))"
    }

    public var hexKeyID: String { Hex.encode(bigEndianBytes(UInt64(keyID)).suffix(4)) }
    public var description: String { "\(name)+\(hexKeyID)" }

    public static func keyID(name: String, type: NoteSignatureType, publicKey raw: [UInt8]) -> UInt32 {
        let digest = SHA256.hash(Array(name.utf8) + [0x0a, type.rawValue] + raw)
        return digest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    /// True when `signature` (the bytes after the key id) is valid for `text` under this key.
    func isValid(signature: [UInt8], text: [UInt8]) -> Bool {
        switch type {
        case .ed25519:
            return publicKey.isValidSignature(signature, for: text)
        case .cosignatureV1:
            guard let cosignature = Cosignature.Timestamped(signature) else { return false }
            return publicKey.isValidSignature(cosignature.signature,
                                              for: Cosignature.message(timestamp: cosignature.timestamp, checkpointBody: text))
        }
    }
}

/// A key that signs notes: a name and an Ed25519 private key (a member's ledger key).
public struct NoteSigner: Sendable {
    public let verifier: NoteVerifier
    private let privateKey: PrivateKey

    public init(name: String, privateKey: PrivateKey, type: NoteSignatureType = .ed25519) throws(TransparencyError) {
        self.verifier = try NoteVerifier(name: name, publicKey: privateKey.publicKey, type: type)
        self.privateKey = privateKey
        // Pair the assertion once: a signature by this signer verifies with the code that will read it.
        // (Not after every signature: the verifier is derived from the private key, and a verify per
        // checkpoint was a third of the server's Ed25519 work per appended entry.)
        let probe = Array("emc note signer self-check\n".utf8)
        guard verifier.isValid(signature: try sign(probe, timestamp: 0).signature, text: probe) else {
            throw TransparencyError(.badKey, "the key \(name) does not verify its own note signature")
        }
    }

    public var name: String { verifier.name }

    /// The signature line for `text`; for a cosigner, `timestamp` is its POSIX time in seconds.
    public func sign(_ text: [UInt8], timestamp: UInt64 = 0) throws(TransparencyError) -> NoteSignature {
        let raw: [UInt8]
        do {
            switch verifier.type {
            case .ed25519:
                raw = try privateKey.signature(for: text)
            case .cosignatureV1:
                guard timestamp <= UInt64(Int64.max) else {
                    throw TransparencyError(.outOfRange, "a cosignature timestamp is at most 2^63 - 1")
                }
                let signature = try privateKey.signature(for: Cosignature.message(timestamp: timestamp, checkpointBody: text))
                raw = bigEndianBytes(timestamp) + signature
            }
        } catch let error as TransparencyError {
            throw error
        } catch {
            throw TransparencyError(.badSignature, "signing failed: \(error)")
        }
        return NoteSignature(name: name, keyID: verifier.keyID, signature: raw)
    }
}
