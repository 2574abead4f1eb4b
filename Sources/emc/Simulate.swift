import ArgumentParser
import ContractLanguage
import Ledger

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Settle a contract over the periods of a metrics file and print the payouts.",
        discussion: """
            The metrics file is JSON: {"2020-09": {"revenue": "1234.50", "ducks_sold": 42}, ...} with \
            periods in increasing order (see SPEC.md, Part 2). Prints, per period, what each member is \
            paid and the total, then the totals per member. Exit status: 0 on success, 1 when the \
            contract, the metrics or a settlement is refused, 2 when a file cannot be read.
            """
    )

    @Argument(help: "The contract file (.emc); or use --ledger.") var contract: String?
    @Option(help: "The metrics file (JSON); required with a contract file.") var metrics: String?
    @Option(help: "What-if on a ledger: start from its reports and settled state instead of a contract file.") var ledger: String?
    @Option(help: "The period to change (what-if), YYYY-MM.") var period: String?
    @Option(name: .customLong("set"), help: "What-if: replace a reported value, METRIC=VALUE (repeat for several).")
    var overrides: [String] = []
    @Flag(help: "Also print the trace: every goal and rule, each sub-condition's value and the split arithmetic.")
    var explain = false
    @Flag(help: "Print a stable JSON document instead of text.") var json = false

    func validate() throws {
        guard (contract == nil) != (ledger == nil) else { throw ValidationError("give a contract file or --ledger LEDGER, not both") }
        if contract != nil && metrics == nil { throw ValidationError("a contract file needs --metrics FILE") }
        if ledger != nil && period == nil { throw ValidationError("--ledger needs --period P") }
        if !overrides.isEmpty && period == nil { throw ValidationError("--set needs --period P") }
    }

    func run() throws {
        if let ledger {
            return try WhatIfCommand.onLedger(ledger, period: try parsePeriodOption(period!), overrides: try overrides.map(parseAssignment), json: json)
        }
        guard let contract, let metrics, let source = readSourceFile(contract), let metricsText = readSourceFile(metrics) else { throw ExitCode(2) }
        let result = checkContract(source: source)
        guard let checked = result.contract else {
            for diagnostic in result.diagnostics { printStandardError(diagnostic.rendered(fileName: contract, source: source)) }
            throw ExitCode(1)
        }
        let periods: [(Period, [String: Value])]
        do {
            periods = try parseMetricsFile(metricsText, contract: checked)
        } catch {
            printStandardError("\(metrics):\(error.line):\(error.column): error: \(error.message)")
            throw ExitCode(1)
        }
        let settlements: [PeriodSettlement]
        do {
            settlements = try ContractLanguage.simulate(contract: checked, periods: periods)
        } catch {
            printStandardError("emc: error: \(metrics): \(error.description)")
            throw ExitCode(1)
        }
        if let period {
            do {
                return try WhatIfCommand.onMetricsFile(checked, periods: periods, settlements: settlements, period: try parsePeriodOption(period),
                                                       overrides: try overrides.map(parseAssignment), json: json)
            } catch var error as LedgerError {
                error.file = error.file ?? metrics
                throw error
            }
        }
        print(json ? SimulationReport.json(checked, settlements, explain: explain)
                   : SimulationReport.text(checked, settlements, explain: explain), terminator: "")
    }
}

/// Text and JSON renderings of a simulation.
enum SimulationReport {
    static func text(_ contract: Contract, _ settlements: [PeriodSettlement], explain: Bool) -> String {
        let currency = contract.currency
        let width = max(5, contract.members.map(\.name.count).max() ?? 0)
        func row(_ name: String, _ minor: Int64) -> String {
            let amount = formatMinorUnits(minor, currency: currency)
            let padded: String = name + String(repeating: " ", count: max(0, width - name.count))
            return "  " + padded + "  "
                + String(repeating: " ", count: max(0, 16 - amount.count)) + amount + "\n"
        }
        var out = "\(contract.name) (\(currency.code))\n"
        var grand = [Int64](repeating: 0, count: contract.members.count)
        for settlement in settlements {
            out += "\n\(settlement.period)\n"
            let totals = settlement.totalsByMember(contract)
            for (member, minor) in totals {
                out += row(member, minor)
                grand[contract.members.firstIndex { $0.name == member }!] += minor
            }
            out += row("total", totals.reduce(0) { $0 + $1.amountMinor })
            for outcome in settlement.goalOutcomes {
                out += "  goal \(outcome.goal) \(outcome.met ? "met" : "missed")"
                let changes = outcome.ratingChanges.map { "\($0.member) \($0.delta > 0 ? "+" : "")\($0.delta) star" }
                let forfeits = outcome.forfeitedRules.map { "rule \($0) forfeited" }
                if !(changes + forfeits).isEmpty { out += ": " + (changes + forfeits).joined(separator: ", ") }
                out += "\n"
            }
            if explain { out += settlement.trace.renderedText(currency: currency) }
        }
        out += "\ntotals\n"
        for (index, member) in contract.members.enumerated() where grand[index] != 0 { out += row(member.name, grand[index]) }
        out += row("total", grand.reduce(0, +))
        return out
    }

    static func json(_ contract: Contract, _ settlements: [PeriodSettlement], explain: Bool) -> String {
        let currency = contract.currency
        func quote(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 { out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16) }
                    else { out.unicodeScalars.append(scalar) }
                }
            }
            return out + "\""
        }
        func money(_ minor: Int64) -> String { quote(formatMinorUnits(minor, currency: currency)) }
        var periodTexts: [String] = []
        var grand = [Int64](repeating: 0, count: contract.members.count)
        for settlement in settlements {
            let totals = settlement.totalsByMember(contract)
            for (member, minor) in totals { grand[contract.members.firstIndex { $0.name == member }!] += minor }
            let members = totals.map { "\(quote($0.member)): \(money($0.amountMinor))" }.joined(separator: ", ")
            let payouts = settlement.payouts.map {
                "{\"member\": \(quote($0.member)), \"rule\": \(quote($0.rule)), \"amount\": \(money($0.amountMinor))}"
            }.joined(separator: ", ")
            let goals = settlement.goalOutcomes.map { outcome in
                let changes = outcome.ratingChanges.map { "{\"member\": \(quote($0.member)), \"delta\": \($0.delta)}" }.joined(separator: ", ")
                let forfeits = outcome.forfeitedRules.map(quote).joined(separator: ", ")
                return "{\"goal\": \(quote(outcome.goal)), \"met\": \(outcome.met), \"rating_changes\": [\(changes)], \"forfeited_rules\": [\(forfeits)]}"
            }.joined(separator: ", ")
            var entry = "    {\"period\": \"\(settlement.period)\", \"members\": {\(members)}, \"total\": \(money(totals.reduce(0) { $0 + $1.amountMinor })),\n"
            entry += "     \"payouts\": [\(payouts)],\n     \"goals\": [\(goals)]"
            if explain { entry += ",\n     \"trace\": \(quote(settlement.trace.renderedText(currency: currency)))" }
            periodTexts.append(entry + "}")
        }
        let totals = contract.members.indices.filter { grand[$0] != 0 }
            .map { "\(quote(contract.members[$0].name)): \(money(grand[$0]))" }.joined(separator: ", ")
        return """
            {
              "contract": \(quote(contract.name)),
              "currency": \(quote(currency.code)),
              "periods": [
            \(periodTexts.joined(separator: ",\n"))
              ],
              "totals": {\(totals)},
              "total": \(money(grand.reduce(0, +)))
            }

            """
    }
}
