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
                lines.append("    \(condition.text): \(value)")
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
