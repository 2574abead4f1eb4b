import Foundation
import Testing

/// Issue 16: members read what they sign (`show`), see what a vote would change (`preview`), get
/// explanations that carry their numbers, and a page (`page`, in PageCLITests).
@Suite struct ReadingCLITests {
    static let demoLedger = fixturesRoot.appendingPathComponent("ledgers/valid/demo.jsonl").path

    @Test func showPrintsTheExactSourceOfEachVersion() throws {
        let json = try runEMC(["show", Self.demoLedger, "--version", "2", "--format", "json"])
        #expect(json.exitCode == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let source = try runEMC(["show", Self.demoLedger, "--version", "2", "--format", "source"])
        #expect(source.stdout == object["source"] as? String)
        #expect(object["name"] as? String == "Smart Cooking EMC")
        // The text form ends with the short rendering hash the accept entries carry.
        let text = try runEMC(["show", Self.demoLedger, "--version", "1"]).stdout
        let hash = try #require(try runEMC(["show", Self.demoLedger, "--version", "1", "--format", "json"]).stdout
            .firstMatch(of: /"rendering_hash":"([0-9a-f]{64})"/)?.1)
        #expect(text.hasSuffix("\nrendering \(hash.prefix(16)) of contract version 1 (genesis, hash 8efa9b66099aa64c)\n"))
        let ledger = try String(contentsOfFile: Self.demoLedger, encoding: .utf8)
        #expect(ledger.contains("\"rendering\":\"\(hash)\""), "the demo's accepts sign the rendering shown")
    }

    @Test func showWorksOnAContractFileAndRefusesAnInvalidOne() throws {
        let file = fixturesRoot.appendingPathComponent("contracts/smart-cooking.emc").path
        let result = try runEMC(["show", file])
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("- platform_fee: Each month in which revenue is above 0.00 CNY, Haier platform (Workbench) receives 3% of revenue as a fee.\n"))
        let html = try runEMC(["show", file, "--format", "html"]).stdout
        #expect(html.hasPrefix("<!DOCTYPE html>") && !html.contains("<script"))
        let invalid = try runEMC(["show", fixturesRoot.appendingPathComponent("invalid/duplicate-member.emc").path])
        #expect(invalid.exitCode == 1)
        #expect(invalid.stderr.contains("emc check"))
        let badVersion = try runEMC(["show", Self.demoLedger, "--version", "9"])
        #expect(badVersion.exitCode == 2)
    }

    @Test func previewTotalsAreTheSumsOfItsRowsAndNothingIsWritten() throws {
        let before = try Data(contentsOf: URL(fileURLWithPath: Self.demoLedger))
        let result = try runEMC(["preview", Self.demoLedger, "--proposal", "78", "--json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: Self.demoLedger)) == before)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let periods = try #require(object["periods"] as? [[String: Any]])
        #expect(periods.count == 12)
        func cents(_ text: Any?) -> Int { Int(((text as? String) ?? "x").replacingOccurrences(of: ".", with: "")) ?? .min }
        var sums: [String: (Int, Int)] = [:]
        for period in periods {
            for row in period["members"] as? [[String: Any]] ?? [] {
                let member = row["member"] as! String
                #expect(cents(row["would_be"]) - cents(row["paid"]) == cents(row["difference"]))
                let sum = sums[member] ?? (0, 0)
                sums[member] = (sum.0 + cents(row["paid"]), sum.1 + cents(row["would_be"]))
            }
        }
        for total in object["totals"] as? [[String: Any]] ?? [] {
            let member = total["member"] as! String
            #expect(cents(total["paid"]) == sums[member]?.0 && cents(total["would_be"]) == sums[member]?.1, "\(member)")
        }
        // Proposal 78 raises the platform fee from 3% to 5%: only haier's payouts change, by 2% of revenue.
        #expect((object["totals"] as? [[String: Any]] ?? []).filter { cents($0["difference"]) != 0 }.map { $0["member"] as! String } == ["haier"])
        let notProposal = try runEMC(["preview", Self.demoLedger, "--proposal", "2"])
        #expect(notProposal.exitCode == 2 && notProposal.stderr.contains("is not a proposal"))
    }

    @Test func explanationsCarryTheirNumbers() throws {
        let text = try runEMC(["explain", Self.demoLedger, "--period", "2021-04", "--member", "chef"]).stdout
        // 2021-04: revenue 1,500,000.01 after 1,380,000.00 is growth 8.6956…% (shown rounded), below the market's 9%.
        #expect(text.contains("    growth(revenue) ≈ 8.70% > market_growth = 9%: false\n"))
        #expect(text.contains("    previous(revenue) = 1380000.00 > 0: true\n"))
        #expect(text.contains("  profit_sharing: did not fire: growth(revenue) ≈ 8.70% > market_growth = 9% is false\n"))
        let json = try runEMC(["explain", Self.demoLedger, "--period", "2021-04", "--member", "chef", "--json"]).stdout
        #expect(json.contains(#""left":{"shown":"8.70%","text":"growth(revenue)","value":"#))
        #expect(json.contains(#""why_not":"did not fire: growth(revenue) ≈ 8.70% > market_growth = 9% is false""#))
        let simulate = try runEMC(["simulate", fixturesRoot.appendingPathComponent("contracts/smart-cooking.emc").path,
                                   "--metrics", fixturesRoot.appendingPathComponent("metrics/smart-cooking.json").path, "--explain"]).stdout
        #expect(simulate.contains("growth(revenue) = 0% > market_growth = 0%: false"), "2021-06: growth 0% is not above 0%")
    }
}
