import Foundation
import Testing
import TestSupport

/// The Go checker (`Tests/Interop/emccheck`: golang.org/x/mod/sumdb/note and sumdb/tlog,
/// crypto/ed25519) on checkpoints, cosignatures and proofs made by the built `emc` binary.
/// `.ci/run` installs Go; without it the test fails in CI (CI=true) and is skipped locally.
@Suite struct InteropCLITests {
    static let sizes = [1, 2, 3, 255, 256, 257, 10_000]

    @Test func goAcceptsCheckpointsAndProofsMadeByTheBinary() throws {
        guard let go = Self.findGo() else {
            let message = "Go is not installed: apt-get install golang-go golang-golang-x-mod-dev (the interop test is required in CI)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record(Comment(rawValue: message)) } else { print("skipped: \(message)") }
            return
        }
        let space = try TransparencyCLITests.Workspace()
        defer { space.remove() }
        let checker = try Self.buildChecker(go: go, into: space.directory)
        var ledger = try LibraryLedger()
        try ledger.addReports(Self.sizes.max()! - ledger.lines.count)
        let bobKey = Data(LibraryLedger.key("bob").publicKey.rawRepresentation).base64EncodedString()
        try "vkey \(try space.vkey("alice"))\ncosigner bob \(bobKey)\n".write(to: space.url("keys"), atomically: true, encoding: .utf8)

        var cases: [String] = []
        var expected: [String: Bool] = [:]
        func add(_ line: String, accept: Bool) {
            let id = "c\(cases.count)"
            let fields = line.split(separator: " ", maxSplits: 1)
            cases.append("\(fields[0]) \(id) \(fields[1])")
            expected[id] = accept
        }
        var random = SeededGenerator(seed: 1313)
        for size in Self.sizes {
            let directory = "n\(size)"
            try FileManager.default.createDirectory(at: space.url(directory), withIntermediateDirectories: true)
            let path = "\(directory)/l.jsonl"
            func checkpoint(_ name: String, entries: Int) throws {
                try ledger.write(to: space.url(path), count: entries)
                try space.emc(["checkpoint", path, "--key", "alice.key", "--out", "\(directory)/\(name)"])
                try space.emc(["cosign", "\(directory)/\(name)", "--ledger", path, "--key", "bob.key", "--out", "\(directory)/\(name)", "--time", "1700000000"])
            }
            if size > 1 { try checkpoint("old.cp", entries: size / 2) }
            try checkpoint("l.cp", entries: size)
            let root = String(decoding: try space.bytes("\(directory)/l.cp"), as: UTF8.self).split(separator: "\n")[2]
            add("root \(path) \(size) \(root)", accept: true)
            add("checkpoint \(directory)/l.cp keys", accept: true)
            for seq in Set([1, size, size / 2 + 1]) {
                let proof = "\(directory)/e\(seq).tlog-proof", line = "\(directory)/e\(seq).line"
                try space.emc(["prove", path, "--entry", String(seq), "--checkpoint", "\(directory)/l.cp", "--out", proof])
                try Data(ledger.lines[seq - 1]).write(to: space.url(line))
                add("inclusion \(proof) keys \(line) \(path)", accept: true)
                if size == 257 && seq == size / 2 + 1 {
                    try addTampered(proof: proof, line: line, space: space, random: &random, add: add)
                }
            }
            if size > 1 {
                try space.emc(["prove", path, "--from", "\(directory)/old.cp", "--to", "\(directory)/l.cp", "--out", "\(directory)/update"])
                add("consistency \(directory)/old.cp \(directory)/update keys", accept: true)
            }
        }
        try cases.map { $0 + "\n" }.joined().write(to: space.url("cases.txt"), atomically: true, encoding: .utf8)
        let output = try run(URL(fileURLWithPath: checker), ["batch", space.directory.path])
        #expect(output.exitCode == 0, "\(output.stderr)")
        var results: [String: Bool] = [:]
        for line in output.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 2)
            results[String(fields[1]).trimmingCharacters(in: [":"])] = fields[0] == "ok"
        }
        for (id, accept) in expected.sorted(by: { $0.key < $1.key }) {
            let line = cases.first { $0.split(separator: " ")[1] == id } ?? id
            #expect(results[id] == accept, "\(line): \(output.stdout.split(separator: "\n").first { $0.contains(" \(id)") } ?? "no result")")
        }
        print("interop (binary): \(expected.count) cases checked by Go")
    }

    /// Changed bytes of a proof made by the binary, and a changed line: Go and `emc verify-proof` both refuse them.
    func addTampered(proof: String, line: String, space: TransparencyCLITests.Workspace, random: inout SeededGenerator,
                     add: (String, Bool) -> Void) throws {
        let bytes = try space.bytes(proof)
        let vkeys = try ["alice", "bob"].flatMap { ["--vkey", try space.vkey($0)] }
        for index in 0..<16 {
            let position = Int.random(in: 0..<bytes.count, using: &random)
            // Go's base64 decoder ignores the unused bits of a final symbol (emc refuses them).
            if position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "=") { continue }
            var changed = bytes
            changed[position] ^= UInt8.random(in: 1...255, using: &random)
            let name = "\(proof).t\(index)"
            try Data(changed).write(to: space.url(name))
            let result = try runEMC(["verify-proof", name, "--entry", line] + vkeys, in: space.directory)
            #expect(result.exitCode == 1, "emc accepted a change of proof byte \(position): \(result.stdout)")
            add("inclusion \(name) keys \(line)", false)
        }
        var changedLine = try space.bytes(line)
        changedLine[changedLine.count / 2] ^= 0x20
        try Data(changedLine).write(to: space.url(line + ".t"))
        let result = try runEMC(["verify-proof", proof, "--entry", line + ".t"] + vkeys, in: space.directory)
        #expect(result.exitCode == 1, "emc accepted a changed line")
        add("inclusion \(proof) keys \(line).t", false)
    }

    static func findGo() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map { "\($0)/go" } + ["/usr/lib/go/bin/go", "/usr/bin/go"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func buildChecker(go: String, into directory: URL) throws -> String {
        let output = directory.appendingPathComponent("emccheck").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: go)
        process.arguments = ["build", "-o", output, "."]
        process.currentDirectoryURL = packageRoot.appendingPathComponent("Tests/Interop/emccheck")
        process.environment = ProcessInfo.processInfo.environment.merging([
            "GOPATH": directory.appendingPathComponent("gopath").path + ":/usr/share/gocode",
            "GO111MODULE": "off", "GOCACHE": directory.appendingPathComponent("gocache").path, "GOFLAGS": "",
        ]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "go build failed: \(String(decoding: message, as: UTF8.self))"])
        }
        return output
    }
}
