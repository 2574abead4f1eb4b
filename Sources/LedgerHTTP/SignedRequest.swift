import LedgerCrypto

/// An authenticated request's signature, read and checked as if a stranger sent it (SPEC §5.2).
/// `init` does every check that needs no key (fields present and in the profile's form, digest of
/// the body, `created` within the skew); `isSigned(by:)` checks the Ed25519 signature. A failure is
/// a 401 `APIError`. Replayed nonces are the server's to catch (it remembers them).
public struct SignedRequest: Sendable {
    public let parameters: SignatureParameters
    public let signature: [UInt8]
    public let base: [UInt8]

    /// `fields(name)` gives every value of a header field (names are case-insensitive).
    public init(method: String, target: String, body: [UInt8], now: Int64,
                fields: (String) -> [String]) throws(APIError) {
        func single(_ name: String) throws(APIError) -> String {
            let values = fields(name)
            guard !values.isEmpty else { throw .unauthorized("missing \(name)") }
            guard values.count == 1 else { throw .unauthorized("more than one \(name) field") }
            return values[0]
        }
        let digest = try single(ContentDigest.fieldName)
        guard let digestBytes = ContentDigest.parse(digest) else { throw .unauthorized("malformed Content-Digest") }
        guard digestBytes == SHA256.hash(body) else { throw .unauthorized("Content-Digest does not match the body") }
        guard let parameters = SignatureParameters(inputFieldValue: try single(SignatureParameters.inputFieldName)) else {
            throw .unauthorized("malformed Signature-Input")
        }
        guard let signature = MessageSignature.parse(try single(SignatureParameters.signatureFieldName)) else {
            throw .unauthorized("malformed Signature")
        }
        let skew = parameters.created > now ? parameters.created - now : now - parameters.created
        guard skew <= APILimits.maximumClockSkewSeconds else { throw .unauthorized("signature expired or from the future") }
        self.parameters = parameters
        self.signature = signature
        self.base = SignedComponents(method: method, target: target, contentDigest: digest).signatureBase(parameters)
    }

    public var keyID: String { parameters.keyID }

    /// True when `key` (whose id must be the signature's key id) made the signature.
    public func isSigned(by key: PublicKey) -> Bool {
        key.keyID == parameters.keyID && key.isValidSignature(signature, for: base)
    }
}
