import Foundation
@testable import Ledger
@testable import LedgerFormat
@testable import LedgerStorage
@testable import LedgerReports
import LedgerCrypto
import Testing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let fixturesRoot = packageRoot.appendingPathComponent("Fixtures")

/// Set EMC_REGENERATE_FIXTURES=1 to rewrite golden files instead of comparing with them.
let regenerating = ProcessInfo.processInfo.environment["EMC_REGENERATE_FIXTURES"] == "1"

/// Compares `bytes` with the golden file at `relativePath` (or writes it when regenerating).
func checkGolden(_ bytes: [UInt8], _ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = fixturesRoot.appendingPathComponent(relativePath)
    if regenerating {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return
    }
    let golden = try #require(FileManager.default.contents(atPath: url.path), "missing golden file \(relativePath)", sourceLocation: sourceLocation)
    #expect([UInt8](golden) == bytes, "\(relativePath) differs from what the code produces", sourceLocation: sourceLocation)
}

func fixtureText(_ relativePath: String) throws -> String {
    let url = fixturesRoot.appendingPathComponent(relativePath)
    return try #require(String(data: try Data(contentsOf: url), encoding: .utf8))
}

/// Deterministic keys, ledgers and tampered variants used as fixtures. Ed25519 is deterministic,
/// so the same code always writes the same bytes.
enum FixtureFactory {
    static let memberNames = ["yu", "chef", "farm"]
    static let roles = ["yu": "micro-enterprise", "chef": "external-partner", "farm": "external-partner"]

    /// The fixture key of `name`: seed = SHA-256("emc-fixture-key/" ‖ name).
    static func key(_ name: String) -> PrivateKey {
        try! PrivateKey(seed: SHA256.hash(Array("emc-fixture-key/\(name)".utf8)))
    }

    static let contract = try! fixtureText("ledgers/contracts/fixture.emc")
    static let contractV2 = try! fixtureText("ledgers/contracts/fixture-v2.emc")

    static func time(_ day: Int, _ hour: Int = 9) -> Timestamp {
        Timestamp(String(format: "2020-05-%02dT%02d:00:00Z", day, hour))!
    }

    static func roster(_ names: [String] = memberNames) -> [EntryBuilder.RosterMember] {
        names.map { EntryBuilder.RosterMember(name: $0, role: roles[$0] ?? "micro-enterprise", key: key($0).publicKey) }
    }

    /// Entries of a small valid ledger: genesis, three accepts, a key rotation.
    static func basicLedger(nonceByte: UInt8 = 0x01) throws -> [DecodedEntry] {
        var state = LedgerState()
        var entries: [DecodedEntry] = []
        func add(_ entry: Entry) throws {
            let decoded = try DecodedEntry(entry: entry)
            state = try state.applying(decoded)
            entries.append(decoded)
        }
        try add(EntryBuilder.genesis(contract: contract, members: roster(), founder: key("yu"), time: time(1),
                                     nonce: Array(repeating: nonceByte, count: 16)))
        for (index, name) in memberNames.enumerated() {
            try add(EntryBuilder.accept(after: state, contractHash: Entry.contractHash(contract), time: time(2 + index), key: key(name), bindRendering: false))
        }
        try add(EntryBuilder.rotateKey(after: state, member: "chef", oldKey: key("chef"), newKey: key("chef-2"), time: time(6)))
        return entries
    }

    static func fileBytes(_ lines: [[UInt8]]) -> [UInt8] {
        lines.flatMap { $0 + [0x0a] }
    }

    /// Re-signs `entry` as if by `signers` (used to build entries an honest writer would refuse).
    static func forged(_ entry: Entry, signers: [PrivateKey]) throws -> [UInt8] {
        var copy = entry
        copy.signatures = []
        for signer in signers { try copy.sign(with: signer) }
        return copy.lineBytes
    }

    struct Tampered {
        var name: String
        var lines: [[UInt8]]
        var seq: Int64
        var reason: String
    }

