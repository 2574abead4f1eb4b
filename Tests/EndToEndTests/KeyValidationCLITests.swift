import Foundation
import Testing

/// Issue 11, finding 2: keys nobody holds a private key for are refused wherever they would be registered.
@Suite struct KeyValidationCLITests {
    /// SPKI PEM of a raw 32-byte Ed25519 public key.
    static func publicKeyPEM(_ raw: [UInt8]) -> String {
        let spki: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00] + raw
        return "-----BEGIN PUBLIC KEY-----\n\(Data(spki).base64EncodedString())\n-----END PUBLIC KEY-----\n"
    }

    @Test func initRefusesASmallOrderMemberKey() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try runEMC(["keygen", "yu"], in: directory).exitCode == 0)
        try Self.publicKeyPEM([0x01] + [UInt8](repeating: 0, count: 31))
            .write(to: directory.appendingPathComponent("mallory.pub"), atomically: true, encoding: .utf8)
        try contractText(members: [("yu", "micro-enterprise"), ("mallory", "external-partner")])
            .write(to: directory.appendingPathComponent("c.emc"), atomically: true, encoding: .utf8)
        let result = try runEMC(["init", "l.jsonl", "--contract", "c.emc", "--key", "yu.key",
                                 "--member", "yu=micro-enterprise:yu.pub", "--member", "mallory=external-partner:mallory.pub"],
                                in: directory)
        #expect(result.exitCode == 2, "\(result.stderr)")
        #expect(result.stderr.contains("is a small-order point (nobody holds its private key)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("l.jsonl").path))
    }

    @Test func verifyRefusesTheKeylessForgeries() throws {
        for (name, reason) in [("genesis-founder-identity-key", "entry 1: member field \"key\""),
                               ("rotate-key-to-small-order-key", "entry 5: rotate-key body field \"new_key\""),
                               ("joiner-non-canonical-key", "entry 9: member field \"key\"")] {
            let path = fixturesRoot.appendingPathComponent("ledgers/invalid/\(name).jsonl").path
            let result = try runEMC(["verify", path])
            #expect(result.exitCode == 1, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(reason), "\(name): \(result.stderr)")
        }
    }
}
