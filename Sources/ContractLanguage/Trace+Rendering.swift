extension Trace {
    /// The trace as indented text for `emc simulate --explain`.
    public func renderedText(currency: Currency) -> String {
        var lines = ["period \(period)"]
        func money(_ minor: Int64) -> String { formatMinorUnits(minor, currency: currency) }
        func show(_ value: TraceValue) -> String {
            switch value {
            case .value(let value): value.type == .percent ? value.canonicalText(currency: currency) + "%" : value.canonicalText(currency: currency)
            case .truth(let truth): truth ? "true" : "false"
            }
        }
        func conditions(_ list: [ConditionTrace]) {
            for condition in list {
                let value = condition.value.map { $0 ? "true" : "false" } ?? "not evaluated"
                lines.append("    \(condition.explainedText(currency: currency)): \(value)")
            }
        }
        for definition in definitions { lines.append("  define \(definition.name) = \(show(definition.value))") }
        for goal in goals {
            lines.append("  goal \(goal.name) (deadline \(goal.deadline)): \(goal.status.rawValue)")
            conditions(goal.conditions)
        }
        for rule in rules {
            lines.append("  rule \(rule.name) (\(rule.once ? "once" : "every period")): \(rule.status.rawValue)")
            conditions(rule.conditions)
            for action in rule.actions {
                switch action.kind {
                case .pay:
                    lines.append("    \(action.text): pay \(action.member ?? "") \(money(action.amountMinor))")
                case .fee:
                    lines.append("    \(action.text): fee of \(money(action.baseMinor ?? 0)) is \(money(action.amountMinor)) to \(action.member ?? "")")
                case .split:
                    lines.append("    \(action.text): split \(money(action.amountMinor))")
                    for share in action.shares {
                        let quota = Percent(numerator: share.quotaNumerator, denominator: Int128(share.totalWeight))
                        let quotaText = quota.map { "\($0.description) minor units" } ?? "\(share.quotaNumerator)/\(share.totalWeight) minor units"
                        lines.append("      \(share.member): weight \(share.weight)/\(share.totalWeight), exact quota \(quotaText), floor \(money(share.floorMinor))\(share.receivedRemainderUnit ? " + 1 remainder unit" : ""), paid \(money(share.amountMinor))")
                    }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Value {
    /// A value as an explanation shows it: money and counts canonically, a percent with `%` — exact
    /// when it has at most 2 decimals, else rounded to 2 decimals (half away from zero) and marked
    /// inexact, e.g. 25/6% shows as 4.17%.
    public func explainedText(currency: Currency) -> (text: String, exact: Bool) {
        guard case .percent(let percent) = self else { return (canonicalText(currency: currency), true) }
        if percent.basisPoints != nil { return (percent.description + "%", true) }
        let hundredths = roundedQuotient(Int128(percent.numerator) * 100, Int128(percent.denominator)) ?? 0
        let magnitude = hundredths.magnitude
        let fraction = magnitude % 100
        let text = (hundredths < 0 ? "-" : "") + "\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)%"
        return (text, false)
    }
}

extension ConditionTrace {
    /// The sub-condition with the values of both sides of a comparison:
    /// `growth(revenue) ≈ 4.17% > market_growth = 9%` (`≈` when the shown value is rounded).
    /// A literal side is shown as written; an unevaluated one as the text alone.
    public func explainedText(currency: Currency) -> String {
        guard let comparison else { return text }
        func side(_ side: ComparisonTrace.Side) -> String {
            guard !side.isLiteral, let value = side.value else { return side.text }
            let shown = value.explainedText(currency: currency)
            return "\(side.text) \(shown.exact ? "=" : "≈") \(shown.text)"
        }
        return "\(side(comparison.left)) \(comparison.op) \(side(comparison.right))"
    }
}
