import Ledger
import ContractLanguage

/// Every payout and adjustment of a ledger as rows that reconcile exactly with its totals.
public enum AuditExport {
    public struct Row: Sendable {
        public enum Kind: String, Sendable { case settlement, adjustment }
        public var period: Period
        public var member: String
        public var amountMinor: Int64
        public var version: Int
        public var rule: String
        public var kind: Kind
        public var seq: Int64
        public var hash: String
        /// YYYY-MM-DD of the entry's claimed time.
        public var date: String
    }

    public struct Export: Sendable {
        public var contractName: String
        public var currency: Currency
        public var openingDate: String
        public var rows: [Row]
    }

    /// Reads (and verifies) the ledger. Adjustment rows are the change per member and rule.
    public static func read(source: some LedgerReplaying, from: Period?, to: Period?) throws(LedgerError) -> Export {
        var rows: [Row] = []
        var current: [Period: [String: Int64]] = [:]   // "member\u{0}rule" -> amount in effect
        var export: Export? = nil
        var failure: LedgerError? = nil
        _ = try source.replay(willApply: { decoded, state in
            guard failure == nil else { return }
            let entry = decoded.entry
            let date = String(entry.time.text.prefix(10))
            if export == nil, entry.kind == GenesisKind.name, let body = try? GenesisKind.parse(entry.body),
               let contract = checkContract(source: body.contract).contract {
                export = Export(contractName: contract.name, currency: contract.currency, openingDate: date, rows: [])
            }
            do throws(LedgerError) {
                if entry.kind == SettleKind.name, case .object(let body) = entry.body, case .string(let text)? = body["period"],
                   let period = Period(text) {
                    let computed = try state.computeSettlement(of: period)
                    var effect: [String: Int64] = [:]
                    for payout in computed.settlement.payouts {
                        effect[payout.member + "\u{0}" + payout.rule, default: 0] += payout.amountMinor
                        rows.append(Row(period: period, member: payout.member, amountMinor: payout.amountMinor, version: computed.version.number,
                                        rule: payout.rule, kind: .settlement, seq: entry.seq, hash: decoded.hash, date: date))
                    }
                    current[period] = effect
                } else if entry.kind == AdjustKind.name, case .object(let body) = entry.body, case .integer(let disputeSeq)? = body["dispute"] {
                    let computed = try state.computeAdjustment(for: disputeSeq)
                    for adjusted in computed.periods {
                        let period = adjusted.record.period
                        var effect: [String: Int64] = [:]
                        for payout in adjusted.settlement.payouts { effect[payout.member + "\u{0}" + payout.rule, default: 0] += payout.amountMinor }
                        let old = current[period] ?? [:]
                        for member in state.members.map(\.name) {
                            for rule in adjusted.version.contract.ruleNames {
                                let key = member + "\u{0}" + rule
                                let delta = (effect[key] ?? 0) - (old[key] ?? 0)
                                guard delta != 0 else { continue }
                                rows.append(Row(period: period, member: member, amountMinor: delta, version: adjusted.version.number,
                                                rule: rule, kind: .adjustment, seq: entry.seq, hash: decoded.hash, date: date))
                            }
                        }
                        current[period] = effect
                    }
                }
            } catch {
                failure = error
            }
        })
        if let failure { throw failure }
        guard var result = export else { throw LedgerError(.malformed, "no genesis contract", file: source.name) }
        result.rows = rows.filter { row in (from.map { row.period >= $0 } ?? true) && (to.map { row.period <= $0 } ?? true) }
        return result
    }

    // MARK: Formats

    public static func csv(_ export: Export) -> String {
        var out = "period,member,amount,currency,version,rule,kind,entry,hash,date\n"
        for row in export.rows {
            out += "\(row.period),\(row.member),\(formatMinorUnits(row.amountMinor, currency: export.currency)),\(export.currency.code),"
            out += "\(row.version),\(row.rule),\(row.kind.rawValue),\(row.seq),\(row.hash),\(row.date)\n"
        }
        return out
    }

