import Ledger
import ContractLanguage

/// `emc explain`: why each payout of a settled period is what it is, and why a member got nothing.
public enum ExplainReport {
    static func versionOrigin(_ version: ContractVersion) -> String {
        switch version.status {
        case .genesis: return "the genesis contract"
        default:
            let adopted = version.closedAt.map { " at entry \($0)" } ?? ""
            return "adopted from proposal \(version.introducedAt) by \(version.proposer)\(adopted), effective \(version.effective.map(\.description) ?? "?")"
        }
    }

    /// For a rule that paid `member` nothing: what stopped it.
    /// A condition stopper names its numbers: `did not fire: growth(revenue) ≈ 8.7% > market_growth = 9% is false`.
    public static func whyNot(_ rule: RuleTrace, member: String, currency: Currency) -> String? {
        let paid = rule.actions.contains { action in
            action.member == member || action.shares.contains { $0.member == member && $0.amountMinor > 0 }
        }
        if paid { return nil }
        switch rule.status {
        case .fired:
            return "fired, but its actions pay \(member) nothing"
        case .conditionFalse:
            let stopper = rule.conditions.last { $0.value == false }?.explainedText(currency: currency) ?? "the condition"
            return "did not fire: \(stopper) is false"
        case .forfeited, .alreadyFired:
            return "did not fire: \(rule.status.rawValue)"
        }
    }

    public static func text(_ history: PeriodHistory, member: String?) -> String {
        let currency = history.currency
        var out = ""
        if let settled = history.settlement {
            let computed = settled.computed
            out += "settlement of \(history.period): entry \(settled.seq) (hash \(settled.hash.prefix(16))…), appended by \(settled.signer)\n"
            out += "contract version \(computed.version.number) (\(computed.version.hash.prefix(16))…): \(versionOrigin(computed.version))\n"
            out += reportsText(computed.reports, currency: currency)
            out += body(computed.settlement, currency: currency, member: member)
        }
        for adjusted in history.adjustments {
            let dispute = adjusted.dispute
            let corrections = dispute.corrections.map { "\($0.metric) = \($0.value.canonicalText(currency: currency))" }
            out += "\nadjusted by entry \(adjusted.seq) (hash \(adjusted.hash.prefix(16))…): dispute \(dispute.seq) by \(dispute.disputer), "
            out += "\(corrections.joined(separator: ", ")) — \(dispute.reason)\n"
            out += reportsText(adjusted.period.record.reports, currency: currency)
            out += body(adjusted.period.settlement, currency: currency, member: member)
            let changes = adjusted.period.differences.map { "\($0.member) \($0.amountMinor > 0 ? "+" : "")\(formatMinorUnits($0.amountMinor, currency: currency))" }
            out += "difference from the previous payouts: \(changes.isEmpty ? "none" : changes.joined(separator: ", "))\n"
        }
        return out
    }

    static func reportsText(_ reports: [ReportRecord], currency: Currency) -> String {
        var out = "reports used:\n"
        for report in reports {
            let superseded = report.superseded.isEmpty ? "" : " (supersedes entr\(report.superseded.count == 1 ? "y" : "ies") \(report.superseded.map(String.init).joined(separator: ", ")))"
            out += "  \(report.metric.padded(16)) \(report.value.canonicalText(currency: currency).leftPadded(14))  by \(report.reporter.padded(8)) entry \(report.seq)\(superseded)\n"
        }
        return out
    }

    static func body(_ settlement: PeriodSettlement, currency: Currency, member: String?) -> String {
        var out = settlement.trace.renderedText(currency: currency)
        let payouts = settlement.payouts.filter { member == nil || $0.member == member }
        out += member.map { "payouts to \($0):\n" } ?? "payouts:\n"
        if payouts.isEmpty { out += "  none\n" }
        for payout in payouts {
            out += "  \(payout.member.padded(10)) \(formatMinorUnits(payout.amountMinor, currency: currency).leftPadded(14)) \(currency.code)  rule \(payout.rule)\n"
        }
        if let member {
            out += "why not (rules that paid \(member) nothing):\n"
            let reasons = settlement.trace.rules.compactMap { rule in whyNot(rule, member: member, currency: currency).map { "  \(rule.name): \($0)\n" } }
            out += reasons.isEmpty ? "  every rule paid \(member)\n" : reasons.joined()
        }
        return out
    }

    // MARK: JSON

