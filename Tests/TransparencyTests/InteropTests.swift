import Foundation
import LedgerCrypto
import Testing
import TestSupport
@testable import LedgerTransparency

/// Checkpoints, cosignatures and proofs made here, checked by Go code nobody here wrote
/// (`Tests/Interop/emccheck`: golang.org/x/mod/sumdb/note and sumdb/tlog, crypto/ed25519).
/// `.ci/run` installs Go; without it the test fails in CI (CI=true) and is skipped locally.
@Suite struct InteropTests {
    static let sizes = [1, 2, 3, 255, 256, 257, 10_000]
    static let members = [member("alice"), member("bob")]
    static let policy = CheckpointPolicy(origin: testOrigin)

    /// Cases for the Go checker: (kind and file arguments, whether Go must accept).
    struct Batch {
        let directory: URL
        var lines: [String] = []
        var expectations: [String: Bool] = [:]
        var tolerated: Set<String> = []
        var fileCount = 0

        mutating func file(_ bytes: [UInt8]) throws -> String {
            fileCount += 1
            let name = "f\(fileCount)"
            try Data(bytes).write(to: directory.appendingPathComponent(name))
            return name
        }

        mutating func add(_ kind: String, _ files: [String], accept: Bool, goMayAccept: Bool = false) {
            let id = "c\(lines.count)"
            lines.append(([kind, id] + files).joined(separator: " "))
            expectations[id] = accept
            if goMayAccept { tolerated.insert(id) }
        }
    }

