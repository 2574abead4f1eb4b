import ContractLanguage
import Foundation
import Ledger
import LedgerCrypto
import LedgerStorage
import TestSupport
import Testing

/// The law of issue 11: whatever a writer appends verifies in a fresh process. Random valid
/// operation sequences — reports (zero, negative, huge), settlements, amendments with joiners and
/// votes, disputes reaching back 12 periods with their adjustments, key rotations — are carried
/// out alternately through the library (`LedgerState.plan` + `LedgerStore.append`) and through the
/// `emc` binary. After every step a fresh `emc verify` must accept the file, no command may die of
/// a signal, and a step that reported success must have appended.
@Suite(.serialized) struct WriterOutputVerifiesTests {
    @Test(arguments: [UInt64(0x11), 0x12, 0x13])
    func randomOperationsAlwaysVerify(seed: UInt64) throws {
        var scenario = try Scenario(seed: seed, memberCount: 3 + Int(seed % 3), ruleCopies: 1)
        defer { scenario.cleanUp() }
        try scenario.run(steps: 32)
    }

    /// A contract at the language's limits: the largest settlement and a 12-period adjustment of it
    /// must still be recordable, by the writer and the verifier alike.
    @Test func contractAtTheSizeLimitsSettlesAndAdjusts() throws {
        var scenario = try Scenario(seed: 0x77, memberCount: 50, ruleCopies: 19, longNames: true)
        scenario.verifyEachStep = false
        defer { scenario.cleanUp() }
        try scenario.runLimitStory(periods: 13)
    }
}

/// One random EMC played through the writer paths.
struct Scenario {
    var generator: SeededGenerator
    let directory: URL
    let ledger: String
    var members: [(name: String, role: String, key: PrivateKey, keyPath: String)]
    var contract: String
    var contractVersion = 1
    var time: Int64 = 1_577_836_800 // 2020-01-01T00:00:00Z
    var settled: [Period] = []
    var openPeriod: Period? = nil
    var keyCounter = 0
    let ruleCopies: Int
    let longNames: Bool
    /// The limit story verifies after each settlement and at the end only (its entries are large).
    var verifyEachStep = true
    /// Why the last refused step was refused (for failure messages).
    var lastRefusal = ""

    init(seed: UInt64, memberCount: Int, ruleCopies: Int, longNames: Bool = false) throws {
        generator = SeededGenerator(seed: seed)
        directory = try makeTemporaryDirectory()
        ledger = directory.appendingPathComponent("emc.jsonl").path
        self.ruleCopies = ruleCopies
        self.longNames = longNames
        members = []
        contract = ""
        for index in 0..<memberCount {
            let role = index == 0 ? "micro-enterprise" : index == 1 ? "platform" : "external-partner"
            let name = longNames ? "m\(index)_" + String(repeating: "x", count: 60 - String(index).count) : "m\(index)"
            members.append(try newMember(name: name, role: role))
        }
        contract = makeContract(members: members.map { ($0.name, $0.role) }, variant: 0)
    }

