import LedgerReports
import LedgerStorage
import Ledger
import ContractLanguage
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LedgerCrypto

/// The built-in sample: the Smart Cooking EMC (seed 003) played through the same library calls the
/// commands make (`EntryBuilder` + `LedgerStore.append`). Deterministic: fixed keys, times and nonce.
public enum DemoStory {
    public struct Result {
        public var ledgerPath: String
        public var state: LedgerState
        public var summary: String
    }

    /// The deterministic demo key of `name`: seed = SHA-256("emc-demo-key/" ‖ name). Demo only.
    public static func key(for name: String) throws -> PrivateKey {
        try PrivateKey(seed: SHA256.hash(Array("emc-demo-key/\(name)".utf8)))
    }

    /// Writes DIR/ledger.jsonl and DIR/keys/, replacing earlier demo files, and verifies the ledger.
    public static func play(directory: String) throws -> Result {
        let player = try Player(directory: directory)
        try player.playStory()
        let verified = try Verifier.verify(path: player.ledgerPath)
        guard verified.tornTail == nil, verified.state.headHash == player.state.headHash else {
            throw LedgerError(.malformed, "the demo ledger did not verify", file: player.ledgerPath)
        }
        return Result(ledgerPath: player.ledgerPath, state: verified.state, summary: player.summary(verified: verified))
    }

    final class Player {
        let ledgerPath: String
        let keysDirectory: String
        var keys: [String: PrivateKey] = [:]
        var state = LedgerState()
        var notes: [String] = []
        /// Paid per member per rule, over all settlements, in minor units.
        var paidByRule: [String: [String: Int64]] = [:]

        init(directory: String) throws {
            let fileManager = FileManager.default
            keysDirectory = directory + "/keys"
            ledgerPath = directory + "/ledger.jsonl"
            try fileManager.createDirectory(atPath: keysDirectory, withIntermediateDirectories: true)
            try? fileManager.removeItem(atPath: ledgerPath)
        }

        func makeKey(_ name: String) throws -> PrivateKey {
            let key = try DemoStory.key(for: name)
            for suffix in [".key", ".pub"] { try? FileManager.default.removeItem(atPath: "\(keysDirectory)/\(name)\(suffix)") }
            _ = try KeyFiles.write(key, name: name, directory: keysDirectory)
            return key
        }

        /// Appends one entry through the locked, durable write path and keeps the new state.
        func append(_ make: (LedgerState) throws -> Entry) throws {
            let written = try LedgerStore.append(path: ledgerPath) { state in [try make(state)] }
            state = try state.applying(written[0])
        }

        static func time(_ period: Period, day: Int, hour: Int = 10) -> Timestamp {
            Timestamp("\(period)-\(day < 10 ? "0" : "")\(day)T\(hour < 10 ? "0" : "")\(hour):00:00Z")!
        }

        func playStory() throws {
            let members = checkContract(source: DemoData.smartCookingContract).contract!.members
            for member in members { keys[member.name] = try makeKey(member.name) }
            let start = Period("2020-03")!
            let roster = members.map { EntryBuilder.RosterMember(name: $0.name, role: $0.role.rawValue, key: keys[$0.name]!.publicKey) }
            let genesis = try EntryBuilder.genesis(contract: DemoData.smartCookingContract, members: roster, founder: keys["yu"]!,
                                                   time: Self.time(start, day: 2), nonce: Array(repeating: 0xd0, count: 16))
            try LedgerStore.create(path: ledgerPath, genesis: try DecodedEntry(entry: genesis))
            state = try state.applying(try DecodedEntry(entry: genesis))
            notes.append("Yu founds the Smart Cooking EMC with 6 partners; all 7 accept the contract (March 2020).")
            for (index, member) in members.enumerated() {
                try append { try EntryBuilder.accept(after: $0, contractHash: $0.contracts[0].hash, time: Self.time(start, day: 3 + index), key: keys[member.name]!) }
            }
            for month in DemoData.months {
                try playMonth(month)
            }
        }

