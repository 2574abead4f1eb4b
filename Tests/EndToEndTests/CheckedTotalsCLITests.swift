import Foundation
import Testing

/// Issue 11, findings 5 and 6: sums that cannot be recorded refuse the entry that would cause
/// them (never a trap), and a dispute is adopted only if its adjustment computes.
@Suite struct CheckedTotalsCLITests {
    /// One member paid five times the largest reportable amount per period: two periods overflow
    /// the 64-bit total paid.
    static let contract = """
    contract "Overflow EMC"
    currency CNY 2
    settlement monthly

    member yu "Yu Zhang" micro-enterprise

    share yu 100%

    metric revenue money reported by yu

    rule huge every period
      when revenue > 0
      then
        pay yu revenue
        pay yu revenue
        pay yu revenue
        pay yu revenue
        pay yu revenue

    """
    static let largest = "9999999999999999.99"

    func makeOneMemberLedger() throws -> URL {
        let directory = try makeTemporaryDirectory()
        #expect(try runEMC(["keygen", "yu"], in: directory).exitCode == 0)
        try Self.contract.write(to: directory.appendingPathComponent("c.emc"), atomically: true, encoding: .utf8)
        for arguments in [["init", "l.jsonl", "--contract", "c.emc", "--key", "yu.key", "--time", "2020-05-01T09:00:00Z",
                           "--member", "yu=micro-enterprise:yu.pub"],
                          ["accept", "l.jsonl", "--key", "yu.key", "--time", "2020-05-02T09:00:00Z"],
                          ["report", "l.jsonl", "--key", "yu.key", "--period", "2020-05", "--metric", "revenue", "--value", Self.largest,
                           "--time", "2020-06-01T09:00:00Z"],
                          ["settle", "l.jsonl", "--key", "yu.key", "--period", "2020-05", "--time", "2020-06-02T09:00:00Z"]] {
            let result = try runEMC(arguments, in: directory)
            #expect(result.exitCode == 0, "\(arguments[0]): \(result.stderr)")
        }
        return directory
    }

    @Test func aSettlementWhoseTotalPaidOverflowsIsRefusedNotATrap() throws {
        let directory = try makeOneMemberLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try runEMC(["report", "l.jsonl", "--key", "yu.key", "--period", "2020-06", "--metric", "revenue",
                                 "--value", Self.largest, "--time", "2020-07-01T09:00:00Z"], in: directory)
        #expect(report.exitCode == 0, "\(report.stderr)")
        let settle = try runEMC(["settle", "l.jsonl", "--key", "yu.key", "--period", "2020-06", "--time", "2020-07-02T09:00:00Z"], in: directory)
        #expect(settle.exitCode == 1, "\(settle.stderr)")
        #expect(settle.stderr.contains("member yu's total paid would overflow"), "\(settle.stderr)")
        for command in [["verify", "l.jsonl"], ["status", "l.jsonl"], ["log", "l.jsonl"], ["audit", "l.jsonl"]] {
            let result = try runEMC(command, in: directory)
            #expect(result.exitCode == 0, "\(command[0]): \(result.stderr)")
        }
    }

    /// In a one-member EMC the dispute adopts itself; its adjustment would overflow the total paid,
    /// so `apply` refuses the dispute instead of freezing every later settlement.
    @Test func aDisputeWhoseAdjustmentCannotBeComputedIsNotAdopted() throws {
        let directory = try makeOneMemberLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        for arguments in [["report", "l.jsonl", "--key", "yu.key", "--period", "2020-06", "--metric", "revenue", "--value", "1.00",
                           "--time", "2020-07-01T09:00:00Z"],
                          ["settle", "l.jsonl", "--key", "yu.key", "--period", "2020-06", "--time", "2020-07-02T09:00:00Z"]] {
            let result = try runEMC(arguments, in: directory)
            #expect(result.exitCode == 0, "\(arguments[0]): \(result.stderr)")
        }
        let dispute = try runEMC(["dispute", "l.jsonl", "--key", "yu.key", "--period", "2020-06", "--set", "revenue=\(Self.largest)",
                                  "--reason", "the real revenue", "--time", "2020-07-03T09:00:00Z"], in: directory)
        #expect(dispute.exitCode == 1, "\(dispute.stderr)")
        #expect(dispute.stderr.contains("cannot be adopted: its adjustment cannot be computed"), "\(dispute.stderr)")
        #expect(dispute.stderr.contains("total paid would overflow"), "\(dispute.stderr)")
        // Settlements go on.
        for arguments in [["report", "l.jsonl", "--key", "yu.key", "--period", "2020-07", "--metric", "revenue", "--value", "1.00",
                           "--time", "2020-08-01T09:00:00Z"],
                          ["settle", "l.jsonl", "--key", "yu.key", "--period", "2020-07", "--time", "2020-08-02T09:00:00Z"],
                          ["verify", "l.jsonl"]] {
            let result = try runEMC(arguments, in: directory)
            #expect(result.exitCode == 0, "\(arguments[0]): \(result.stderr)")
        }
    }
}
