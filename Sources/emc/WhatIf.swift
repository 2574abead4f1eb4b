import ArgumentParser
import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports

/// The what-if views of `emc simulate --set`: the computation is `LedgerReports.WhatIf`; this
/// only reads the flags and prints.
enum WhatIfCommand {
    static func onLedger(_ path: String, period: Period, overrides: [(metric: String, value: String)], json: Bool) throws {
        let basis = try WhatIf.basis(source: FileReplay(path: path), period: period)
        try show(basis, period: period, overrides: overrides, json: json)
    }

    static func onMetricsFile(_ contract: Contract, periods: [(Period, [String: Value])], settlements: [PeriodSettlement],
                              period: Period, overrides: [(metric: String, value: String)], json: Bool) throws {
        guard let index = periods.firstIndex(where: { $0.0 == period }) else {
            throw LedgerError(.rejected, "period \(period) is not in the metrics file")
        }
        let runState = index == 0 ? ContractRunState() : settlements[index - 1].nextState
        try show(WhatIf.Basis(label: "as simulated from the metrics file", contract: contract, versionNumber: nil,
                              metrics: periods[index].1, runState: runState, payouts: settlements[index].payouts),
                 period: period, overrides: overrides, json: json)
    }

    static func show(_ basis: WhatIf.Basis, period: Period, overrides: [(metric: String, value: String)], json: Bool) throws {
        let comparison = try WhatIf.compare(basis, period: period, overrides: overrides)
        let contract = basis.contract
        let currency = contract.currency
        let before = comparison.before, after = comparison.after
        let money = { (minor: Int64) in formatMinorUnits(minor, currency: currency) }
        var totals: (Int64, Int64) = (0, 0)
        var rows: [(member: String, old: Int64, new: Int64, difference: Int64)] = []
        for member in contract.members {
            let old = before?[member.name] ?? 0, new = after[member.name] ?? 0
            totals.0 = try checkedSum(totals.0, old, what: "the settled payouts")
            totals.1 = try checkedSum(totals.1, new, what: "the what-if payouts")
            rows.append((member.name, old, new, try checkedDifference(new, old, what: "\(member.name)'s difference")))
        }
        let totalDifference = try checkedDifference(totals.1, totals.0, what: "the difference of the totals")
        if json {
            let members: [JSONValue] = rows.map { row in
                .object(["member": .string(row.member), "settled": before == nil ? .null : .string(money(row.old)),
                         "what_if": .string(money(row.new)), "difference": before == nil ? .null : .string(money(row.difference))])
            }
            var fields: [String: JSONValue] = [
                "period": .string(period.description), "currency": .string(currency.code), "basis": .string(basis.label),
                "changes": .array(comparison.changes.map { .object(["metric": .string($0.metric), "from": .string($0.from), "to": .string($0.to)]) }),
                "members": .array(members),
                "what_if_payouts": .array(comparison.whatIf.payouts.map { .object(["member": .string($0.member), "rule": .string($0.rule), "amount": .string(money($0.amountMinor))]) }),
            ]
            fields["version"] = basis.versionNumber.map { .integer(Int64($0)) } ?? .null
            printJSON(.object(fields))
            return
        }
        var out = "what-if for \(period)\(basis.versionNumber.map { " under contract version \($0)" } ?? "") (\(basis.label)); nothing is written\n"
        for change in comparison.changes { out += "  \(change.metric): \(change.from) -> \(change.to)\n" }
        out += "  \("member".padded(10)) \("settled".leftPadded(14)) \("what-if".leftPadded(14)) \("difference".leftPadded(14))\n"
        for row in rows {
            let oldText = before == nil ? "-" : money(row.old), difference = before == nil ? "-" : money(row.difference)
            out += "  \(row.member.padded(10)) \(oldText.leftPadded(14)) \(money(row.new).leftPadded(14)) \(difference.leftPadded(14))\n"
        }
        out += "  \("total".padded(10)) \((before == nil ? "-" : money(totals.0)).leftPadded(14)) \(money(totals.1).leftPadded(14)) \((before == nil ? "-" : money(totalDifference)).leftPadded(14)) \(currency.code)\n"
        print(out, terminator: "")
    }
}
