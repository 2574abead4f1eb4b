import Foundation
import LedgerCrypto
import Testing

/// `Fixtures/vectors/ed25519-keys.json`: keys nobody holds a private key for (SPEC.md §1.2).
struct KeyVectors: Decodable {
    struct Refused: Decodable, CustomTestStringConvertible {
        var key: String
        var problem: String
        var note: String
        var testDescription: String { "\(problem) \(key.prefix(8))… (\(note))" }
    }
    struct Accepted: Decodable {
        var key: String
        var note: String
    }
    var refused: [Refused]
    var accepted: [Accepted]

    static let loaded: KeyVectors = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/vectors/ed25519-keys.json")
        return try! JSONDecoder().decode(KeyVectors.self, from: Data(contentsOf: url))
    }()
}

@Suite struct PointValidationTests {
    @Test("small-order and non-canonical keys are refused at construction", arguments: KeyVectors.loaded.refused)
    func refusedKey(vector: KeyVectors.Refused) throws {
        let raw = try #require(Hex.decode(vector.key))
        let expected = vector.problem == "small-order" ? "is a small-order point (nobody holds its private key)"
                                                       : "is not canonically encoded"
        #expect(Ed25519PointValidation.problem(with: raw) == (vector.problem == "small-order" ? .smallOrder : .nonCanonical))
        #expect {
            try PublicKey(rawRepresentation: raw)
        } throws: { error in
            guard let error = error as? CryptoError else { return false }
            return error.code == .keyWeak && error.message.hasPrefix("key \(vector.key) \(expected)")
        }
    }

    @Test func everyBlockedEncodingIsListed() {
        // 7 blocked y values × 2 signs, and 17 more y ≥ p × 2 signs: every y ≥ p is covered.
        let vectors = KeyVectors.loaded.refused
        #expect(vectors.filter { $0.problem == "small-order" }.count == 14)
        #expect(vectors.filter { $0.problem == "non-canonical" }.count == 34)
        #expect(Set(vectors.map(\.key)).count == vectors.count)
    }

    @Test func validKeysAreAccepted() throws {
        for vector in KeyVectors.loaded.accepted {
            let raw = try #require(Hex.decode(vector.key))
            #expect(Ed25519PointValidation.problem(with: raw) == nil, "\(vector.note)")
            #expect(throws: Never.self) { try PublicKey(rawRepresentation: raw) }
        }
    }

    /// The forgery the check closes: R = identity, S = 0 must not verify under any accepted key.
    @Test func identitySignatureNeverVerifies() throws {
        let forged = [0x01] + [UInt8](repeating: 0, count: 63)
        for vector in KeyVectors.loaded.accepted {
            let key = try PublicKey(rawRepresentation: Hex.decode(vector.key)!)
            #expect(!key.isValidSignature(forged, for: Array("pay mallory".utf8)))
        }
    }

    /// A PEM public key file holding the identity point is refused the same way.
    @Test func pemOfSmallOrderKeyIsRefused() throws {
        let spki: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00, 0x01]
            + [UInt8](repeating: 0, count: 31)
        let pem = "-----BEGIN PUBLIC KEY-----\n\(Data(spki).base64EncodedString())\n-----END PUBLIC KEY-----\n"
        #expect {
            try KeyFiles.parsePublicKey(pem: pem, source: "identity.pub")
        } throws: { error in
            (error as? CryptoError)?.code == .keyWeak
        }
    }
}