        func playMonth(_ month: (period: String, revenue: String, cost: String, ducks: String, dishes: String, market: String)) throws {
            let period = Period(month.period)!
            let next = period.next
            try report(period, "revenue", month.revenue, by: "yu", day: 1)
            try report(period, "ducks_sold", month.ducks, by: "yu", day: 1)
            try report(period, "new_dishes", month.dishes, by: "chef", day: 1)
            try report(period, "market_growth", month.market, by: "haier", day: 2)
            if period.description == "2021-02" {
                // Yu's first cost figure is an estimate; the factory reports the audited figure, which supersedes it.
                try report(period, "cost", "1150000.00", by: "yu", day: 2)
                notes.append("2021-02: Yu's estimated cost is superseded by the factory's audited figure before settlement.")
            }
            try report(period, "cost", month.cost, by: period.description == "2021-02" ? "factory" : "yu", day: 3)
            if period.description == "2021-05" {
                let newKey = try makeKey("farm-2")
                try append { try EntryBuilder.rotateKey(after: $0, member: "farm", oldKey: keys["farm"]!, newKey: newKey, time: Self.time(next, day: 3, hour: 12)) }
                keys["farm"] = newKey
                notes.append("2021-06: the duck farm rotates its key (signed by the old and the new key).")
            }
            try settle(period, day: 5)
            if period.description == "2020-12" { try amendShares(effective: Period("2021-01")!, day: 6) }
            if period.description == "2021-06" { try proposeHigherFee(effective: Period("2021-08")!, day: 6) }
            if period.description == "2021-10" { try disputeSeptember(day: 7) }
        }

        func report(_ period: Period, _ metric: String, _ value: String, by member: String, day: Int) throws {
            let contract = state.governingVersion(for: period).contract
            let type = contract.metrics.first { $0.name == metric }!.type
            let text = type.parseValue(value, currency: contract.currency)!.canonicalText(currency: contract.currency)
            try append { try EntryBuilder.report(after: $0, period: period, metric: metric, value: text,
                                                 time: Self.time(period.next, day: day), key: keys[member]!) }
        }

        func settle(_ period: Period, day: Int) throws {
            let computed = try state.computeSettlement(of: period)
            for payout in computed.settlement.payouts {
                paidByRule[payout.member, default: [:]][payout.rule, default: 0] += payout.amountMinor
            }
            for outcome in computed.settlement.goalOutcomes where !outcome.met {
                notes.append("\(period): goal \(outcome.goal) missed: ratings \(outcome.ratingChanges.map { "\($0.member) \($0.delta)" }.joined(separator: ", ")); forfeits \(outcome.forfeitedRules.joined(separator: ", ")).")
            }
            if let trace = computed.settlement.trace.rules.first(where: { $0.name == "profit_sharing" }), !trace.fired,
               period.description == "2021-04" {
                notes.append("2021-04: profit is positive but revenue grew less than the market (9%): no profit sharing.")
            }
            if computed.settlement.payouts.contains(where: { $0.rule == "duck_bonus" }) {
                notes.append("\(period): 20,000 ducks sold — the one-time duck bonus is paid.")
            }
            try append { try EntryBuilder.settle(after: $0, period: period, time: Self.time(period.next, day: day), key: keys["yu"]!) }
        }

        func amendShares(effective: Period, day: Int) throws {
            let proposal = state.headSeq + 1
            try append { try EntryBuilder.propose(after: $0, contract: DemoData.smartCookingContractV2, effective: effective,
                                                  reason: "monthly re-evaluation after the launch: the recipe and the ducks carry more of the value",
                                                  joiners: [], time: Self.time(effective, day: day), key: keys["yu"]!) }
            for member in ["chef", "farm", "factory", "oven", "fridge", "haier"] {
                try append { try EntryBuilder.vote(after: $0, proposal: proposal, approve: true, time: Self.time(effective, day: day, hour: 14), key: keys[member]!) }
            }
            notes.append("\(effective): shares re-evaluated by consensus (version 2: yu 27%, chef 19.5%, farm 13.5%), effective \(effective).")
        }

