import LedgerCrypto

/// RFC 9530 `Content-Digest` in the one form the API uses: `sha-256=:<base64 of SHA-256(body)>:`
/// (SPEC §5.2). Sent with every authenticated request, an empty body included.
public enum ContentDigest {
    public static let fieldName = "Content-Digest"

    /// The field value for `body`.
    public static func value(for body: [UInt8]) -> String {
        "sha-256=:" + Base64.encode(SHA256.hash(body)) + ":"
    }

    /// The 32 digest bytes of a field value in exactly the form `value(for:)` writes, or nil.
    public static func parse(_ value: String) -> [UInt8]? {
        Base64.decodeField(value, prefix: prefix, length: 44).flatMap { $0.count == 32 ? $0 : nil }
    }

    private static let prefix = Array("sha-256=:".utf8)

    /// True when `value` is the digest of `body`.
    public static func matches(_ value: String, body: [UInt8]) -> Bool {
        guard let digest = parse(value) else { return false }
        return digest == SHA256.hash(body)
    }
}
