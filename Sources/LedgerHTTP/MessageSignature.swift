import LedgerCrypto

/// The API's profile of RFC 9421 HTTP Message Signatures (SPEC §5.2): one signature labelled
/// `emc`, Ed25519, over `@method`, `@path`, `@query` and `content-digest`, with `created`, a
/// 16-byte `nonce`, the member's emc key id and `alg="ed25519"`, in exactly this order.
public struct SignatureParameters: Equatable, Sendable {
    public static let label = "emc"
    public static let components = #"("@method" "@path" "@query" "content-digest")"#
    public static let inputFieldName = "Signature-Input"
    public static let signatureFieldName = "Signature"
    public static let nonceByteCount = 16

    /// POSIX seconds when the request was signed.
    public var created: Int64
    /// Base64 of 16 random bytes, new for every request.
    public var nonce: String
    /// The signer's emc key id (16 lowercase hex digits, SPEC §1.2).
    public var keyID: String

    public init(created: Int64, nonce: String, keyID: String) {
        self.created = created
        self.nonce = nonce
        self.keyID = keyID
    }

    /// Fresh parameters: the clock now and 16 bytes from the system's secure generator.
    public static func fresh(keyID: String, now: Int64) -> SignatureParameters {
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<nonceByteCount).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return SignatureParameters(created: now, nonce: Base64.encode(nonce), keyID: keyID)
    }

    /// The serialized parameters: the value of `@signature-params` and of `Signature-Input` after `emc=`.
    public var serialized: String {
        Self.components + ";created=\(created);nonce=\"\(nonce)\";keyid=\"\(keyID)\";alg=\"ed25519\""
    }

    /// The `Signature-Input` field value.
    public var inputFieldValue: String { Self.label + "=" + serialized }

    /// Parses a `Signature-Input` value; only the exact form `inputFieldValue` writes is accepted.
    public init?(inputFieldValue value: String) {
        guard value.utf8.count <= APILimits.maximumSignatureFieldBytes,
              value.hasPrefix(Self.label + "=" + Self.components + ";created=") else { return nil }
        let rest = value.dropFirst(Self.label.count + 1 + Self.components.count + ";created=".count)
        guard let semicolon = rest.firstIndex(of: ";") else { return nil }
        let createdText = rest[..<semicolon]
        guard (1...19).contains(createdText.count), createdText.allSatisfy(\.isASCII), createdText.allSatisfy(\.isNumber),
              createdText.first != "0", let created = Int64(createdText) else { return nil }
        let parts = rest[rest.index(after: semicolon)...]
        guard parts.hasPrefix("nonce=\""), parts.hasSuffix("\";alg=\"ed25519\"") else { return nil }
        let inner = parts.dropFirst("nonce=\"".count).dropLast("\";alg=\"ed25519\"".count)
        // 24 base64 characters (16 bytes), `";keyid="`, 16 hex digits.
        let separator = "\";keyid=\""
        guard inner.utf8.count == 24 + separator.utf8.count + 16 else { return nil }
        let nonce = String(inner.prefix(24))
        guard inner.dropFirst(24).hasPrefix(separator) else { return nil }
        let keyID = String(inner.suffix(16))
        guard let nonceBytes = Base64.decode(nonce), nonceBytes.count == Self.nonceByteCount,
              keyID.utf8.count == 16, keyID.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        self.init(created: created, nonce: nonce, keyID: keyID)
        guard inputFieldValue == value else { return nil }
    }
}

/// What a signature covers: the request's method, path, query and body digest.
public struct SignedComponents: Equatable, Sendable {
    /// Upper-case, as on the request line.
    public var method: String
    /// The request target's path, exactly as sent (no percent-decoding).
    public var path: String
    /// `?` followed by the query exactly as sent; `?` alone when there is none.
    public var query: String
    /// The `Content-Digest` field value.
    public var contentDigest: String

    public init(method: String, path: String, query: String, contentDigest: String) {
        self.method = method
        self.path = path
        self.query = query
        self.contentDigest = contentDigest
    }

    /// Splits a request target (`/v1/ledgers/ID/entries?from=3`) into `@path` and `@query`.
    public init(method: String, target: String, contentDigest: String) {
        if let mark = target.firstIndex(of: "?") {
            self.init(method: method, path: String(target[..<mark]), query: String(target[mark...]), contentDigest: contentDigest)
        } else {
            self.init(method: method, path: target, query: "?", contentDigest: contentDigest)
        }
    }

    /// The RFC 9421 §2.5 signature base: one line per component, then `@signature-params`;
    /// lines joined by LF, no final LF.
    public func signatureBase(_ parameters: SignatureParameters) -> [UInt8] {
        let lines = [
            "\"@method\": \(method)",
            "\"@path\": \(path)",
            "\"@query\": \(query)",
            "\"content-digest\": \(contentDigest)",
            "\"@signature-params\": \(parameters.serialized)",
        ]
        return Array(lines.joined(separator: "\n").utf8)
    }
}

/// Signing and reading the `Signature` field (`emc=:<base64 of the 64-byte signature>:`).
public enum MessageSignature {
    public static func fieldValue(signature: [UInt8]) -> String {
        SignatureParameters.label + "=:" + Base64.encode(signature) + ":"
    }

    /// The 64 signature bytes of a `Signature` value in exactly that form, or nil.
    public static func parse(_ value: String) -> [UInt8]? {
        let prefix = SignatureParameters.label + "=:"
        guard value.utf8.count == prefix.utf8.count + 88 + 1, value.hasPrefix(prefix), value.hasSuffix(":") else { return nil }
        guard let signature = Base64.decode(value.dropFirst(prefix.count).dropLast()), signature.count == 64 else { return nil }
        return signature
    }

    /// The three authentication header fields of a request, signed by `key` now.
    public static func headers(method: String, target: String, body: [UInt8], key: PrivateKey,
                               now: Int64) throws(CryptoError) -> [(name: String, value: String)] {
        try headers(method: method, target: target, body: body, key: key,
                    parameters: .fresh(keyID: key.publicKey.keyID, now: now))
    }

    /// The same with given parameters (tests use an old `created` or a repeated nonce).
    public static func headers(method: String, target: String, body: [UInt8], key: PrivateKey,
                               parameters: SignatureParameters) throws(CryptoError) -> [(name: String, value: String)] {
        let digest = ContentDigest.value(for: body)
        let base = SignedComponents(method: method, target: target, contentDigest: digest).signatureBase(parameters)
        let signature = try key.signature(for: base)
        return [(ContentDigest.fieldName, digest),
                (SignatureParameters.inputFieldName, parameters.inputFieldValue),
                (SignatureParameters.signatureFieldName, fieldValue(signature: signature))]
    }
}
