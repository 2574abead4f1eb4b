import Foundation
import LedgerCrypto

/// The built-in sample: a small EMC story played through the same code paths as the commands.
public enum DemoStory {
    public struct Result {
        public var ledgerPath: String
        public var state: LedgerState
        public var summary: String
    }

    /// Fixed demo members: name, role. Their keys come from fixed seeds (demo only).
    static let members: [(name: String, role: String)] = [
        ("yu", "micro-enterprise"), ("chef", "external-partner"), ("farm", "external-partner"),
        ("oven", "micro-enterprise"), ("fridge", "micro-enterprise"), ("platform", "platform"),
    ]

    /// The deterministic demo key of `name`: seed = SHA-256("emc-demo-key/" ‖ name).
    public static func key(for name: String) throws -> PrivateKey {
        try PrivateKey(seed: SHA256.hash(Array("emc-demo-key/\(name)".utf8)))
    }

    static func time(_ text: String) -> Timestamp { Timestamp(text)! }

    public static func play(directory: String) throws -> Result {
        let fileManager = FileManager.default
        let keysDirectory = directory + "/keys"
        try fileManager.createDirectory(atPath: keysDirectory, withIntermediateDirectories: true)
        let ledgerPath = directory + "/ledger.jsonl"
        try? fileManager.removeItem(atPath: ledgerPath)
        var keys: [String: PrivateKey] = [:]
        for member in members {
            let key = try key(for: member.name)
            keys[member.name] = key
            for suffix in [".key", ".pub"] { try? fileManager.removeItem(atPath: "\(keysDirectory)/\(member.name)\(suffix)") }
            _ = try KeyFiles.write(key, name: member.name, directory: keysDirectory)
        }
        let roster = members.map { EntryBuilder.RosterMember(name: $0.name, role: $0.role, key: keys[$0.name]!.publicKey) }
        let genesis = try EntryBuilder.genesis(contract: demoContract, members: roster, founder: keys["yu"]!,
                                               time: time("2020-03-01T09:00:00Z"), nonce: Array(repeating: 0xd0, count: 16))
        try LedgerStore.create(path: ledgerPath, genesis: DecodedEntry(entry: genesis))
        for (index, member) in members.enumerated() {
            try LedgerStore.append(path: ledgerPath) { state in
                [try EntryBuilder.accept(after: state, contractHash: Entry.contractHash(demoContract),
                                         time: time("2020-03-0\(index + 2)T10:00:00Z"), key: keys[member.name]!)]
            }
        }
        let verified = try Verifier.verify(path: ledgerPath)
        let summary = """
        wrote \(ledgerPath) (\(verified.entryCount) entries) and keys in \(keysDirectory)
        verify: ok, head \(verified.state.headHash)
        """
        return Result(ledgerPath: ledgerPath, state: verified.state, summary: summary)
    }

    static let demoContract = "contract \"Smart Cooking EMC\"\n"
}
