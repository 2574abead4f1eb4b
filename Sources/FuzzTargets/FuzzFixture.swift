import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

/// The fixed inputs the fuzz targets start from: a valid contract, and a valid ledger prefix
/// (genesis, accepts by yu and chef, chef's key rotation) built deterministically from fixed key seeds.
public enum FuzzFixture {
    public static let contractText = """
        contract "Fuzz EMC"
        currency CNY 2
        settlement monthly

        member yu   "Yu kitchen" micro-enterprise
        member chef "Chef Wang"  external-partner
        member farm "Green farm" external-partner

        share yu   50%
        share chef 25%
        share farm 25%

        metric revenue money   reported by yu
        metric guests  count   reported by chef
        metric trend   percent reported by farm

        rule sharing every period
          when revenue > 0 and trend > 1%
          then
            split 10% of revenue by shares

        """

    public static let contract: Contract = {
        guard let contract = checkContract(source: contractText).contract else {
            preconditionFailure("the fuzz fixture contract must pass the checker")
        }
        return contract
    }()

    static let roles = ["yu": "micro-enterprise", "chef": "external-partner", "farm": "external-partner"]

    /// The key of `name`: seed = SHA-256("emc-fuzz-key/" ‖ name).
    public static func key(_ name: String) -> PrivateKey {
        do {
            return try PrivateKey(seed: SHA256.hash(Array("emc-fuzz-key/\(name)".utf8)))
        } catch {
            preconditionFailure("fixed key seed rejected: \(error)")
        }
    }

    static func time(_ day: Int) -> Timestamp {
        guard let time = Timestamp("2020-05-\(day < 10 ? "0" : "")\(day)T09:00:00Z") else { preconditionFailure("bad fixture time") }
        return time
    }

    /// The prefix's lines, in order.
    public static let prefixEntries: [DecodedEntry] = {
        do {
            var state = LedgerState()
            var entries: [DecodedEntry] = []
            func add(_ entry: Entry) throws {
                let decoded = try DecodedEntry(entry: entry)
                try state.apply(decoded)
                entries.append(decoded)
            }
            let roster = ["yu", "chef", "farm"].map { EntryBuilder.RosterMember(name: $0, role: roles[$0]!, key: key($0).publicKey) }
            try add(EntryBuilder.genesis(contract: contractText, members: roster, founder: key("yu"), time: time(1),
                                         nonce: Array(repeating: 0x5a, count: 16)))
            for (index, name) in ["yu", "chef"].enumerated() {
                try add(EntryBuilder.accept(after: state, contractHash: Entry.contractHash(contractText), time: time(2 + index), key: key(name), bindRendering: false))
            }
            try add(EntryBuilder.rotateKey(after: state, member: "chef", oldKey: key("chef"), newKey: key("chef-2"), time: time(5)))
            return entries
        } catch {
            preconditionFailure("the fuzz fixture prefix must be valid: \(error)")
        }
    }()

    /// The state after the prefix.
    public static let prefixState: LedgerState = {
        var state = LedgerState()
        for entry in prefixEntries {
            do { try state.apply(entry) } catch { preconditionFailure("prefix entry rejected: \(error)") }
        }
        return state
    }()

    /// Lines that validly extend the prefix (seeds for the entry fuzzer's corpus).
    public static func validNextLines() throws -> [[UInt8]] {
        let hash = Entry.contractHash(contractText)
        let accept = try EntryBuilder.accept(after: prefixState, contractHash: hash, time: time(6), key: key("farm"), bindRendering: false)
        let rotate = try EntryBuilder.rotateKey(after: prefixState, member: "yu", oldKey: key("yu"), newKey: key("yu-2"), time: time(7))
        return [accept.lineBytes, rotate.lineBytes]
    }

    /// The member whose state cache the cache target loads.
    public static var cacheMember: PrivateKey { key("yu") }

    /// `cacheMember`'s cache key for the prefix's ledger.
    public static let cacheKey: StateCacheKey = {
        do { return try StateCacheKey(member: cacheMember, ledgerID: prefixState.ledgerID) } catch {
            preconditionFailure("cannot derive the fixture cache key: \(error)")
        }
    }()

    /// The prefix as file bytes.
    public static var prefixBytes: [UInt8] { prefixEntries.flatMap { $0.lineBytes + [0x0a] } }

    /// A valid state cache of the whole prefix (the seed of the cache fuzzer's corpus).
    public static func prefixCache() -> [UInt8] {
        let verified = VerifiedLedger(state: prefixState, validByteCount: Int64(prefixBytes.count),
                                      lastLineOffset: Int64(prefixBytes.count - prefixEntries.last!.lineBytes.count - 1), tornTail: nil)
        let bytes = StateCache.encode(verified, key: cacheKey)
        return bytes
    }

    /// The entry the cache target's writer appends, built from the state the writer holds: what
    /// a cache could steer if it were trusted blindly.
    public static func nextRotation(after state: LedgerState) throws -> Entry {
        try EntryBuilder.rotateKey(after: state, member: "yu", oldKey: key("yu"), newKey: key("yu-2"), time: time(7))
    }
}
