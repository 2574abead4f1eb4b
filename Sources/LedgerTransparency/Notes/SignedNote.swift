import LedgerCrypto
/// One signature line of a note: `— <name> base64(key id ‖ signature)`.
public struct NoteSignature: Hashable, Sendable {
    public var name: String
    public var keyID: UInt32
    /// The bytes after the key id (for Ed25519 the 64-byte signature; for a cosignature 8 + 64).
    public var signature: [UInt8]

    public init(name: String, keyID: UInt32, signature: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    /// The line without its newline.
    public var line: String {
        let id = bigEndianBytes(UInt64(keyID)).suffix(4)
        return "— \(name) \(Base64.encode(Array(id) + signature))"
    }
}

/// A C2SP signed note: a text ending in a newline, a blank line, one or more signature lines.
public struct SignedNote: Hashable, Sendable {
    /// Notes larger than this are refused before parsing (a checkpoint with 100 signatures is ~12 KB).
    public static let maximumBytes = 65_536
    /// Go's `note.Open` limit; C2SP requires at least 16.
    public static let maximumSignatures = 100

    /// The note text, including its final newline.
    public var text: String
    public var signatures: [NoteSignature]

    public init(text: String, signatures: [NoteSignature] = []) {
        self.text = text
        self.signatures = signatures
    }

    /// Parses a note with every signed-note rule: UTF-8, no control characters but newline, the
    /// text separated from the signatures by the last blank line, well-formed signature lines.
    public init(parsing bytes: some Collection<UInt8>) throws(TransparencyError) {
        let bytes = Array(bytes)
        func malformed(_ why: String) -> TransparencyError { TransparencyError(.malformed, "malformed signed note: \(why)") }
        guard bytes.count <= Self.maximumBytes else {
            throw TransparencyError(.limit, "a signed note is at most \(Self.maximumBytes) bytes, got \(bytes.count)")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw malformed("not valid UTF-8") }
        guard !bytes.contains(where: { $0 < 0x20 && $0 != 0x0a }) else { throw malformed("a control character") }
        guard let split = Self.lastBlankLine(bytes) else { throw malformed("no blank line before the signatures") }
        let textBytes = Array(bytes[0...split])
        let signatureBytes = bytes[(split + 2)...]
        guard !signatureBytes.isEmpty, signatureBytes.last == 0x0a else { throw malformed("no signature lines, or no final newline") }
        var signatures: [NoteSignature] = []
        for lineBytes in signatureBytes.dropLast().split(separator: 0x0a, omittingEmptySubsequences: false) {
            guard signatures.count < Self.maximumSignatures else {
                throw TransparencyError(.limit, "a signed note has at most \(Self.maximumSignatures) signatures")
            }
            signatures.append(try Self.parseSignatureLine(lineBytes))
        }
        self.text = String(decoding: textBytes, as: UTF8.self)
        self.signatures = signatures
    }

    /// The note as bytes: text, blank line, signature lines.
    public var encoded: [UInt8] {
        var out = Array(text.utf8)
        out.append(0x0a)
        for signature in signatures { out.append(contentsOf: Array(signature.line.utf8)); out.append(0x0a) }
        return out
    }

    /// Adds a signature by `signer` over the text (replacing an earlier one by the same key).
    public mutating func sign(with signer: NoteSigner, timestamp: UInt64 = 0) throws(TransparencyError) {
        precondition(text.hasSuffix("\n"), "a note text ends in a newline")
        let signature = try signer.sign(Array(text.utf8), timestamp: timestamp)
        signatures.removeAll { $0.name == signature.name && $0.keyID == signature.keyID }
        signatures.append(signature)
    }

    /// The verifiers among `trusted` whose signatures are on the note and valid. Signatures by
    /// unknown keys are ignored; one that matches a trusted key's name and id but does not verify
    /// rejects the whole note; no valid trusted signature at all is an error.
    public func verifiedSigners(_ trusted: [NoteVerifier]) throws(TransparencyError) -> [NoteVerifier] {
        let textBytes = Array(text.utf8)
        var verified: [NoteVerifier] = []
        for signature in signatures {
            let matches = trusted.filter { $0.name == signature.name && $0.keyID == signature.keyID }
            guard let verifier = matches.first else { continue }
            guard matches.allSatisfy({ $0 == verifier }) else {
                throw TransparencyError(.badKey, "two trusted keys share the name \(verifier.name) and key id \(verifier.hexKeyID)")
            }
            if verified.contains(verifier) { continue }
            guard verifier.isValid(signature: signature.signature, text: textBytes) else {
                throw TransparencyError(.badSignature, "the signature of \(verifier.name) (\(verifier.hexKeyID)) does not verify")
            }
            verified.append(verifier)
        }
        guard !verified.isEmpty else {
            throw TransparencyError(.untrusted, "no signature by a trusted key")
        }
        return verified
    }

    /// Key names: non-empty, valid UTF-8, no Unicode white space, no '+'.
    public static func isValidKeyName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 1024
            && !name.unicodeScalars.contains { $0.properties.isWhitespace || $0 == "+" || $0.value < 0x20 }
    }

    private static func lastBlankLine(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        var index = bytes.count - 2
        while index >= 0 {
            if bytes[index] == 0x0a && bytes[index + 1] == 0x0a { return index }
            index -= 1
        }
        return nil
    }

    private static let signaturePrefix: [UInt8] = Array("— ".utf8)

    private static func parseSignatureLine(_ line: ArraySlice<UInt8>) throws(TransparencyError) -> NoteSignature {
        let malformed = TransparencyError(.malformed, "malformed signed note: a bad signature line")
        guard line.starts(with: signaturePrefix) else { throw malformed }
        let rest = line.dropFirst(signaturePrefix.count)
        guard let space = rest.firstIndex(of: 0x20) else { throw malformed }
        let name = String(decoding: rest[..<space], as: UTF8.self)
        let encoded = String(decoding: rest[(space + 1)...], as: UTF8.self)
        guard isValidKeyName(name), let raw = Base64.decode(encoded), raw.count >= 5 else { throw malformed }
        let keyID = raw.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return NoteSignature(name: name, keyID: keyID, signature: Array(raw.dropFirst(4)))
    }
}
