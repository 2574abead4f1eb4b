import ContractLanguage
import Foundation
import Ledger
import LedgerCrypto
import LedgerFormat

/// A ledger of alice, bob and carol built through the library and written straight to a file:
/// thousands of valid entries in a moment, for tests that then run the binary on them.
struct LibraryLedger {
    static let roles = ["alice": "micro-enterprise", "bob": "external-partner", "carol": "external-partner"]
    static let contract = contractText(members: [("alice", "micro-enterprise"), ("bob", "external-partner"), ("carol", "external-partner")])

    var state = LedgerState()
    var lines: [[UInt8]] = []
    private var seconds: Int64 = 1_590_969_600  // 2020-06-01T00:00:00Z

    static func key(_ name: String) -> PrivateKey {
        try! PrivateKey(seed: SHA256.hash(Array("emc-e2e-key/\(name)".utf8)))
    }

    /// Genesis and the three members' accepts (4 entries).
    init(nonce: UInt8 = 1) throws {
        let roster = ["alice", "bob", "carol"].map { EntryBuilder.RosterMember(name: $0, role: Self.roles[$0]!, key: Self.key($0).publicKey) }
        try add(EntryBuilder.genesis(contract: Self.contract, members: roster, founder: Self.key("alice"), time: nextTime(),
                                     nonce: Array(repeating: nonce, count: 16)))
        for name in ["alice", "bob", "carol"] {
            try add(EntryBuilder.accept(after: state, contractHash: Entry.contractHash(Self.contract), time: nextTime(), key: Self.key(name)))
        }
    }

    mutating func nextTime() -> Timestamp {
        seconds += 60
        return Timestamp(secondsSinceEpoch: seconds)
    }

    /// Applies `entry` (signatures are the binary's to check) and keeps its line.
    mutating func add(_ entry: Entry) throws {
        let decoded = try DecodedEntry(entry: entry)
        var ignored: [SignatureJob] = []
        try state.apply(decoded, deferringSignaturesInto: &ignored)
        lines.append(decoded.lineBytes)
    }

    /// Adds `count` reports of revenue for 2020-06 (the first period) by alice, made in July, each
    /// correcting the one before.
    mutating func addReports(_ count: Int, base: Int = 100) throws {
        seconds = max(seconds, 1_593_561_600)  // 2020-07-01T00:00:00Z
        for index in 0..<count {
            try add(EntryBuilder.report(after: state, period: Period("2020-06")!, metric: "revenue",
                                        value: "\(base + index).00", time: nextTime(), key: Self.key("alice")))
        }
    }

    mutating func rotate(_ member: String, to newName: String) throws {
        try add(EntryBuilder.rotateKey(after: state, member: member, oldKey: Self.key(member), newKey: Self.key(newName), time: nextTime()))
    }

    /// An amendment without carol: alice proposes, bob and carol approve; carol is no longer active.
    mutating func removeCarol() throws {
        let contract = contractText(members: [("alice", "micro-enterprise"), ("bob", "external-partner")])
        try add(EntryBuilder.propose(after: state, contract: contract, effective: Period("2020-08")!, reason: "carol leaves",
                                     joiners: [], time: nextTime(), key: Self.key("alice")))
        let proposal = state.headSeq
        for name in ["bob", "carol"] {
            try add(EntryBuilder.vote(after: state, proposal: proposal, approve: true, time: nextTime(), key: Self.key(name)))
        }
    }

    /// Writes the first `count` lines (all by default) to `url`.
    func write(to url: URL, count: Int? = nil) throws {
        try Data(lines.prefix(count ?? lines.count).flatMap { $0 + [0x0a] }).write(to: url)
    }

    /// Writes every key (and alice's, bob's, carol's rotated keys) as NAME.key / NAME.pub into `directory`.
    static func writeKeys(_ names: [String], into directory: URL) throws {
        for name in names { _ = try KeyFiles.write(key(name), name: name, directory: directory.path) }
    }
}
