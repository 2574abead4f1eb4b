/// The plain-language rendering of a checked contract (SPEC.md §2.14): generated from the rules,
/// so it cannot drift from them, and deterministic to the byte, so members can sign its hash.
public struct PlainLanguage: Sendable, Equatable {
    /// One titled part of the rendering: sentences, or (shares) a table with a header row.
    public struct Section: Sendable, Equatable {
        public var title: String
        public var sentences: [String]
        /// Rows of cells; the first row is the header. Empty when the section is sentences.
        public var table: [[String]]
    }

    /// `Contract "NAME"`.
    public var title: String
    /// What the amounts and periods are.
    public var preamble: String
    /// Members, Shares, Metrics, Definitions, Goals, Rules — always in this order.
    public var sections: [Section]

    /// The normative text (§2.14): the bytes whose hash `accept` and `propose` carry.
    public var text: String {
        var out = title + "\n\n" + preamble + "\n"
        for section in sections {
            out += "\n" + section.title + ":\n"
            if !section.table.isEmpty {
                for (index, row) in section.table.enumerated() {
                    out += "| " + row.joined(separator: " | ") + " |\n"
                    if index == 0 { out += "|" + String(repeating: "---|", count: row.count) + "\n" }
                }
            }
            for sentence in section.sentences { out += "- " + sentence + "\n" }
        }
        return out
    }
}

extension Contract {
    /// The plain-language rendering of this contract (SPEC.md §2.14).
    public func plainLanguage() -> PlainLanguage {
        PlainLanguageRenderer(contract: self).render()
    }

    /// `plainLanguage().text`, rendered once per contract.
    public var plainLanguageText: String {
        if let text = renderingText.withLock({ $0 }) { return text }
        let text = plainLanguage().text
        renderingText.withLock { $0 = text }
        return text
    }
}

/// Builds the sentences of §2.14 from the checked contract.
struct PlainLanguageRenderer {
    let contract: Contract

    func render() -> PlainLanguage {
        let currency = contract.currency
        let preamble = "Amounts are in \(currency.code) with \(currency.minorDigits) decimal digit\(currency.minorDigits == 1 ? "" : "s"). "
            + "Each calendar month is one period; a month is settled after it ends."
        return PlainLanguage(title: "Contract " + Formatter.quoted(contract.name), preamble: preamble,
                             sections: [members(), shares(), metrics(), definitions(), goals(), rules()])
    }

    func display(_ index: Int) -> String { contract.members[index].displayName }