    /// Totals per member (roster order of first appearance) and per period.
    public static func totals(_ export: Export) -> (members: [(String, Int64)], periods: [(Period, Int64)]) {
        var members: [(String, Int64)] = [], periods: [(Period, Int64)] = []
        for row in export.rows {
            if let index = members.firstIndex(where: { $0.0 == row.member }) { members[index].1 += row.amountMinor } else { members.append((row.member, row.amountMinor)) }
            if let index = periods.firstIndex(where: { $0.0 == row.period }) { periods[index].1 += row.amountMinor } else { periods.append((row.period, row.amountMinor)) }
        }
        return (members, periods.sorted { $0.0 < $1.0 })
    }

    public static func json(_ export: Export) -> JSONValue {
        let money = { (minor: Int64) in JSONValue.string(formatMinorUnits(minor, currency: export.currency)) }
        let totals = totals(export)
        return .object([
            "contract": .string(export.contractName), "currency": .string(export.currency.code),
            "rows": .array(export.rows.map { row in
                .object(["period": .string(row.period.description), "member": .string(row.member), "amount": money(row.amountMinor),
                         "currency": .string(export.currency.code), "version": .integer(Int64(row.version)), "rule": .string(row.rule),
                         "kind": .string(row.kind.rawValue), "entry": .integer(row.seq), "hash": .string(row.hash), "date": .string(row.date)])
            }),
            "totals": .object([
                "members": .array(totals.members.map { .object(["member": .string($0.0), "amount": money($0.1)]) }),
                "periods": .array(totals.periods.map { .object(["period": .string($0.0.description), "amount": money($0.1)]) }),
            ]),
        ])
    }

    /// A Beancount ledger: one balanced transaction per entry and period; expenses by rule,
    /// liabilities to each member.
    public static func beancount(_ export: Export) -> String {
        let code = export.currency.code
        func account(_ prefix: String, _ name: String) -> String {
            let parts = name.split(whereSeparator: { $0 == "_" || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }
            return prefix + parts.joined()
        }
        // Escaped scalar by scalar: a backslash or quote is escaped even where a combining mark follows it.
        func quoted(_ text: String) -> String {
            var out = String.UnicodeScalarView()
            out.append("\"")
            for scalar in text.unicodeScalars {
                if scalar == "\\" || scalar == "\"" { out.append("\\") }
                out.append(scalar)
            }
            out.append("\"")
            return String(out)
        }
        var out = "; EMC Ledger audit export — \(export.contractName)\n"
        out += "option \"title\" \(quoted(export.contractName + " (EMC Ledger)"))\noption \"operating_currency\" \"\(code)\"\n\n"
        var accounts: [String] = []
        for row in export.rows {
            for name in [account("Expenses:EMC:Rule:", row.rule), account("Liabilities:EMC:Member:", row.member)] where !accounts.contains(name) {
                accounts.append(name)
            }
        }
        for name in accounts { out += "\(export.openingDate) open \(name) \(code)\n" }
        var index = 0
        while index < export.rows.count {
            let first = export.rows[index]
            var group: [Row] = []
            while index < export.rows.count, export.rows[index].seq == first.seq, export.rows[index].period == first.period {
                group.append(export.rows[index])
                index += 1
            }
            let title = first.kind == .settlement ? "settlement of \(first.period)" : "adjustment of \(first.period)"
            out += "\n\(first.date) * \(quoted("EMC Ledger")) \(quoted(title + " (entry \(first.seq))"))\n"
            out += "  entry: \"\(first.seq)\"\n  hash: \"\(first.hash)\"\n  period: \"\(first.period)\"\n  version: \"\(first.version)\"\n"
            for row in group {
                let amount = formatMinorUnits(row.amountMinor, currency: export.currency)
                let negated = formatMinorUnits(-row.amountMinor, currency: export.currency)
                out += "  \(account("Expenses:EMC:Rule:", row.rule))  \(amount) \(code)\n"
                out += "  \(account("Liabilities:EMC:Member:", row.member))  \(negated) \(code)\n"
            }
        }
        return out
    }
}
