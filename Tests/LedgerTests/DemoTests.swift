import ContractLanguage
import Foundation
@testable import Ledger
import LedgerDemo
@testable import LedgerFormat
@testable import LedgerStorage
@testable import LedgerReports
import Testing

@Suite struct DemoTests {
    @Test func builtInContractIsTheSmartCookingFixture() throws {
        #expect(DemoData.smartCookingContract == (try fixtureText("contracts/smart-cooking.emc")))
        for text in [DemoData.smartCookingContract, DemoData.smartCookingContractV2, DemoData.smartCookingContractHigherFee] {
            #expect(checkContract(source: text).contract != nil)
        }
    }

    /// The demo is deterministic: it reproduces the golden ledger byte for byte.
    @Test func demoReproducesTheGoldenLedger() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emc-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try DemoStory.play(directory: directory.path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: result.ledgerPath)))
        try checkGolden(bytes, "ledgers/valid/demo.jsonl")
        let state = result.state
        #expect(state.lastSettledPeriod?.description == "2022-02")
        #expect(state.settlementCount == 18)
        #expect(state.contracts.map(\.status) == [.genesis, .adopted, .rejected])
        #expect(state.member(named: "farm")?.key == (try DemoStory.key(for: "farm-2")).publicKey)
        let chef = try #require(state.contracts[1].contract.members.first { $0.name == "chef" })
        #expect(state.runState.rating(of: chef) == 2)
        #expect(result.summary.contains("seventeen_dishes missed"))
    }

    /// Every settle entry of every valid fixture ledger equals the pure interpreter's result for the
    /// same reports: `simulate` over the periods the genesis contract governs.
    @Test(arguments: ["lifecycle", "demo"])
    func settlementsMatchSimulate(ledger: String) throws {
        var periods: [(Period, [String: Value])] = []
        var settled: [[Payout]] = []
        var genesisContract: Contract? = nil
        _ = try Verifier.verify(path: fixturesRoot.appendingPathComponent("ledgers/valid/\(ledger).jsonl").path, willApply: { decoded, state in
            guard decoded.entry.kind == "settle", let computed = try? state.computeSettlement(of: Period(decoded.entry.body.periodText)!),
                  computed.version.number == 1 else { return }
            genesisContract = computed.version.contract
            periods.append((computed.settlement.period, Dictionary(uniqueKeysWithValues: computed.reports.map { ($0.metric, $0.value) })))
            settled.append(computed.settlement.payouts)
        })
        let contract = try #require(genesisContract)
        let simulated = try simulate(contract: contract, periods: periods)
        #expect(simulated.count == settled.count && !settled.isEmpty)
        for (simulation, payouts) in zip(simulated, settled) {
            #expect(simulation.payouts == payouts, "period \(simulation.period)")
        }
    }

    /// The settlement body a verifier compares is written directly; it equals the canonical
    /// encoding of the body as a JSON value, for every settlement of every valid fixture ledger.
    @Test(arguments: ["lifecycle", "demo"])
    func directSettlementBodyEqualsItsJSONValueEncoding(ledger: String) throws {
        var compared = 0
        _ = try Verifier.verify(path: fixturesRoot.appendingPathComponent("ledgers/valid/\(ledger).jsonl").path, willApply: { decoded, state in
            guard decoded.entry.kind == "settle", let computed = try? state.computeSettlement(of: Period(decoded.entry.body.periodText)!) else { return }
            let reference = LedgerState.settlementBody(period: computed.settlement.period, version: computed.version,
                                                       reports: computed.reports, settlement: computed.settlement)
            #expect(computed.bodyBytes == reference.canonicalBytes)
            #expect(computed.bodyBytes == decoded.bodyBytes)
            compared += 1
        })
        #expect(compared >= 2)
    }
}

extension JSONValue {
    var periodText: String {
        if case .object(let fields) = self, case .string(let text)? = fields["period"] { return text }
        return ""
    }
}
