import Foundation
import LedgerCrypto
import LedgerHTTP
import Testing

/// The RFC 9421 profile and RFC 9530 digest of SPEC §5.2, byte for byte.
struct MessageSignatureTests {
    let target = "/v1/ledgers/3f8db1efa883c4467c78c0d8f0a8736ef482e0ff246a0d0a21d33a3d69ef94a9/entries"

    @Test func signatureBaseMatchesSpecExample() {
        let parameters = SignatureParameters(created: 1_700_000_000, nonce: Base64.encode(Array(0..<16)), keyID: "0123456789abcdef")
        let base = SignedComponents(method: "POST", target: target, contentDigest: ContentDigest.value(for: [])).signatureBase(parameters)
        let expected = """
        "@method": POST
        "@path": \(target)
        "@query": ?
        "content-digest": sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:
        "@signature-params": ("@method" "@path" "@query" "content-digest");created=1700000000;nonce="AAECAwQFBgcICQoLDA0ODw==";keyid="0123456789abcdef";alg="ed25519"
        """
        #expect(String(decoding: base, as: UTF8.self) == expected)
        #expect(base.last != 0x0a)
    }

    @Test func queryIsPartOfTheBase() {
        let components = SignedComponents(method: "GET", target: "/v1/ledgers/x/entries?from=3", contentDigest: "d")
        #expect(components.path == "/v1/ledgers/x/entries")
        #expect(components.query == "?from=3")
    }

    @Test func inputFieldRoundTripsAndOnlyTheProfileIsAccepted() throws {
        let parameters = SignatureParameters.fresh(keyID: "0123456789abcdef", now: 1_700_000_000)
        #expect(SignatureParameters(inputFieldValue: parameters.inputFieldValue) == parameters)
        let value = parameters.inputFieldValue
        for variant in [value.replacingFirst("emc=", "sig1="), value.replacingFirst(";alg=\"ed25519\"", ""),
                        value.replacingFirst("created=1700000000", "created=01700000000"),
                        value.replacingFirst("\"@query\" ", ""), value + ";expires=1", value.replacingFirst("0123456789abcdef", "0123456789ABCDEF")] {
            #expect(SignatureParameters(inputFieldValue: variant) == nil, "accepted \(variant)")
        }
    }

    /// One spelling per value: every single-byte change of a `Signature-Input`, `Signature` or
    /// `Content-Digest` value is refused, or read as exactly what the changed value says (it is
    /// the field written for what was read). The fields are read as bytes.
    @Test func everySingleByteChangeOfTheFieldsIsRefusedOrReadExactly() throws {
        let parameters = SignatureParameters(created: 1_700_000_000, nonce: Base64.encode(Array(0..<16)), keyID: "0123456789abcdef")
        let signature = MessageSignature.fieldValue(signature: Array(repeating: 0x5a, count: 64))
        let digest = ContentDigest.value(for: Array("hello\n".utf8))
        var readBack = 0
        for (value, reread) in [
            (parameters.inputFieldValue, { (text: String) in SignatureParameters(inputFieldValue: text)?.inputFieldValue }),
            (signature, { (text: String) in MessageSignature.parse(text).map { MessageSignature.fieldValue(signature: $0) } }),
            (digest, { (text: String) in ContentDigest.parse(text).map { "sha-256=:" + Base64.encode($0) + ":" } }),
        ] {
            #expect(reread(value) == value)
            let bytes = Array(value.utf8)
            for index in bytes.indices {
                for replacement in UInt8(0)...UInt8(127) where replacement != bytes[index] {
                    var changed = bytes
                    changed[index] = replacement
                    let text = String(decoding: changed, as: UTF8.self)
                    guard let again = reread(text) else { continue }
                    #expect(again == text, "\(text) was read as \(again)")
                    readBack += 1
                }
            }
        }
        #expect(readBack > 0, "some changes (a digit of created, of the nonce or key id) are other valid values")
        let prefix = "emc=" + SignatureParameters.components + ";created="
        let tail = ";nonce=\"" + parameters.nonce + "\";keyid=\"0123456789abcdef\";alg=\"ed25519\""
        #expect(SignatureParameters(inputFieldValue: prefix + "9223372036854775807" + tail)?.created == Int64.max)
        #expect(SignatureParameters(inputFieldValue: prefix + "9223372036854775808" + tail) == nil, "beyond Int64")
        #expect(SignatureParameters(inputFieldValue: prefix + tail) == nil, "no created")
        #expect(SignatureParameters(inputFieldValue: prefix + "0" + tail) == nil, "a leading zero")
    }

    @Test func signedRequestVerifiesAndChecksDigestAndClock() throws {
        let key = try PrivateKey(seed: Array(repeating: 7, count: 32))
        let body = Array("hello\n".utf8)
        let headers = try MessageSignature.headers(method: "POST", target: target, body: body, key: key, now: 1_000)
        func fields(_ name: String) -> [String] { headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value) }
        let signed = try SignedRequest(method: "POST", target: target, body: body, now: 1_100, fields: fields)
        #expect(signed.isSigned(by: key.publicKey))
        #expect(!signed.isSigned(by: try PrivateKey(seed: Array(repeating: 8, count: 32)).publicKey))
        #expect(throws: APIError.unauthorized("Content-Digest does not match the body")) {
            _ = try SignedRequest(method: "POST", target: target, body: [], now: 1_000, fields: fields)
        }
        #expect(throws: APIError.unauthorized("signature expired or from the future")) {
            _ = try SignedRequest(method: "POST", target: target, body: body, now: 1_301, fields: fields)
        }
        let other = try SignedRequest(method: "GET", target: target, body: body, now: 1_000, fields: fields)
        #expect(!other.isSigned(by: key.publicKey), "the method is signed")
    }
}

extension String {
    func replacingFirst(_ old: String, _ new: String) -> String {
        guard let range = range(of: old) else { return self }
        return replacingCharacters(in: range, with: new)
    }
}