    /// One ledger per kind of tampering, each with the entry that must be rejected and why.
    static func tamperedLedgers() throws -> [Tampered] {
        let valid = try basicLedger()
        let lines = valid.map(\.lineBytes)
        let state3 = try valid.prefix(3).reduce(LedgerState()) { try $0.applying($1) }
        let state4 = try valid.prefix(4).reduce(LedgerState()) { try $0.applying($1) }
        let other = try basicLedger(nonceByte: 0x02)
        var cases: [Tampered] = []
        cases.append(Tampered(name: "reordered", lines: [lines[0], lines[1], lines[3], lines[2], lines[4]],
                              seq: 3, reason: "sequence number 4, expected 3"))
        cases.append(Tampered(name: "duplicated", lines: [lines[0], lines[1], lines[1], lines[2], lines[3], lines[4]],
                              seq: 3, reason: "sequence number 2, expected 3"))
        cases.append(Tampered(name: "dropped-middle", lines: [lines[0], lines[1], lines[3], lines[4]],
                              seq: 3, reason: "sequence number 4, expected 3"))
        cases.append(Tampered(name: "from-another-ledger", lines: Array(lines[0..<3]) + [other[3].lineBytes],
                              seq: 4, reason: "copied from another ledger"))
        let outsider = EntryBuilder.next(after:kind:body:time:signers:)
        let byOutsider = try outsider(state3, "accept", ["contract_hash": .string(Entry.contractHash(contract))], time(4), [key("mallory")])
        cases.append(Tampered(name: "signed-by-non-member", lines: Array(lines[0..<3]) + [byOutsider.lineBytes],
                              seq: 4, reason: "not the current key of any member"))
        let again = try EntryBuilder.accept(after: state4, contractHash: Entry.contractHash(contract), time: time(5), key: key("chef"), bindRendering: false)
        cases.append(Tampered(name: "accept-twice", lines: Array(lines[0..<4]) + [again.lineBytes],
                              seq: 5, reason: "member \"chef\" already accepted contract version 1"))
        let early = try EntryBuilder.accept(after: state3, contractHash: Entry.contractHash(contract), time: time(1, 8), key: key("farm"), bindRendering: false)
        cases.append(Tampered(name: "time-backwards", lines: Array(lines[0..<3]) + [early.lineBytes],
                              seq: 4, reason: "is before the previous entry's time"))
        var wrongSigner = valid[3].entry
        wrongSigner.signatures = [EntrySignature(keyID: key("farm").publicKey.keyID, signature: valid[2].entry.signatures[0].signature)]
        cases.append(Tampered(name: "bad-signature", lines: Array(lines[0..<3]) + [wrongSigner.lineBytes, lines[4]],
                              seq: 4, reason: "does not verify"))
        let huge = try EntryBuilder.next(after: state3, kind: "accept",
                                         body: ["contract_hash": .string(Entry.contractHash(contract)),
                                                "padding": .string(String(repeating: "x", count: Entry.maximumLineBytes))],
                                         time: time(4), signers: [key("farm")])
        cases.append(Tampered(name: "oversized-line", lines: Array(lines[0..<3]) + [huge.lineBytes],
                              seq: 4, reason: "the limit is \(Entry.maximumLineBytes)"))
        let state5 = try valid.reduce(LedgerState()) { try $0.applying($1) }
        let oldKeyUse = try EntryBuilder.next(after: state5, kind: "rotate-key",
                                              body: ["member": .string("chef"), "new_key": .string(Hex.encode(key("chef-3").publicKey.rawRepresentation))],
                                              time: time(7), signers: [key("chef"), key("chef-3")])
        cases.append(Tampered(name: "rotated-key-reused", lines: lines + [oldKeyUse.lineBytes],
                              seq: 6, reason: "must be signed by key"))
        var noncanonical = lines
        noncanonical[1] = Array(String(decoding: lines[1], as: UTF8.self).replacingOccurrences(of: "{\"body\":", with: "{ \"body\":").utf8)
        cases.append(Tampered(name: "non-canonical", lines: noncanonical, seq: 2, reason: "not in canonical form"))
        return cases
    }
}
