import ArgumentParser
import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports

/// What-if simulations: the payouts of one period had some reports been different, side by side
/// with what was (or would be) settled. Nothing is written.
enum WhatIf {
    struct Base {
        var label: String
        var contract: Contract
        var versionNumber: Int?
        var metrics: [String: Value]
        var runState: ContractRunState
        var payouts: [Payout]?
    }

    static func onLedger(_ path: String, period: Period, overrides: [(metric: String, value: String)], json: Bool) throws {
        let (found, state) = try PeriodHistory.collect(source: FileReplay(path: path), period: period)
        let base: Base
        if let last = state.lastSettledPeriod, period <= last {
            guard let history = found, let settled = history.settlement else {
                throw LedgerError(.usage, "period \(period) has not been settled on this ledger", file: path)
            }
            var label = "settled at entry \(settled.seq)"
            var reports = settled.computed.reports
            var runState = settled.runStateBefore
            if let adjusted = history.adjustments.last {
                label += ", adjusted at entry \(adjusted.seq)"
                reports = adjusted.period.record.reports
                runState = adjusted.period.record.runStateBefore
            }
            base = Base(label: label, contract: settled.computed.version.contract, versionNumber: settled.computed.version.number,
                        metrics: Dictionary(uniqueKeysWithValues: reports.map { ($0.metric, $0.value) }),
                        runState: runState, payouts: history.currentPayouts)
        } else {
            let version = state.governingVersion(for: period)
            let reports = state.openReports[period] ?? [:]
            let settled = try? state.computeSettlement(of: period)
            base = Base(label: settled == nil ? "not settled yet" : "not settled yet; as reported so far",
                        contract: version.contract, versionNumber: version.number,
                        metrics: reports.mapValues(\.value), runState: state.runState, payouts: settled?.settlement.payouts)
        }
        try show(base, period: period, overrides: overrides, json: json)
    }

    static func onMetricsFile(_ contract: Contract, periods: [(Period, [String: Value])], settlements: [PeriodSettlement],
                              period: Period, overrides: [(metric: String, value: String)], json: Bool) throws {
        guard let index = periods.firstIndex(where: { $0.0 == period }) else {
            throw CommandError(message: "period \(period) is not in the metrics file", exitCode: 1)
        }
        let runState = index == 0 ? ContractRunState() : settlements[index - 1].nextState
        try show(Base(label: "as simulated from the metrics file", contract: contract, versionNumber: nil,
                      metrics: periods[index].1, runState: runState, payouts: settlements[index].payouts),
                 period: period, overrides: overrides, json: json)
    }

    static func show(_ base: Base, period: Period, overrides: [(metric: String, value: String)], json: Bool) throws {
        let contract = base.contract
        let currency = contract.currency
        var metrics = base.metrics
        var changes: [(metric: String, from: String, to: String)] = []
        for (name, text) in overrides {
            guard let declared = contract.metrics.first(where: { $0.name == name }) else {
                throw CommandError(message: "--set \(name): the contract for \(period) has no metric \"\(name)\"", exitCode: 1)
            }
            guard let value = declared.type.parseValue(text, currency: currency) else {
                throw CommandError(message: "--set \(name)=\(text): not a \(declared.type.rawValue) value", exitCode: 1)
            }
            changes.append((name, metrics[name].map { $0.canonicalText(currency: currency) } ?? "(not reported)", value.canonicalText(currency: currency)))
            metrics[name] = value
        }
        let whatIf: PeriodSettlement
        do {
            whatIf = try ContractLanguage.settle(contract: contract, period: period, metrics: metrics, state: base.runState)
        } catch {
            throw CommandError(message: "what-if for \(period): \(error.description)", exitCode: 1)
        }
        func sums(_ payouts: [Payout]) -> [String: Int64] {
            payouts.reduce(into: [:]) { $0[$1.member, default: 0] += $1.amountMinor }
        }
        let before = base.payouts.map(sums), after = sums(whatIf.payouts)
        let money = { (minor: Int64) in formatMinorUnits(minor, currency: currency) }
        if json {
            let rows: [JSONValue] = contract.members.map { member in
                let old = before?[member.name] ?? 0, new = after[member.name] ?? 0
                return .object(["member": .string(member.name), "settled": before == nil ? .null : .string(money(old)),
                                "what_if": .string(money(new)), "difference": before == nil ? .null : .string(money(new - old))])
            }
            var fields: [String: JSONValue] = [
                "period": .string(period.description), "currency": .string(currency.code), "basis": .string(base.label),
                "changes": .array(changes.map { .object(["metric": .string($0.metric), "from": .string($0.from), "to": .string($0.to)]) }),
                "members": .array(rows),
                "what_if_payouts": .array(whatIf.payouts.map { .object(["member": .string($0.member), "rule": .string($0.rule), "amount": .string(money($0.amountMinor))]) }),
            ]
            fields["version"] = base.versionNumber.map { .integer(Int64($0)) } ?? .null
            printJSON(.object(fields))
            return
        }
        var out = "what-if for \(period)\(base.versionNumber.map { " under contract version \($0)" } ?? "") (\(base.label)); nothing is written\n"
        for change in changes { out += "  \(change.metric): \(change.from) -> \(change.to)\n" }
        out += "  \("member".padded(10)) \("settled".leftPadded(14)) \("what-if".leftPadded(14)) \("difference".leftPadded(14))\n"
        var totals: (Int64, Int64) = (0, 0)
        for member in contract.members {
            let old = before?[member.name] ?? 0, new = after[member.name] ?? 0
            totals.0 += old
            totals.1 += new
            let oldText = before == nil ? "-" : money(old), difference = before == nil ? "-" : money(new - old)
            out += "  \(member.name.padded(10)) \(oldText.leftPadded(14)) \(money(new).leftPadded(14)) \(difference.leftPadded(14))\n"
        }
        out += "  \("total".padded(10)) \((before == nil ? "-" : money(totals.0)).leftPadded(14)) \(money(totals.1).leftPadded(14)) \((before == nil ? "-" : money(totals.1 - totals.0)).leftPadded(14)) \(currency.code)\n"
        print(out, terminator: "")
    }
}
