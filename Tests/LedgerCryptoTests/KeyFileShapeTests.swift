import Foundation
import LedgerCrypto
import Testing

/// Issue 11, finding 8: a key file is exactly one PEM block; anything else around it is refused.
@Suite struct KeyFileShapeTests {
    static let fixtureKeys = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/keys")

    /// Issue 17: the fast path for plain PKCS#8 Ed25519 files gives the key libcrypto's decoder gives.
    @Test func plainKeyFilesReadTheSameWithoutLibcryptosDecoder() throws {
        for name in ["yu", "chef"] {
            let pem = try String(contentsOf: Self.fixtureKeys.appendingPathComponent("\(name).key"), encoding: .utf8)
            let fast = try KeyFiles.parsePrivateKey(pem: pem, source: "t")
            let general = try KeyFiles.parsePrivateKey(pem: "\n" + pem, source: "t")   // not the exact shape: libcrypto reads it
            #expect(fast.publicKey == general.publicKey)
            #expect(try fast.signature(for: [1, 2, 3]) == general.signature(for: [1, 2, 3]))
        }
        let key = try PrivateKey()
        #expect(try KeyFiles.parsePrivateKey(pem: key.pemRepresentation(), source: "t").publicKey == key.publicKey)
    }

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

@Suite struct OpenSSHKeyTests {
    /// RFC 8032 test 1's public key, as `ssh-keygen` writes it.
    @Test func openSSHPublicKeyLineGivesTheRawKey() throws {
        let raw = try #require(Hex.decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        let key = try PublicKey(rawRepresentation: raw)
        let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea test@example\n"
        #expect(try OpenSSHKeys.parsePublicKey(line, source: "k.pub") == key)
        #expect(OpenSSHKeys.blob(of: key).count == 4 + 11 + 4 + 32)
    }

    @Test("malformed OpenSSH public keys are refused", arguments: [
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x\n",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1E\n",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1EaAAAA\n",
        "ssh-ed25519\n",
    ])
    func malformedOpenSSHPublicKeys(line: String) {
        #expect(throws: CryptoError.self) { try OpenSSHKeys.parsePublicKey(line, source: "k.pub") }
    }
}