    @Test func goAcceptsWhatSwiftMakesAndBothRefuseEveryTamperedByte() throws {
        guard let go = Self.findGo() else {
            let message = "Go is not installed: apt-get install golang-go golang-golang-x-mod-dev (the interop test is required in CI)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record(Comment(rawValue: message)) } else { print("skipped: \(message)") }
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emc-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let checker = try Self.buildChecker(go: go, into: directory)

        var batch = Batch(directory: directory)
        let keys = try batch.file(Array(Self.keysText().utf8))
        var random = SeededGenerator(seed: 2025)
        for size in Self.sizes {
            let tree = store(size: size)
            let leaves = try batch.file(Array((0..<size).map { "leaf \($0)\n" }.joined().utf8))
            batch.add("root", [leaves, String(size), tree.root.base64], accept: true)
            let checkpoint = try signedCheckpoint(tree)
            let exhaustive = size <= 257
            try addCheckpointCases(checkpoint, keys: keys, exhaustive: exhaustive, random: &random, into: &batch)
            for index in Set([0, size - 1, size / 2, Int.random(in: 0..<size, using: &random)]) {
                let proof = TlogProof(try tree.inclusionProof(index: UInt64(index), treeSize: UInt64(size)), checkpoint: checkpoint)
                try proof.verify(line: leafLine(index), policy: Self.policy, activeMembers: Self.members)
                batch.add("inclusion", [try batch.file(proof.encoded), keys, try batch.file(leafLine(index)), leaves], accept: true)
                if index == size / 2 { try addInclusionTampering(proof, line: leafLine(index), keys: keys, exhaustive: exhaustive, random: &random, into: &batch) }
            }
            for oldSize in Set([1, size / 2, size - 1, Int.random(in: 1...size, using: &random)]) where oldSize >= 1 {
                let old = try signedCheckpoint(tree, size: UInt64(oldSize))
                let update = CheckpointUpdate(try tree.consistencyProof(oldSize: UInt64(oldSize), newSize: UInt64(size)), checkpoint: checkpoint)
                try update.verify(extending: old.checkpoint)
                let oldFile = try batch.file(old.encoded)
                batch.add("consistency", [oldFile, try batch.file(update.encoded), keys], accept: true)
                if oldSize == size / 2 && oldSize < size {
                    try addUpdateTampering(update, old: old, oldFile: oldFile, keys: keys, exhaustive: exhaustive, random: &random, into: &batch)
                }
            }
        }
        try batch.lines.map { $0 + "\n" }.joined().write(to: directory.appendingPathComponent("cases.txt"), atomically: true, encoding: .utf8)
        let output = try Self.run(checker, ["batch", directory.path])
        var results: [String: Bool] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 2)
            results[String(fields[1]).trimmingCharacters(in: [":"])] = fields[0] == "ok"
        }
        #expect(results.count == batch.expectations.count)
        var toleratedAccepts = 0
        for (id, accept) in batch.expectations {
            guard let got = results[id] else { Issue.record("no result for \(id)"); continue }
            if !accept && got && batch.tolerated.contains(id) { toleratedAccepts += 1; continue }
            #expect(got == accept, "\(batch.lines.first { $0.split(separator: " ")[1] == id } ?? id): \(output.split(separator: "\n").first { $0.contains(" \(id)") } ?? "")")
        }
        print("interop: \(batch.expectations.count) cases checked by Go; \(toleratedAccepts) changes of an unused base64 bit in a signature line accepted by Go's lenient decoder (refused here)")
    }

    static func keysText() throws -> String {
        "vkey \(try NoteVerifier(name: "alice", publicKey: memberKey("alice").publicKey).verifierKey)\n"
            + "cosigner bob \(Base64.encode(memberKey("bob").publicKey.rawRepresentation))\n"
    }

    /// True when changing byte `position` of a note only touches bits that Go's non-strict base64
    /// decoder ignores: the last symbol before the `=` padding of a signature line.
    static func isUnusedBase64Bit(_ bytes: [UInt8], _ position: Int) -> Bool {
        position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "=") && bytes[position] != UInt8(ascii: "=")
    }

    func addCheckpointCases(_ checkpoint: SignedCheckpoint, keys: String, exhaustive: Bool, random: inout SeededGenerator, into batch: inout Batch) throws {
        let bytes = checkpoint.encoded
        batch.add("checkpoint", [try batch.file(bytes), keys], accept: true)
        for position in Self.positions(count: bytes.count, exhaustive: exhaustive, random: &random) {
            var changed = bytes
            changed[position] ^= UInt8.random(in: 1...255, using: &random)
            #expect(!NoteTests.counts(changed), "swift accepted a change of byte \(position)")
            batch.add("checkpoint", [try batch.file(changed), keys], accept: false, goMayAccept: Self.isUnusedBase64Bit(bytes, position))
        }
    }

    func addInclusionTampering(_ proof: TlogProof, line: [UInt8], keys: String, exhaustive: Bool, random: inout SeededGenerator, into batch: inout Batch) throws {
        let bytes = proof.encoded
        let lineFile = try batch.file(line)
        for position in Self.positions(count: bytes.count, exhaustive: exhaustive, random: &random) {
            var changed = bytes
            changed[position] ^= UInt8.random(in: 1...255, using: &random)
            let swiftAccepts = (try? TlogProof(parsing: changed).verify(line: line, policy: Self.policy, activeMembers: Self.members)) != nil
            #expect(!swiftAccepts, "swift accepted a change of proof byte \(position)")
            batch.add("inclusion", [try batch.file(changed), keys, lineFile], accept: false, goMayAccept: Self.isUnusedBase64Bit(bytes, position))
        }
        let proofFile = try batch.file(bytes)
        for position in line.indices {
            var changed = line
            changed[position] ^= UInt8.random(in: 1...255, using: &random)
            #expect((try? proof.verify(line: changed, policy: Self.policy, activeMembers: Self.members)) == nil)
            batch.add("inclusion", [proofFile, keys, try batch.file(changed)], accept: false)
        }
    }

    func addUpdateTampering(_ update: CheckpointUpdate, old: SignedCheckpoint, oldFile: String, keys: String, exhaustive: Bool,
                            random: inout SeededGenerator, into batch: inout Batch) throws {
        let bytes = update.encoded
        for position in Self.positions(count: bytes.count, exhaustive: exhaustive, random: &random) {
            var changed = bytes
            changed[position] ^= UInt8.random(in: 1...255, using: &random)
            let swiftAccepts = (try? Self.acceptUpdate(changed, extending: old.checkpoint)) != nil
            #expect(!swiftAccepts, "swift accepted a change of update byte \(position)")
            batch.add("consistency", [oldFile, try batch.file(changed), keys], accept: false, goMayAccept: Self.isUnusedBase64Bit(bytes, position))
        }
    }

    static func acceptUpdate(_ bytes: [UInt8], extending old: Checkpoint) throws {
        let parsed = try CheckpointUpdate(parsing: bytes)
        _ = try policy.check(parsed.checkpoint, activeMembers: members)
        try parsed.verify(extending: old)
    }

    static func positions(count: Int, exhaustive: Bool, random: inout SeededGenerator) -> [Int] {
        exhaustive ? Array(0..<count) : (0..<64).map { _ in Int.random(in: 0..<count, using: &random) }
    }

    static func findGo() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map { "\($0)/go" } + ["/usr/lib/go/bin/go", "/usr/bin/go"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func buildChecker(go: String, into directory: URL) throws -> String {
        let output = directory.appendingPathComponent("emccheck").path
        let source = repositoryRoot.appendingPathComponent("Tests/Interop/emccheck").path
        _ = try run(go, ["build", "-o", output, "."], directory: source, environment: [
            "GOPATH": directory.appendingPathComponent("gopath").path + ":/usr/share/gocode",
            "GO111MODULE": "off", "GOCACHE": directory.appendingPathComponent("gocache").path, "GOFLAGS": "",
        ])
        return output
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], directory: String? = nil, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TransparencyError(.malformed, "\(executable) \(arguments.joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
