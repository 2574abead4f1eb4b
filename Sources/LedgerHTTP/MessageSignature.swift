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
    /// Read as bytes (no Unicode-aware string comparisons: every request's field is parsed here).
    public init?(inputFieldValue value: String) {
        var value = value
        guard let parsed = value.withUTF8({ Self.parse($0) }) else { return nil }
        self = parsed
    }

    private static let inputPrefix = Array((label + "=" + components + ";created=").utf8)
    private static let nonceOpen = Array(";nonce=\"".utf8)
    private static let keyIDOpen = Array("\";keyid=\"".utf8)
    private static let inputSuffix = Array("\";alg=\"ed25519\"".utf8)

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> SignatureParameters? {
        guard bytes.count <= APILimits.maximumSignatureFieldBytes, bytes.starts(with: inputPrefix) else { return nil }
        var index = inputPrefix.count
        // `created`: 1 to 19 decimal digits, no leading zero, within Int64.
        var created: Int64 = 0
        let digitsStart = index
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
            let (times, overflow) = created.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdding) = times.addingReportingOverflow(Int64(bytes[index] - 0x30))
            guard !overflow, !overflowAdding else { return nil }
            created = sum
            index += 1
        }
        let digitCount = index - digitsStart
        guard (1...19).contains(digitCount), bytes[digitsStart] != 0x30 else { return nil }
        // `;nonce="` 24 base64 characters (16 bytes) `";keyid="` 16 lowercase hex digits `";alg="ed25519"`, the end.
        guard bytes.count - index == nonceOpen.count + 24 + keyIDOpen.count + 16 + inputSuffix.count else { return nil }
        func has(_ part: [UInt8], at offset: Int) -> Bool { UnsafeBufferPointer(rebasing: bytes[offset..<(offset + part.count)]).elementsEqual(part) }
        let nonceStart = index + nonceOpen.count
        let keyIDStart = nonceStart + 24 + keyIDOpen.count
        guard has(nonceOpen, at: index), has(keyIDOpen, at: nonceStart + 24), has(inputSuffix, at: keyIDStart + 16) else { return nil }
        let nonceBytes = UnsafeBufferPointer(rebasing: bytes[nonceStart..<(nonceStart + 24)])
        let keyIDBytes = UnsafeBufferPointer(rebasing: bytes[keyIDStart..<(keyIDStart + 16)])
        guard keyIDBytes.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        let nonce = String(decoding: nonceBytes, as: UTF8.self)
        guard let decoded = Base64.decode(nonce), decoded.count == nonceByteCount else { return nil }
        return SignatureParameters(created: created, nonce: nonce, keyID: String(decoding: keyIDBytes, as: UTF8.self))
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
        var base: [UInt8] = []
        base.reserveCapacity(256 + path.utf8.count + query.utf8.count)
        for (name, value) in [("\"@method\": ", method), ("\n\"@path\": ", path), ("\n\"@query\": ", query),
                              ("\n\"content-digest\": ", contentDigest), ("\n\"@signature-params\": ", parameters.serialized)] {
            base.append(contentsOf: name.utf8)
            base.append(contentsOf: value.utf8)
        }
        return base
    }
}

/// Signing and reading the `Signature` field (`emc=:<base64 of the 64-byte signature>:`).
public enum MessageSignature {
    public static func fieldValue(signature: [UInt8]) -> String {
        SignatureParameters.label + "=:" + Base64.encode(signature) + ":"
    }

    /// The 64 signature bytes of a `Signature` value in exactly that form, or nil.
    public static func parse(_ value: String) -> [UInt8]? {
        Base64.decodeField(value, prefix: fieldPrefix, length: 88).flatMap { $0.count == 64 ? $0 : nil }
    }

    private static let fieldPrefix = Array((SignatureParameters.label + "=:").utf8)

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
