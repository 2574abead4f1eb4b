import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

/// Produces the entries of the synthetic ledger one at a time, each signed and valid against the
/// state it extends: genesis, every member's accept, then per period one report per metric by its
/// reporter and one settlement. Periods are months from 1970-01 (entry times are ≥ 1970, SPEC §1.4);
/// a period is reported and settled during the next month (SPEC §3.3, §3.5).
struct SyntheticLedger {
    static let firstPeriod = Period("1970-01")!

    let contract: SyntheticContract
    let keys: [String: PrivateKey]
    /// The state after every entry produced so far (written or not).
    private(set) var state = LedgerState()
    /// The period being reported, as an index from `firstPeriod`, and the step within it.
    private(set) var periodIndex = 0
    private var step = 0

    init(contract: SyntheticContract) throws {
        self.contract = contract
        var keys: [String: PrivateKey] = [:]
        for member in contract.members {
            keys[member.name] = try PrivateKey(seed: SHA256.hash(Array("emc-bench-key/\(member.name)".utf8)))
        }
        self.keys = keys
    }

    var period: Period { Period.of(monthIndex: Self.firstPeriod.monthIndex + periodIndex) }

    /// Claimed time: day 1 of the month after the period, `hour` o'clock.
    func time(hour: Int) -> Timestamp {
        Timestamp("\(period.next)-01T\(String(hour).leftZeroPadded(2)):00:00Z")!
    }

    func genesis() throws -> Entry {
        let roster = contract.members.map { EntryBuilder.RosterMember(name: $0.name, role: $0.role, key: keys[$0.name]!.publicKey) }
        return try EntryBuilder.genesis(contract: contract.text, members: roster, founder: keys[contract.platform]!,
                                        time: Timestamp("1970-01-01T00:00:00Z")!, nonce: Array(repeating: 0xbe, count: 16))
    }

    /// Replaces the tracked state, e.g. with a writer's after entries were appended elsewhere.
    mutating func resynchronize(with state: LedgerState) { self.state = state }

    /// Continues a synthetic ledger read from disk: reports go to the period after the last settled one.
    mutating func resume(from state: LedgerState) {
        self.state = state
        let next = state.lastSettledPeriod.map { $0.monthIndex + 1 } ?? Self.firstPeriod.monthIndex
        periodIndex = next - Self.firstPeriod.monthIndex
        step = 0
    }

    /// The next entry; it is already applied to `state` (signatures are the writer's to check).
    mutating func next() throws -> DecodedEntry {
        let entry = try makeNext()
        let decoded = try DecodedEntry(entry: entry)
        var ignoredJobs: [SignatureJob] = []
        try state.apply(decoded, deferringSignaturesInto: &ignoredJobs)
        return decoded
    }

    private mutating func makeNext() throws -> Entry {
        if state.isEmpty { return try genesis() }
        let acceptedCount = state.contracts[0].acceptedBy.count
        if acceptedCount < contract.members.count {
            let member = contract.members[acceptedCount].name
            return try EntryBuilder.accept(after: state, contractHash: state.contracts[0].hash,
                                           time: Timestamp("1970-01-01T00:10:00Z")!, key: keys[member]!)
        }
        if step < contract.metrics.count {
            let metric = contract.metrics[step]
            step += 1
            return try report(metric, value: contract.value(of: metric, periodIndex: periodIndex))
        }
        let entry = try EntryBuilder.settle(after: state, period: period, time: time(hour: 2), key: keys[contract.platform]!)
        step = 0
        periodIndex += 1
        return entry
    }

    /// A report of `metric` for the open period by its reporter (also used for single appends).
    func report(_ metric: SyntheticContract.Metric, value: String, after base: LedgerState? = nil) throws -> Entry {
        try EntryBuilder.report(after: base ?? state, period: period, metric: metric.name, value: value,
                                time: time(hour: 1), key: keys[metric.reporter]!)
    }

    /// The next `count` entries, not yet written.
    mutating func next(_ count: Int) throws -> [Entry] {
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count { entries.append(try next().entry) }
        return entries
    }
}
