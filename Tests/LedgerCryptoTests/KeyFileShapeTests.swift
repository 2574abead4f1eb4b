import Foundation
import LedgerCrypto
import Testing

/// Issue 11, finding 8: a key file is exactly one PEM block; anything else around it is refused.
@Suite struct KeyFileShapeTests {
    static let fixtureKeys = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/keys")

    @Test func trailingJunkAndSecondBlocksAreRefused() throws {
        let privatePEM = try String(contentsOf: Self.fixtureKeys.appendingPathComponent("yu.key"), encoding: .utf8)
        let publicPEM = try String(contentsOf: Self.fixtureKeys.appendingPathComponent("yu.pub"), encoding: .utf8)
        let otherPrivate = try String(contentsOf: Self.fixtureKeys.appendingPathComponent("chef.key"), encoding: .utf8)
        let otherPublic = try String(contentsOf: Self.fixtureKeys.appendingPathComponent("chef.pub"), encoding: .utf8)
        // Whitespace around the block is fine.
        _ = try KeyFiles.parsePrivateKey(pem: "\n \n" + privatePEM + "\n\n", source: "t")
        _ = try KeyFiles.parsePublicKey(pem: "\r\n" + publicPEM + " \n", source: "t")
        for junk in [privatePEM + "junk\n", "junk\n" + privatePEM, privatePEM + otherPrivate, privatePEM + publicPEM] {
            #expect(throws: CryptoError.self, "\(junk.suffix(20))") { try KeyFiles.parsePrivateKey(pem: junk, source: "t") }
        }
        for junk in [publicPEM + "junk", "# comment\n" + publicPEM, publicPEM + otherPublic] {
            #expect(throws: CryptoError.self, "\(junk.suffix(20))") { try KeyFiles.parsePublicKey(pem: junk, source: "t") }
        }
    }
}