    mutating func newMember(name: String, role: String) throws -> (name: String, role: String, key: PrivateKey, keyPath: String) {
        keyCounter += 1
        var seedBytes = [UInt8](repeating: 0, count: 32)
        for index in 0..<32 { seedBytes[index] = UInt8(truncatingIfNeeded: generator.next()) }
        let key = try PrivateKey(seed: seedBytes)
        let paths = try KeyFiles.write(key, name: "key\(keyCounter)", directory: directory.path)
        return (name, role, key, paths.privatePath)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    /// A contract over `members` with every kind of action; `variant` changes its numbers.
    func makeContract(members: [(name: String, role: String)], variant: Int) -> String {
        let rule = longNames ? "r_" + String(repeating: "y", count: 50) : "r"
        var text = "contract \"Random EMC \(variant)\"\ncurrency CNY 2\nsettlement monthly\n\n"
        for member in members { text += "member \(member.name) \"\(member.name)\" \(member.role)\n" }
        let basisPoints = 10_000 / members.count
        for (index, member) in members.enumerated() {
            let share = index == 0 ? 10_000 - basisPoints * (members.count - 1) : basisPoints
            text += "share \(member.name) \(share / 100).\(share % 100 < 10 ? "0" : "")\(share % 100)%\n"
        }
        let first = members[0].name, platform = members[1].name
        text += "\nmetric revenue money reported by \(first)\nmetric cost money reported by \(first), \(platform)\n"
        text += "metric units count reported by \(first)\nmetric market percent reported by \(platform)\n"
        text += "define profit = revenue - cost\n"
        text += "goal volume target total(units) >= \(1000 + variant) deadline 2020-06 if missed rating \(first) -1\n"
        for copy in 0..<ruleCopies {
            text += "rule \(rule)\(copy)_share every period when profit > 0 and (previous(revenue) = 0 or not growth(revenue) < market) then split \(5 + variant)% of profit by shares\n"
        }
        text += "rule platform_fee every period when revenue > 0 then fee 3% of revenue to \(platform)\n"
        let weights = members.prefix(3).enumerated().map { "\($0.element.name) \(3 - $0.offset)" }.joined(separator: ", ")
        text += "rule bonus once when total(units) >= 500 then pay \(first) 100.00 split 1000.01 by weights (\(weights))\n"
        return text
    }

    // MARK: Steps

    var currentPeriod: Period { Period(Timestamp(secondsSinceEpoch: time).text.prefix(7).description)! }
    var timeText: String { Timestamp(secondsSinceEpoch: time).text }

    mutating func advance(days: Int64) { time += days * 86_400 }

    /// Runs `emc` and checks it exited normally (0, 1 or 2), never by a signal.
    func emc(_ arguments: [String]) throws -> RunResult {
        let result = try runEMC(arguments, in: directory)
        #expect([0, 1, 2].contains(result.exitCode), "emc \(arguments.joined(separator: " ")) died: \(result.exitCode) \(result.stderr)")
        return result
    }

    func entryCount() throws -> Int {
        guard let data = FileManager.default.contents(atPath: ledger) else { return 0 }
        return data.reduce(0) { $0 + ($1 == 0x0a ? 1 : 0) }
    }

    /// The law: a fresh process verifies the file from scratch.
    func requireVerifies(after step: String) throws {
        let result = try emc(["verify", ledger])
        #expect(result.exitCode == 0, "after \(step): \(result.stderr)")
        if result.exitCode != 0 { throw VerifyFailure(step: step, message: result.stderr) }
    }

    struct VerifyFailure: Error { var step: String; var message: String }

    /// Carries out `action` by `signer` through the library or the binary (chosen at random), and
    /// checks that a reported success appended and that the file verifies.
    mutating func perform(_ action: Action, signer index: Int, cli: [String], step: String) throws {
        let before = try entryCount()
        var succeeded = false
        if Bool.random(using: &generator) {
            let key = members[index].key, stamp = Timestamp(secondsSinceEpoch: time)
            do {
                try LedgerStore.append(path: ledger) { state in try state.plan(action, time: stamp, signer: key).entries }
                succeeded = true
            } catch {
                lastRefusal = "\(error)"
            }
        } else {
            let result = try emc(cli + ["--key", members[index].keyPath, "--time", timeText])
            succeeded = result.exitCode == 0
            if !succeeded { lastRefusal = result.stderr }
        }
        if succeeded { #expect(try entryCount() > before, "\(step) reported success but appended nothing") }
        if verifyEachStep || step.hasPrefix("settle") || step.hasPrefix("vote") && index == members.count - 1 { try requireVerifies(after: step) }
    }

    mutating func start() throws {
        let contractPath = directory.appendingPathComponent("v1.emc").path
        try contract.write(toFile: contractPath, atomically: true, encoding: .utf8)
        var arguments = ["init", ledger, "--contract", contractPath, "--key", members[0].keyPath, "--time", timeText]
        for member in members {
            arguments += ["--member", "\(member.name)=\(member.role):\(member.keyPath.replacingOccurrences(of: ".key", with: ".pub"))"]
        }
        let created = try emc(arguments)
        try #require(created.exitCode == 0, "init: \(created.stderr)")
        for index in members.indices {
            advance(days: 0)
            try perform(.accept(contractHash: nil), signer: index, cli: ["accept", ledger], step: "accept by \(members[index].name)")
        }
    }

    mutating func randomValue(_ type: String) -> String {
        let roll = Int.random(in: 0..<20, using: &generator)
        switch type {
        case "money":
            if roll == 0 { return "0.00" }
            if roll == 1 { return "-\(Int.random(in: 1...500_000, using: &generator)).\(Int.random(in: 10...99, using: &generator))" }
            if roll == 2 { return "90000000000000000.00" } // near the 64-bit limit: sums must be checked
            return "\(Int.random(in: 1...2_000_000, using: &generator)).\(Int.random(in: 10...99, using: &generator))"
        case "count": return roll == 0 ? "0" : "\(Int.random(in: 0...900, using: &generator))"
        default: return roll == 0 ? "0" : roll == 1 ? "-2.5" : "\(Int.random(in: 0...30, using: &generator)).5"
        }
    }

    mutating func reportAll(period: Period) throws {
        for (metric, type, reporter) in [("revenue", "money", 0), ("cost", "money", 1), ("units", "count", 0), ("market", "percent", 1)] {
            let value = randomValue(type)
            try perform(.report(period: period, metric: metric, value: value), signer: reporter,
                        cli: ["report", ledger, "--period", period.description, "--metric", metric, "--value", value],
                        step: "report \(metric)=\(value) for \(period)")
        }
    }

    mutating func settle(period: Period) throws {
        let signer = Int.random(in: 0..<min(2, members.count), using: &generator)
        try perform(.settle(period: period), signer: signer, cli: ["settle", ledger, "--period", period.description],
                    step: "settle \(period)")
        if let last = lastSettled(), last == period { settled.append(period) }
    }

    func lastSettled() -> Period? {
        (try? Verifier.verify(path: ledger))?.state.lastSettledPeriod
    }

    mutating func dispute() throws {
        guard !settled.isEmpty else { return }
        let target = settled[max(0, settled.count - 12 + Int.random(in: 0..<min(12, settled.count), using: &generator))]
        let value = randomValue("money")
        let disputer = Int.random(in: 0..<members.count, using: &generator)
        let seq = try entryCount() + 1
        try perform(.dispute(period: target, corrections: [(metric: "revenue", value: value)], reason: "audit"),
                    signer: disputer, cli: ["dispute", ledger, "--period", target.description, "--set", "revenue=\(value)", "--reason", "audit"],
                    step: "dispute \(target) revenue=\(value)")
        for index in members.indices where index != disputer {
            try perform(.vote(proposal: Int64(seq), approve: true), signer: index,
                        cli: ["vote", ledger, "--proposal", "\(seq)", "--approve"], step: "vote on dispute \(seq)")
        }
    }

    mutating func amend() throws {
        let joiner = try newMember(name: "j\(keyCounter)", role: "external-partner")
        let roster = members.map { ($0.name, $0.role) } + [(joiner.name, joiner.role)]
        let text = makeContract(members: roster, variant: contractVersion)
        let path = directory.appendingPathComponent("v\(contractVersion + 1).emc").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let effective = currentPeriod.next
        let seq = try entryCount() + 1
        let joinerSpec = EntryBuilder.RosterMember(name: joiner.name, role: joiner.role, key: joiner.key.publicKey)
        try perform(.propose(contract: text, effective: effective, reason: "grow", joiners: [joinerSpec]), signer: 0,
                    cli: ["propose", ledger, "--contract", path, "--effective", effective.description, "--reason", "grow",
                          "--member", "\(joiner.name)=\(joiner.role):\(joiner.keyPath.replacingOccurrences(of: ".key", with: ".pub"))"],
                    step: "propose version \(contractVersion + 1)")
        for index in members.indices.dropFirst() {
            try perform(.vote(proposal: Int64(seq), approve: true), signer: index,
                        cli: ["vote", ledger, "--proposal", "\(seq)", "--approve"], step: "vote on proposal \(seq)")
        }
        members.append(joiner)
        try perform(.accept(contractHash: nil), signer: members.count - 1, cli: ["accept", ledger], step: "accept by joiner")
        let adopted = (try? Verifier.verify(path: ledger))?.state.contracts.last?.status == .adopted
        if adopted { contractVersion += 1 } else { members.removeLast() }
    }

    mutating func rotate() throws {
        let index = Int.random(in: 0..<members.count, using: &generator)
        let replacement = try newMember(name: members[index].name, role: members[index].role)
        try perform(.rotateKey(newKey: replacement.key), signer: index,
                    cli: ["rotate-key", ledger, "--new-key", replacement.keyPath], step: "rotate \(members[index].name)")
        if (try? Verifier.verify(path: ledger))?.state.member(named: members[index].name)?.key == replacement.key.publicKey {
            members[index] = replacement
        }
    }

    mutating func run(steps: Int) throws {
        try start()
        var period = currentPeriod
        for _ in 0..<steps {
            switch Int.random(in: 0..<10, using: &generator) {
            case 0...4:
                try reportAll(period: period)
                advance(days: 31)
                try settle(period: period)
                if lastSettled() == period { period = currentPeriod } else { advance(days: 1) }
            case 5, 6: try dispute()
            case 7: try amend()
            case 8: try rotate()
            default:
                try reportAll(period: period)
            }
            if settled.count > 0, let last = lastSettled(), last >= period { period = currentPeriod }
        }
    }

    /// Twelve settled periods of the largest contract, then a dispute of the oldest in the window.
    mutating func runLimitStory(periods: Int) throws {
        try start()
        for index in 0..<periods {
            let period = currentPeriod
            // Revenue doubles every month, faster than the market's 1%: every sharing rule fires.
            let revenue = 9_000_000 * (Int(1) << index)
            for (metric, value, reporter) in [("revenue", "\(revenue).00", 0), ("cost", "1000000.00", 1), ("units", "100", 0), ("market", "1", 1)] {
                try perform(.report(period: period, metric: metric, value: value), signer: reporter,
                            cli: ["report", ledger, "--period", period.description, "--metric", metric, "--value", value],
                            step: "report \(metric) for \(period)")
            }
            advance(days: 31)
            try settle(period: period)
            try #require(lastSettled() == period, "the settlement of \(period) at the limits must be recordable: \(lastRefusal)")
        }
        let seq = try entryCount() + 1
        let target = settled[settled.count - 12]
        try perform(.dispute(period: target, corrections: [(metric: "revenue", value: "\(9_000_000 * (1 << (periods - 12))).50")], reason: "late invoice"),
                    signer: 0, cli: ["dispute", ledger, "--period", target.description, "--set", "revenue=\(9_000_000 * (1 << (periods - 12))).50", "--reason", "late invoice"],
                    step: "dispute \(target)")
        for index in members.indices.dropFirst() {
            try perform(.vote(proposal: Int64(seq), approve: true), signer: index,
                        cli: ["vote", ledger, "--proposal", "\(seq)", "--approve"], step: "vote \(index)")
        }
        let state = try Verifier.verify(path: ledger).state
        #expect(state.dispute(at: Int64(seq))?.status == .adjusted, "a 12-period adjustment at the limits must be recordable")
    }
}