    static func list(_ items: [String], conjunction: String) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        case 2: return items[0] + " " + conjunction + " " + items[1]
        default: return items.dropLast().joined(separator: ", ") + ", " + conjunction + " " + items[items.count - 1]
        }
    }

    static func orNone(_ sentences: [String]) -> [String] { sentences.isEmpty ? ["None."] : sentences }

    private func members() -> PlainLanguage.Section {
        let sentences = contract.members.map { member -> String in
            let role = switch member.role {
            case .microEnterprise: "a micro-enterprise"
            case .externalPartner: "an external partner"
            case .platform: "a platform"
            }
            return "\(member.name): \(member.displayName), \(role), starts with a rating of \(member.initialRating) of 5 stars."
        }
        return PlainLanguage.Section(title: "Members", sentences: sentences, table: [])
    }

    private func shares() -> PlainLanguage.Section {
        guard contract.shareBasisPoints.contains(where: { $0 > 0 }) else {
            return PlainLanguage.Section(title: "Shares of the profit pool", sentences: ["The contract declares no shares."], table: [])
        }
        var rows = [["member", "share"]]
        for (index, basisPoints) in contract.shareBasisPoints.enumerated() {
            rows.append([display(index), Self.percentText(basisPoints: basisPoints)])
        }
        rows.append(["total", Self.percentText(basisPoints: contract.shareBasisPoints.reduce(0, +))])
        return PlainLanguage.Section(title: "Shares of the profit pool", sentences: [], table: rows)
    }

    static func percentText(basisPoints: Int64) -> String {
        Percent(numerator: Int128(basisPoints), denominator: 100)!.description + "%"
    }

    private func metrics() -> PlainLanguage.Section {
        let sentences = contract.metrics.map { metric -> String in
            let kind = switch metric.type {
            case .money: "an amount in \(contract.currency.code)"
            case .count: "a whole number"
            case .percent: "a percentage"
            }
            let reporters = metric.reporters.map { contract.memberIndex[$0].map(display) ?? $0 }
            return "\(metric.name), \(kind), is reported for each month by \(Self.list(reporters, conjunction: "or"))."
        }
        return PlainLanguage.Section(title: "Metrics", sentences: Self.orNone(sentences), table: [])
    }

    private func definitions() -> PlainLanguage.Section {
        let sentences = contract.definitions.map { "\($0.name) means \(phrase($0.expression)) (\(typeName($0.type)))." }
        return PlainLanguage.Section(title: "Definitions", sentences: Self.orNone(sentences), table: [])
    }

    private func typeName(_ type: ExpressionType) -> String {
        switch type {
        case .money: "an amount in \(contract.currency.code)"
        case .count: "a whole number"
        case .percent: "a percentage"
        case .condition: "a condition"
        }
    }

    private func goals() -> PlainLanguage.Section {
        let sentences = contract.goals.map { goal -> String in
            var outcomes = goal.ratingChanges.map { change -> String in
                let stars = abs(change.delta) == 1 ? "1 star" : "\(abs(change.delta)) stars"
                if change.delta < 0 { return "\(display(change.member)) loses \(stars)" }
                if change.delta > 0 { return "\(display(change.member)) gains \(stars)" }
                return "\(display(change.member))'s rating does not change"
            }
            outcomes += goal.forfeits.map { "rule \(contract.rules[$0].name) is forfeited (it never pays from then on)" }
            let missed = outcomes.isEmpty ? "it is recorded as missed and nothing else changes"
                                          : Self.list(outcomes, conjunction: "and")
            return "\(goal.name): met in the first month in which \(phrase(goal.target)); the deadline is \(goal.deadline). "
                + "If it is not met by the end of \(goal.deadline), \(missed)."
        }
        return PlainLanguage.Section(title: "Goals", sentences: Self.orNone(sentences), table: [])
    }

    private func rules() -> PlainLanguage.Section {
        let sentences = contract.rules.map { rule -> String in
            let when: String
            switch (rule.schedule, rule.condition) {
            case (.everyPeriod, let condition?): when = "Each month in which \(phrase(condition))"
            case (.everyPeriod, nil): when = "Each month"
            case (.once, let condition?): when = "Once only, in the first month in which \(phrase(condition))"
            case (.once, nil): when = "Once only, in the first month settled"
            }
            let actions = rule.actions.map { action($0.action) }
            return "\(rule.name): \(when), \(Self.list(actions, conjunction: "and"))."
        }
        return PlainLanguage.Section(title: "Rules", sentences: Self.orNone(sentences), table: [])
    }

    private func action(_ action: CheckedAction) -> String {
        switch action {
        case .pay(let member, let amount):
            return "\(display(member)) receives \(phrase(amount))"
        case .fee(let percent, let base, let member):
            return "\(display(member)) receives \(percent)% of \(phrase(base, parent: 7)) as a fee"
        case .split(let amount, let receivers, let weights, let byShares):
            if byShares { return "\(phrase(amount)) is split among the members by their shares" }
            let total = weights.reduce(0, +)
            let parts = zip(receivers, weights).map { "\($0.1) to \(display($0.0))" }
            return "\(phrase(amount)) is split in \(total) part\(total == 1 ? "" : "s"): \(Self.list(parts, conjunction: "and"))"
        }
    }

    /// An expression in words; `parent` is the binding strength of the surrounding phrase
    /// (§2.14: or 1, and 2, not 3, comparisons 4, + - 5, * / of 6, unary minus 7).
    func phrase(_ expression: CheckedExpression, parent: Int = 0) -> String {
        func grouped(_ text: String, _ precedence: Int) -> String { precedence < parent ? "(" + text + ")" : text }
        switch expression {
        case .traced(let inner, _):
            return phrase(inner, parent: parent)
        case .constant(let scalar):
            return constant(scalar)
        case .metric(let index): return contract.metrics[index].name
        case .definition(let index): return contract.definitions[index].name
        case .previous(let index): return "the previous month's \(contract.metrics[index].name)"
        case .total(let index): return "the total of \(contract.metrics[index].name) so far"
        case .growth(let index): return "the growth of \(contract.metrics[index].name) over the previous month"
        case .met(let index): return "the number of months in which goal \(contract.goals[index].name) was met"
        case .negate(let inner): return grouped("minus " + phrase(inner, parent: 7), 7)
        case .arithmetic(let op, let left, let right):
            switch op {
            // Bracketed as an operand of arithmetic or a comparison: "the larger of a and b minus c" is ambiguous.
            case .minimum: return grouped("the smaller of \(phrase(left, parent: 5)) and \(phrase(right, parent: 5))", 4)
            case .maximum: return grouped("the larger of \(phrase(left, parent: 5)) and \(phrase(right, parent: 5))", 4)
            case .add: return grouped("\(phrase(left, parent: 5)) plus \(phrase(right, parent: 6))", 5)
            case .subtract: return grouped("\(phrase(left, parent: 5)) minus \(phrase(right, parent: 6))", 5)
            case .multiply: return grouped("\(phrase(left, parent: 6)) times \(phrase(right, parent: 7))", 6)
            case .divide: return grouped("\(phrase(left, parent: 6)) divided by \(phrase(right, parent: 7))", 6)
            case .of: return grouped("\(phrase(left, parent: 6)) of \(phrase(right, parent: 7))", 6)
            }
        case .compare(let op, let left, let right):
            let verb = switch op {
            case .less: "is below"
            case .lessEqual: "is at most"
            case .greater: "is above"
            case .greaterEqual: "is at least"
            case .equal: "equals"
            case .notEqual: "is not equal to"
            }
            return grouped("\(phrase(left, parent: 5)) \(verb) \(phrase(right, parent: 5))", 4)
        case .and(let left, let right):
            return grouped("\(phrase(left, parent: 2)) and \(phrase(right, parent: 3))", 2)
        case .or(let left, let right):
            // An 'and' inside an 'or' is always bracketed: prose has no precedence.
            return grouped("\(phrase(left, parent: Self.isAnd(left) ? 3 : 1)) or \(phrase(right, parent: 3))", 1)
        case .not(let inner):
            return grouped("it is not the case that \(phrase(inner, parent: 4))", 3)
        }
    }

    static func isAnd(_ expression: CheckedExpression) -> Bool {
        switch expression {
        case .and: true
        case .traced(let inner, _): isAnd(inner)
        default: false
        }
    }

    private func constant(_ scalar: Scalar) -> String {
        switch scalar {
        case .money(let minor): formatMinorUnits(minor, currency: contract.currency) + " " + contract.currency.code
        case .count(let count): String(count)
        case .percent(let percent): percent.description + "%"
        case .boolean(let truth): truth ? "true" : "false"
        }
    }
}
