import TestSupport
import Testing
@testable import ContractLanguage

@Suite struct RobustnessTests {
    @Test func arbitraryBytesNeverCrash() {
        var generator = SeededGenerator(seed: 0xB17E5)
        let alphabet = Array("contract currency member share metric define goal rule when then pay split fee of by shares weights ( ) , : = + - * / < > <= >= != % \" # 0 1 2.5 2020-12 abc _ \n \t é".utf8)
        for round in 0..<1_500 {
            let length = Int.random(in: 0...300, using: &generator)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                bytes.append(round % 2 == 0 ? UInt8.random(in: 0...255, using: &generator) : alphabet.randomElement(using: &generator)!)
            }
            let result = checkContract(source: String(decoding: bytes, as: UTF8.self))
            #expect((result.contract == nil) == !result.diagnostics.isEmpty)
        }
    }

    @Test func mutatedFixturesNeverCrashAndFormatStably() throws {
        var generator = SeededGenerator(seed: 42)
        let sources = try fixtureNames(in: "contracts", ext: "emc").map { try fixtureText("contracts/\($0).emc") }
        for round in 0..<600 {
            var bytes = Array(sources[round % sources.count].utf8)
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                if Bool.random(using: &generator) { bytes.remove(at: index) } else { bytes.insert(bytes[Int.random(in: 0..<bytes.count, using: &generator)], at: index) }
            }
            let result = checkContract(source: String(decoding: bytes, as: UTF8.self))
            if let contract = result.contract {
                // format(parse(x)) re-parses and re-formats identically.
                let formatted = contract.formatted()
                let again = checkContract(source: formatted)
                #expect(again.diagnostics.isEmpty, "\(again.diagnostics)")
                #expect(again.contract?.formatted() == formatted)
            }
        }
    }

    @Test func deepNestingIsAnErrorNotAStackOverflow() {
        let deep = String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000)
        let result = checkContract(source: "contract \"x\"\ndefine d = \(deep)\n")
        #expect(result.diagnostics.contains { $0.message.contains("nests deeper") })
        let negations = "define d = " + String(repeating: "-", count: 5_000) + "1"
        #expect(checkContract(source: negations).contract == nil)
        let chain = "define d = 1" + String(repeating: " + 1", count: 20_000)
        #expect(checkContract(source: chain).diagnostics.contains { $0.message.contains("more than 256 operators") || $0.message.contains("larger than") })
        let longChain = "define d = 1" + String(repeating: "+1", count: 20_000)
        #expect(checkContract(source: longChain).diagnostics.contains { $0.message == "expression has more than 256 operators" })
        let nots = "define d = " + String(repeating: "not ", count: 5_000) + "1 > 0"
        #expect(checkContract(source: nots).contract == nil)
    }

    @Test func largeContractSettlesQuickly() throws {
        var source = "contract \"Large\"\ncurrency CNY 2\nsettlement monthly\n"
        for index in 0..<100 { source += "member m\(index) \"Member \(index)\" micro-enterprise\n" }
        for index in 0..<100 { source += "share m\(index) 1%\n" }
        source += "metric revenue money reported by m0\nmetric cost money reported by m1\nmetric units count reported by m0\n"
        source += "define profit = revenue - cost\n"
        // 9 rules × (a split over 100 shares + one pay) = 909 payout lines, near the limit of 1000.
        for index in 0..<9 {
            source += "rule r\(index) every period\n  when profit > \(index * 100) and previous(revenue) > 0 and growth(revenue) > 1% or units > \(index)\n  then\n    split 1% of profit by shares\n    pay m\(index) 10\n"
        }
        let contract = try mustCheck(source)
        var periods: [(Period, [String: Value])] = []
        var period = Period("2020-01")!
        for month in 0..<12 {
            periods.append((period, ["revenue": .money(100_000_00 + Int64(month) * 1_000_00), "cost": .money(50_000_00), "units": .count(30)]))
            period = period.next
        }
        let settlements = try simulate(contract: contract, periods: periods)
        #expect(settlements.count == 12)
        #expect(settlements[1].payouts.count > 100)
    }
}