        func proposeHigherFee(effective: Period, day: Int) throws {
            let proposal = state.headSeq + 1
            let month = effective.previous
            try append { try EntryBuilder.propose(after: $0, contract: DemoData.smartCookingContractHigherFee, effective: effective,
                                                  reason: "the Workbench costs more to run: raise the platform fee to 5%",
                                                  joiners: [], time: Self.time(month, day: day), key: keys["haier"]!) }
            try append { try EntryBuilder.vote(after: $0, proposal: proposal, approve: true, time: Self.time(month, day: day, hour: 14), key: keys["yu"]!) }
            try append { try EntryBuilder.vote(after: $0, proposal: proposal, approve: false, time: Self.time(month, day: day, hour: 15), key: keys["chef"]!) }
            notes.append("\(month): the platform proposes a 5% fee; the chef rejects it, so version 3 never takes effect.")
        }

        /// The factory finds that September 2021 included a bulk order that was cancelled: revenue and
        /// cost were over-reported. All members consent; the adjustment claws back part of the
        /// platform fee and tops up everyone's profit share.
        func disputeSeptember(day: Int) throws {
            let period = Period("2021-09")!, month = Period("2021-11")!
            let dispute = state.headSeq + 1
            try append { try EntryBuilder.dispute(after: $0, period: period,
                                                  corrections: [("revenue", "1850000.00"), ("cost", "1330000.00")],
                                                  reason: "a 50,000.00 bulk order was cancelled and its 120,000.00 cost was booked twice",
                                                  time: Self.time(month, day: day), key: keys["factory"]!) }
            for member in ["yu", "chef", "farm", "oven", "fridge", "haier"] {
                try append { try EntryBuilder.vote(after: $0, proposal: dispute, approve: true, time: Self.time(month, day: day, hour: 14), key: keys[member]!) }
            }
            let computed = try state.computeAdjustment(for: dispute)
            for adjusted in computed.periods {
                for (member, amount) in adjusted.differences {
                    paidByRule[member, default: [:]]["adjustment", default: 0] += amount
                }
            }
            try append { try EntryBuilder.adjust(after: $0, dispute: dispute, time: Self.time(month, day: day, hour: 15), key: keys["haier"]!) }
            let currency = state.contracts[0].contract.currency
            let changes = computed.differences.map { "\($0.member) \($0.amountMinor > 0 ? "+" : "")\(formatMinorUnits($0.amountMinor, currency: currency))" }
            notes.append("2021-11: the factory disputes 2021-09 (a cancelled order); all agree, and the adjustment re-settles 2021-09 and 2021-10: \(changes.joined(separator: ", ")).")
        }

        func summary(verified: VerifiedLedger) -> String {
            let currency = state.contracts[0].contract.currency
            var text = "EMC Ledger demo — the Smart Cooking EMC (Peking duck at home)\n\nWhat happened:\n"
            for note in notes { text += "  - \(note)\n" }
            text += "\nWho was paid what in total, and why (\(currency.code)):\n"
            for member in state.members {
                let total = state.totalsPaid[member.name] ?? 0
                let rules = (paidByRule[member.name] ?? [:]).sorted { $0.key < $1.key }
                    .map { "\($0.key) \(formatMinorUnits($0.value, currency: currency))" }.joined(separator: ", ")
                text += "  \(member.name.padded(8)) \(formatMinorUnits(total, currency: currency).leftPadded(13))  \(rules)\n"
            }
            text += "\nwrote \(ledgerPath) (\(verified.entryCount) entries) and keys in \(keysDirectory)\n"
            text += "verify: ok, head \(verified.state.headHash)\n"
            text += "next: emc status \(ledgerPath) · emc log \(ledgerPath) · emc verify \(ledgerPath)\n"
            return text
        }
    }
}
