import Foundation
import Testing
import LedgerCrypto

/// Runs `emc` with extra environment variables (SSH_AUTH_SOCK, EMC_PASSPHRASE_FILE); stdin is /dev/null.
func runEMC(_ arguments: [String], in directory: URL, environment extra: [String: String]) throws -> RunResult {
    try run(emcBinary, arguments, in: directory, environment: extra)
}

/// A one-member ledger founded by the key `keyArgument` whose public key is in `publicFile`.
private func makeOneMemberLedger(in directory: URL, key keyArgument: String, publicFile: String,
                                 environment: [String: String] = [:]) throws {
    try contractText(members: [("yu", "micro-enterprise")]).write(to: directory.appendingPathComponent("c.emc"), atomically: true, encoding: .utf8)
    let created = try runEMC(["init", "l.jsonl", "--contract", "c.emc", "--key", keyArgument, "--time", "2020-05-01T09:00:00Z",
                              "--member", "yu=micro-enterprise:\(publicFile)"], in: directory, environment: environment)
    #expect(created.exitCode == 0, "init: \(created.stderr)")
}

@Suite struct KeyCustodyCLITests {
    static let passphrase = "correct horse battery staple"

    @Test func opensslEncryptedKeyWorksWithAPassphraseFileOrTheEnvironment() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "\(Self.passphrase)\n".write(to: directory.appendingPathComponent("P"), atomically: true, encoding: .utf8)
        try #require(try shell("openssl genpkey -algorithm ed25519 -aes-256-cbc -pass file:P -out yu.key && openssl pkey -in yu.key -passin file:P -pubout -out yu.pub", in: directory) == 0)
        #expect(try String(contentsOf: directory.appendingPathComponent("yu.key"), encoding: .utf8).hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        try makeOneMemberLedger(in: directory, key: "yu.key", publicFile: "yu.pub", environment: ["EMC_PASSPHRASE_FILE": "P"])
        let accept = try runEMC(["accept", "l.jsonl", "--key", "yu.key", "--passphrase-file", "P", "--time", "2020-05-02T09:00:00Z"], in: directory)
        #expect(accept.exitCode == 0, "\(accept.stderr)")
        let report = try runEMC(["report", "l.jsonl", "--key", "yu.key", "--period", "2020-09", "--metric", "revenue", "--value", "600.00",
                                 "--time", "2020-10-01T09:00:00Z"], in: directory, environment: ["EMC_PASSPHRASE_FILE": "P"])
        #expect(report.exitCode == 0, "\(report.stderr)")
        let verify = try runEMC(["verify", "l.jsonl"], in: directory)
        #expect(verify.exitCode == 0, "\(verify.stderr)")
        #expect(verify.stdout.hasPrefix("ok: 3 entries"))
    }

    @Test func wrongPassphraseIsOneLineAndExitTwo() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeLedger(in: directory)
        try "\(Self.passphrase)\n".write(to: directory.appendingPathComponent("P"), atomically: true, encoding: .utf8)
        try "not the passphrase\n".write(to: directory.appendingPathComponent("W"), atomically: true, encoding: .utf8)
        try #require(try shell("openssl genpkey -algorithm ed25519 -aes-256-cbc -pass file:P -out enc.key", in: directory) == 0)
        let wrong = try runEMC(["accept", "l.jsonl", "--key", "enc.key", "--passphrase-file", "W"], in: directory)
        #expect(wrong.exitCode == 2)
        #expect(wrong.stderr == "emc: error: enc.key: wrong passphrase (or a damaged key file)\n")
        #expect(!wrong.stderr.contains("not the passphrase") && wrong.stdout.isEmpty)
        // Not on a terminal and no passphrase file: no prompt, and the error says how to give one.
        let unasked = try runEMC(["accept", "l.jsonl", "--key", "enc.key"], in: directory)
        #expect(unasked.exitCode == 2)
        #expect(unasked.stderr.split(separator: "\n").count == 1)
        #expect(unasked.stderr.contains("enc.key:") && unasked.stderr.contains("--passphrase-file") && unasked.stderr.contains("EMC_PASSPHRASE_FILE"))
        let missing = try runEMC(["accept", "l.jsonl", "--key", "enc.key", "--passphrase-file", "nowhere"], in: directory)
        #expect(missing.exitCode == 2 && missing.stderr.contains("nowhere: cannot read the passphrase file"))
    }

    @Test func keygenEncryptRoundTrips() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "\(Self.passphrase)\n".write(to: directory.appendingPathComponent("P"), atomically: true, encoding: .utf8)
        let keygen = try runEMC(["keygen", "yu", "--encrypt", "--passphrase-file", "P"], in: directory)
        #expect(keygen.exitCode == 0, "\(keygen.stderr)")
        let text = try String(contentsOf: directory.appendingPathComponent("yu.key"), encoding: .utf8)
        #expect(text.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        #expect(!text.contains(Self.passphrase))
        // openssl reads it with the same passphrase, and derives the same public key.
        try #require(try shell("openssl pkey -in yu.key -passin file:P -pubout -out yu-openssl.pub", in: directory) == 0)
        #expect(try Data(contentsOf: directory.appendingPathComponent("yu.pub")) == Data(contentsOf: directory.appendingPathComponent("yu-openssl.pub")))
        #expect(try shell("openssl pkey -in yu.key -passin pass:wrong -noout", in: directory) != 0)
        let keyID = try runEMC(["key-id", "yu.pub"], in: directory)
        #expect(keyID.exitCode == 0 && keygen.stdout.hasPrefix(String(keyID.stdout.prefix(16))))
        try makeOneMemberLedger(in: directory, key: "yu.key", publicFile: "yu.pub", environment: ["EMC_PASSPHRASE_FILE": "P"])
        #expect(try runEMC(["verify", "l.jsonl"], in: directory).exitCode == 0)
        // Without a passphrase source, keygen --encrypt refuses rather than writing a plain key.
        let unasked = try runEMC(["keygen", "chef", "--encrypt"], in: directory)
        #expect(unasked.exitCode == 2 && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("chef.key").path))
    }

    @Test func sshAgentSignsAReportThatVerifies() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("agent.sock").path
        // Our own agent, in the foreground, ended below by its pid. SIGKILL: the agent inherits the
        // test runner's blocked signal mask and only reads signals through that mask, so SIGTERM waits forever.
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        agent.arguments = ["ssh-agent", "-D", "-a", socket]
        agent.standardOutput = FileHandle.nullDevice
        agent.standardError = FileHandle.nullDevice
        try agent.run()
        defer { kill(agent.processIdentifier, SIGKILL); agent.waitUntilExit() }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) { usleep(50_000) }
        try #require(FileManager.default.fileExists(atPath: socket), "ssh-agent did not start (is openssh-client installed?)")
        let environment = ["SSH_AUTH_SOCK": socket]

        try #require(try shell("ssh-keygen -q -t ed25519 -N '' -C yu -f id && SSH_AUTH_SOCK='\(socket)' ssh-add id", in: directory) == 0)
        // The member's SPKI public key, derived from the OpenSSH one; both name the same key.
        let publicKey = try KeyFiles.loadPublicKey(path: directory.appendingPathComponent("id.pub").path)
        try publicKey.pemRepresentation().write(to: directory.appendingPathComponent("yu.pub"), atomically: true, encoding: .utf8)
        let ids = try runEMC(["key-id", "yu.pub", "id.pub"], in: directory)
        #expect(ids.stdout == "\(publicKey.keyID)  yu.pub\n\(publicKey.keyID)  id.pub\n")

        try makeOneMemberLedger(in: directory, key: "ssh-agent:yu.pub", publicFile: "yu.pub", environment: environment)
        let accept = try runEMC(["accept", "l.jsonl", "--key", "ssh-agent:id.pub", "--time", "2020-05-02T09:00:00Z"], in: directory, environment: environment)
        #expect(accept.exitCode == 0, "\(accept.stderr)")
        let report = try runEMC(["report", "l.jsonl", "--key", "ssh-agent:yu.pub", "--period", "2020-09", "--metric", "revenue",
                                 "--value", "600.00", "--time", "2020-10-01T09:00:00Z"], in: directory, environment: environment)
        #expect(report.exitCode == 0, "\(report.stderr)")
        let verify = try runEMC(["verify", "l.jsonl", "--json"], in: directory)
        #expect(verify.exitCode == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("\"entries\":3") && verify.stdout.contains("\"ok\":true"))
        // The state cache key derives through the agent too (Ed25519 is deterministic).
        for _ in 0..<2 {
            let cached = try runEMC(["verify", "l.jsonl", "--cache", "my.emc-state", "--key", "ssh-agent:yu.pub"], in: directory, environment: environment)
            #expect(cached.exitCode == 0, "\(cached.stderr)")
        }

        // A key the agent does not hold, and no agent at all: one line, exit 2.
        #expect(try runEMC(["keygen", "other"], in: directory).exitCode == 0)
        let absent = try runEMC(["report", "l.jsonl", "--key", "ssh-agent:other.pub", "--period", "2020-10", "--metric", "revenue", "--value", "1"],
                                in: directory, environment: environment)
        #expect(absent.exitCode == 2 && absent.stderr.contains("does not hold") && absent.stderr.split(separator: "\n").count == 1)
        let noAgent = try runEMC(["report", "l.jsonl", "--key", "ssh-agent:yu.pub", "--period", "2020-10", "--metric", "revenue", "--value", "1"],
                                 in: directory, environment: ["SSH_AUTH_SOCK": ""])
        #expect(noAgent.exitCode == 2 && noAgent.stderr.contains("SSH_AUTH_SOCK"))
    }

    @Test func publicAndOpenSSHKeysGivenAsPrivateKeysSayWhatToPass() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeLedger(in: directory)
        let publicKey = try runEMC(["accept", "l.jsonl", "--key", "yu.pub"], in: directory)
        #expect(publicKey.exitCode == 2)
        #expect(publicKey.stderr.hasPrefix("emc: error: yu.pub: this is a public key; pass the private .key file"))
        #expect(!publicKey.stderr.contains("accessible by others") && !publicKey.stderr.contains("malformed"))
        try #require(try shell("ssh-keygen -q -t ed25519 -N '' -f id", in: directory) == 0)
        let openSSH = try runEMC(["accept", "l.jsonl", "--key", "id"], in: directory)
        #expect(openSSH.exitCode == 2 && openSSH.stderr.split(separator: "\n").count == 1)
        #expect(openSSH.stderr.contains("OpenSSH private key") && openSSH.stderr.contains("ssh-add id") && openSSH.stderr.contains("ssh-agent:id.pub"))
    }

    @Test func keygenCreatesAMissingDirectoryPrivately() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keygen = try runEMC(["keygen", "yu", "--dir", "keys"], in: directory)
        #expect(keygen.exitCode == 0, "\(keygen.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("keys").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("keys/yu.key").path))
        try Data().write(to: directory.appendingPathComponent("plain"))
        let notDirectory = try runEMC(["keygen", "yu", "--dir", "plain"], in: directory)
        #expect(notDirectory.exitCode == 2 && notDirectory.stderr.contains("not a directory"))
    }

    @Test func versionIsPrinted() throws {
        let result = try runEMC(["--version"])
        #expect(result.exitCode == 0)
        #expect(result.stdout.hasPrefix("emc ") && result.stdout.contains("ledger format 1"))
    }
}