    public static func json(_ history: PeriodHistory, member: String?) -> JSONValue {
        let currency = history.currency
        var fields: [String: JSONValue] = ["period": .string(history.period.description), "currency": .string(currency.code)]
        if let member { fields["member"] = .string(member) }
        if let settled = history.settlement {
            var settlement = evaluationJSON(settled.computed.settlement, reports: settled.computed.reports, currency: currency, member: member)
            settlement["entry"] = .integer(settled.seq)
            settlement["hash"] = .string(settled.hash)
            settlement["signer"] = .string(settled.signer)
            settlement["version"] = .integer(Int64(settled.computed.version.number))
            settlement["contract_hash"] = .string(settled.computed.version.hash)
            settlement["version_origin"] = .string(versionOrigin(settled.computed.version))
            fields["settlement"] = .object(settlement)
        }
        fields["adjustments"] = .array(history.adjustments.map { adjusted in
            var item = evaluationJSON(adjusted.period.settlement, reports: adjusted.period.record.reports, currency: currency, member: member)
            item["entry"] = .integer(adjusted.seq)
            item["hash"] = .string(adjusted.hash)
            item["dispute"] = .integer(adjusted.dispute.seq)
            item["reason"] = .string(adjusted.dispute.reason)
            item["differences"] = LedgerState.differencesJSON(adjusted.period.differences, currency: currency)
            return .object(item)
        })
        return .object(fields)
    }

    static func evaluationJSON(_ settlement: PeriodSettlement, reports: [ReportRecord], currency: Currency, member: String?) -> [String: JSONValue] {
        func money(_ minor: Int64) -> JSONValue { .string(formatMinorUnits(minor, currency: currency)) }
        let rules: [JSONValue] = settlement.trace.rules.map { rule in
            var item: [String: JSONValue] = [
                "name": .string(rule.name), "status": .string(rule.status.rawValue), "fired": .bool(rule.fired),
                "conditions": .array(rule.conditions.map { conditionJSON($0, currency: currency) }),
                "actions": .array(rule.actions.map { action in
                    var fields: [String: JSONValue] = ["kind": .string(action.kind.rawValue), "text": .string(action.text), "amount": money(action.amountMinor)]
                    if let base = action.baseMinor { fields["base"] = money(base) }
                    if let receiver = action.member { fields["member"] = .string(receiver) }
                    if !action.shares.isEmpty {
                        fields["shares"] = .array(action.shares.map { share in
                            .object(["member": .string(share.member), "weight": .integer(share.weight), "total_weight": .integer(share.totalWeight),
                                     "exact_quota": .string("\(share.quotaNumerator)/\(share.totalWeight)"), "floor": money(share.floorMinor),
                                     "remainder_unit": .bool(share.receivedRemainderUnit), "amount": money(share.amountMinor)])
                        })
                    }
                    return .object(fields)
                }),
            ]
            if let member, let reason = whyNot(rule, member: member, currency: currency) { item["why_not"] = .string(reason) }
            return .object(item)
        }
        return [
            "reports": .array(reports.map { report in
                .object(["metric": .string(report.metric), "value": .string(report.value.canonicalText(currency: currency)),
                         "reporter": .string(report.reporter), "entry": .integer(report.seq),
                         "superseded": .array(report.superseded.map { .integer($0) })])
            }),
            "rules": .array(rules),
            "goals": .array(settlement.trace.goals.map { goal in
                .object(["name": .string(goal.name), "deadline": .string(goal.deadline.description), "status": .string(goal.status.rawValue),
                         "conditions": .array(goal.conditions.map { conditionJSON($0, currency: currency) })])
            }),
            "payouts": .array(settlement.payouts.filter { member == nil || $0.member == member }.map { payout in
                .object(["member": .string(payout.member), "rule": .string(payout.rule), "amount": money(payout.amountMinor)])
            }),
        ]
    }

    /// A sub-condition: its text, its value, the text with its numbers, and for a comparison both
    /// sides (`value` canonical as in a report, `shown` as explanations print it; null when not evaluated).
    static func conditionJSON(_ condition: ConditionTrace, currency: Currency) -> JSONValue {
        var fields: [String: JSONValue] = ["text": .string(condition.text), "value": condition.value.map { .bool($0) } ?? .null,
                                           "explained": .string(condition.explainedText(currency: currency))]
        if let comparison = condition.comparison {
            func side(_ side: ComparisonTrace.Side) -> JSONValue {
                .object(["text": .string(side.text), "value": side.value.map { .string($0.canonicalText(currency: currency)) } ?? .null,
                         "shown": side.value.map { .string($0.explainedText(currency: currency).text) } ?? .null])
            }
            fields["operator"] = .string(comparison.op)
            fields["left"] = side(comparison.left)
            fields["right"] = side(comparison.right)
        }
        return .object(fields)
    }
}
