/// Checks a contract's source: syntax, names, types, shares, limits. Collects every error.
public func checkContract(source: String) -> CheckResult {
    if source.utf8.count > Limits.maxSourceBytes {
        let diagnostic = Diagnostic(line: 1, column: 1,
                                    message: "contract is \(source.utf8.count) bytes, larger than the limit of \(Limits.maxSourceBytes) bytes")
        return CheckResult(contract: nil, diagnostics: [diagnostic])
    }
    let (file, syntaxDiagnostics) = Parser.parse(source)
    var checker = Checker(file: file)
    let contract = checker.check()
    var all = syntaxDiagnostics + checker.diagnostics
    // Stable sort by position keeps the order of several errors at one place.
    all = all.enumerated().sorted { a, b in
        let left = SourceLocation(line: a.element.line, column: a.element.column)
        let right = SourceLocation(line: b.element.line, column: b.element.column)
        return left != right ? left < right : a.offset < b.offset
    }.map(\.element)
    return CheckResult(contract: all.isEmpty ? contract : nil, diagnostics: all)
}

struct Checker {
    let file: SourceFile
    var diagnostics: [Diagnostic] = []

    var contractName: String?
    var currency: Currency?
    var members: [Member] = []
    var memberIndex: [String: Int] = [:]
    var shares: [Int64] = []
    var sharesDeclared = false
    var shareLinesValid = true
    var tooManyMembers = false
    var metrics: [MetricDeclaration] = []
    var metricIndex: [String: Int] = [:]
    var definitionSyntax: [DefinitionDeclaration] = []
    var definitionIndex: [String: Int] = [:]
    var definitionState: [DefinitionState] = []
    var definitionUses: [Set<Int>] = []
    var definitions: [CheckedDefinition?] = []
    var goalIndex: [String: Int] = [:]
    var ruleIndex: [String: Int] = [:]

    // Expression-checking context.
    var usedMetrics: Set<Int> = []
    var traceTexts: [ConditionText]?
    var allowsMet = false
    var usesShares = false
    /// The nodes of every checked expression kept (see `Contract.code`).
    var code = ExpressionCode()

    enum DefinitionState { case unchecked, checking, checked, failed }

    init(file: SourceFile) { self.file = file }

    mutating func error(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(location, message))
    }

    mutating func check() -> Contract? {
        declareHeaderAndMembers()
        declareShares()
        declareMetricsAndNames()
        checkDefinitions()
        let goals = checkGoals()
        let rules = checkRules()
        checkSettlementSize(goals: goals, rules: rules)
        if (sharesDeclared || usesShares) && shareLinesValid && !file.hasSyntaxErrors { checkShareSum() }
        guard diagnostics.isEmpty, let contractName, let currency else { return nil }
        return Contract(
            name: contractName, currency: currency, members: members, metrics: metrics,
            shareBasisPoints: shares, definitions: definitions.compactMap { $0 },
            goals: goals, rules: rules, code: code.nodes,
            metricLayout: MetricLayout(names: metrics.map(\.name)),
            traceSlotCount: goals.reduce(0) { $0 + $1.conditionTexts.count } + rules.reduce(0) { $0 + $1.conditionTexts.count },
            requiredMetrics: usedMetrics.sorted(),
            memberIndex: memberIndex, metricIndex: metricIndex, source: file,
            payoutSlots: rules.reduce(0) { $0 + Contract.payoutSlots(of: $1) })
    }

    // MARK: Header, members, shares, metrics

    private mutating func declareHeaderAndMembers() {
        var sawSettlement = false
        for declaration in file.declarations {
            switch declaration {
            case .contractName(let name, let location):
                if contractName != nil { error(location, "duplicate 'contract' declaration") }
                contractName = name
                if name.isEmpty { error(location, "contract name must not be empty") }
            case .currency(let code, let digitsText, let location):
                if currency != nil { error(location, "duplicate 'currency' declaration"); continue }
                let letters = code.text.utf8
                if letters.count != 3 || !letters.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
                    error(code.location, "currency code must be three capital letters, like CNY")
                }
                if let digits = Int(digitsText), (0...Limits.maxMinorDigits).contains(digits) {
                    currency = Currency(code: code.text, minorDigits: digits)
                } else {
                    error(location, "minor-unit digits must be from 0 to \(Limits.maxMinorDigits), found \(digitsText)")
                    currency = Currency(code: code.text, minorDigits: 2)
                }
            case .settlement(let location):
                if sawSettlement { error(location, "duplicate 'settlement' declaration") }
                sawSettlement = true
            case .member(let member):
                declareMember(member)
            default:
                break
            }
        }
        let start = SourceLocation(line: 1, column: 1)
        if contractName == nil { error(start, "missing contract name; add 'contract \"NAME\"' at the top") }
        if currency == nil { error(start, "missing currency; add a line like 'currency CNY 2'") }
        if !sawSettlement { error(start, "missing settlement period; add 'settlement monthly'") }
        if members.isEmpty { error(start, "a contract needs at least one member") }
    }

    private func location(of declaration: Declaration) -> SourceLocation {
        switch declaration {
        case .contractName(_, let location), .currency(_, _, let location), .settlement(let location): location
        case .member(let member): member.name.location
        case .share(let share): share.member.location
        case .metric(let metric): metric.name.location
        case .definition(let definition): definition.name.location
        case .goal(let goal): goal.name.location
        case .rule(let rule): rule.name.location
        }
    }

    private mutating func declareMember(_ member: MemberDeclaration) {
        let name = member.name
        if memberIndex[name.text] != nil { error(name.location, "duplicate member '\(name.text)'"); return }
        if members.count == Limits.maxMembers {
            // Reported once, at the first member over the limit.
            if !tooManyMembers { error(name.location, "too many members; the limit is \(Limits.maxMembers)") }
            tooManyMembers = true
            return
        }
        let role = MemberRole(rawValue: member.role.text) ?? .microEnterprise
        if MemberRole(rawValue: member.role.text) == nil {
            let roles = MemberRole.allCases.map(\.rawValue)
            let suggestion = closestName(to: member.role.text, among: roles)
            error(member.role.location, "unknown role '\(member.role.text)'; " + (suggestion.map { "did you mean '\($0)'?" }
                ?? "expected 'micro-enterprise', 'external-partner' or 'platform'"))
        }
        var rating = 3
        if let (text, location) = member.rating {
            if let value = Int(text), (0...5).contains(value) { rating = value } else {
                error(location, "star rating must be a whole number from 0 to 5, found \(text)")
            }
        }
        if member.displayName.isEmpty { error(name.location, "member '\(name.text)' needs a non-empty display name") }
        memberIndex[name.text] = members.count
        members.append(Member(name: name.text, displayName: member.displayName, role: role, initialRating: rating))
    }

    mutating func resolveMember(_ name: Name, _ what: String) -> Int? {
        if let index = memberIndex[name.text] { return index }
        if file.incompleteNames.contains(name.text) { return nil }
        error(name.location, "\(what) '\(name.text)' is not a member\(didYouMean(name.text, memberIndex.keys.sorted()))")
        return nil
    }

    private mutating func declareShares() {
        shares = Array(repeating: 0, count: members.count)
        var seen: Set<Int> = []
        let shareErrors = diagnostics.count
        for case .share(let share) in file.declarations {
            sharesDeclared = true
            guard let member = resolveMember(share.member, "share holder") else { continue }
            if !seen.insert(member).inserted { error(share.member.location, "duplicate share for member '\(share.member.text)'"); continue }
            guard let decimal = DecimalText(share.percentText), decimal.scale <= 2, let points = decimal.scaled(to: 2), points <= 10_000 else {
                error(share.percentLocation, "a share must be a percentage from 0% to 100% with at most 2 decimals, found \(share.percentText)%")
                continue
            }
            shares[member] = points
        }
        if shareErrors < diagnostics.count { shareLinesValid = false }
    }

    private mutating func checkShareSum() {
        let total = shares.reduce(0, +)
        guard total != 10_000 else { return }
        let first = file.declarations.lazy.compactMap { declaration -> SourceLocation? in
            if case .share(let share) = declaration { return share.percentLocation } else { return nil }
        }.first
        let text = Percent(numerator: Int128(total), denominator: 100)!.description
        if let first {
            error(first, "shares add up to \(text)%, must be 100%")
        } else {
            error(SourceLocation(line: 1, column: 1), "'split ... by shares' is used but the contract declares no shares")
        }
    }

    private mutating func declareMetricsAndNames() {
        for declaration in file.declarations {
            switch declaration {
            case .metric(let metric):
                let name = metric.name
                if metricIndex[name.text] != nil { error(name.location, "duplicate metric '\(name.text)'"); continue }
                if metrics.count == Limits.maxMetrics { error(name.location, "too many metrics; the limit is \(Limits.maxMetrics)"); continue }
                if metric.reporters.isEmpty {
                    error(name.location, "metric '\(name.text)' has no reporter; add 'reported by MEMBER'")
                }
                var reporters: [String] = []
                for reporter in metric.reporters {
                    guard resolveMember(reporter, "reporter") != nil else { continue }
                    if reporters.contains(reporter.text) { error(reporter.location, "duplicate reporter '\(reporter.text)'") }
                    else { reporters.append(reporter.text) }
                }
                metricIndex[name.text] = metrics.count
                metrics.append(MetricDeclaration(name: name.text, type: metric.type, reporters: reporters))
            case .goal(let goal):
                if goalIndex[goal.name.text] != nil { error(goal.name.location, "duplicate goal '\(goal.name.text)'"); continue }
                if goalIndex.count == Limits.maxGoals { error(goal.name.location, "too many goals; the limit is \(Limits.maxGoals)"); continue }
                goalIndex[goal.name.text] = goalIndex.count
            case .rule(let rule):
                if ruleIndex[rule.name.text] != nil { error(rule.name.location, "duplicate rule '\(rule.name.text)'"); continue }
                if ruleIndex.count == Limits.maxRules { error(rule.name.location, "too many rules; the limit is \(Limits.maxRules)"); continue }
                ruleIndex[rule.name.text] = ruleIndex.count
            default:
                break
            }
        }
        for case .definition(let definition) in file.declarations {
            let name = definition.name
            if metricIndex[name.text] != nil { error(name.location, "'\(name.text)' is already declared as a metric"); continue }
            if definitionIndex[name.text] != nil { error(name.location, "duplicate definition '\(name.text)'"); continue }
            if definitionSyntax.count == Limits.maxDefinitions { error(name.location, "too many definitions; the limit is \(Limits.maxDefinitions)"); continue }
            definitionIndex[name.text] = definitionSyntax.count
            definitionSyntax.append(definition)
        }
        definitionState = Array(repeating: .unchecked, count: definitionSyntax.count)
        definitionUses = Array(repeating: [], count: definitionSyntax.count)
        definitions = Array(repeating: nil, count: definitionSyntax.count)
    }

    // MARK: Definitions, goals, rules

    private mutating func checkDefinitions() {
        let saved = usedMetrics
        for index in definitionSyntax.indices { _ = checkDefinition(index, at: definitionSyntax[index].name.location) }
        usedMetrics = saved
    }

    /// Checks definition `index` once (memoized); detects cycles. Returns its type.
    mutating func checkDefinition(_ index: Int, at reference: SourceLocation) -> ExpressionType? {
        switch definitionState[index] {
        case .checked:
            usedMetrics.formUnion(definitionUses[index])
            return definitions[index]?.type
        case .failed:
            return nil
        case .checking:
            error(reference, "definition '\(definitionSyntax[index].name.text)' refers to itself; definitions cannot be cyclic")
            definitionState[index] = .failed
            return nil
        case .unchecked:
            break
        }
        definitionState[index] = .checking
        let outer = (usedMetrics, traceTexts, allowsMet)
        usedMetrics = []
        traceTexts = nil
        allowsMet = false
        let typed = checkExpression(definitionSyntax[index].value, expected: nil)
        let uses = usedMetrics
        (usedMetrics, traceTexts, allowsMet) = outer
        usedMetrics.formUnion(uses)
        guard definitionState[index] == .checking, let typed else {
            definitionState[index] = .failed
            return nil
        }
        definitionUses[index] = uses
        definitions[index] = CheckedDefinition(name: definitionSyntax[index].name.text, type: typed.type, expression: typed.expression, code: &code)
        definitionState[index] = .checked
        return typed.type
    }

    private mutating func checkCondition(_ expression: Expression) -> (CheckedExpression, [ConditionText])? {
        traceTexts = []
        defer { traceTexts = nil }
        guard let typed = checkExpression(expression, expected: .condition) else { return nil }
        guard typed.type == .condition else {
            error(expression.location, "expected a condition (a comparison), found a \(typed.type.rawValue) value")
            return nil
        }
        return (typed.expression, traceTexts ?? [])
    }

    private mutating func checkGoals() -> [CheckedGoal] {
        var goals: [CheckedGoal] = []
        var seen: Set<String> = []
        for case .goal(let goal) in file.declarations {
            guard seen.insert(goal.name.text).inserted, goalIndex[goal.name.text] == goals.count else { continue }
            allowsMet = false
            let condition = checkCondition(goal.target)
            let deadline = Period(goal.deadlineText)
            if deadline == nil {
                error(goal.deadlineLocation, "malformed deadline '\(goal.deadlineText)': expected a period YYYY-MM with year 1000-9999 and month 01-12")
            }
            var ratingChanges: [(Int, Int)] = []
            var forfeits: [Int] = []
            for outcome in goal.missOutcomes {
                switch outcome {
                case .rating(let member, let delta, _):
                    if let index = resolveMember(member, "rating change for") { ratingChanges.append((index, delta)) }
                case .forfeit(let rule):
                    if let index = ruleIndex[rule.text] { forfeits.append(index) } else {
                        error(rule.location, "unknown rule '\(rule.text)'\(didYouMean(rule.text, ruleIndex.keys.sorted()))")
                    }
                }
            }
            let placeholder = CheckedExpression.constant(.boolean(false))
            goals.append(CheckedGoal(name: goal.name.text, target: condition?.0 ?? placeholder,
                                     conditionTexts: condition?.1 ?? [], deadline: deadline ?? Period(monthIndex: 0),
                                     ratingChanges: ratingChanges, forfeits: forfeits, code: &code))
        }
        return goals
    }

    private mutating func checkRules() -> [CheckedRule] {
        var rules: [CheckedRule] = []
        var seen: Set<String> = []
        for case .rule(let rule) in file.declarations {
            guard seen.insert(rule.name.text).inserted, ruleIndex[rule.name.text] == rules.count else { continue }
            allowsMet = true
            defer { allowsMet = false }
            var condition: (CheckedExpression, [ConditionText])?
            if let syntax = rule.condition { condition = checkCondition(syntax) }
            if rule.actions.count > Limits.maxActionsPerRule {
                error(rule.name.location, "rule '\(rule.name.text)' has \(rule.actions.count) actions; the limit is \(Limits.maxActionsPerRule)")
            }
            var actions: [(CheckedAction, String)] = []
            for (action, _) in rule.actions {
                if let checked = checkAction(action) { actions.append((checked, Formatter.actionText(action))) }
            }
            rules.append(CheckedRule(name: rule.name.text, schedule: rule.schedule, condition: condition?.0,
                                     conditionTexts: condition?.1 ?? [], actions: actions, code: &code))
        }
        return rules
    }

    /// The worst-case settlement must fit one ledger entry: bound its payout and outcome lines
    /// (SPEC 2.11). The error is at the rule (goal) whose lines pass the limit.
    private mutating func checkSettlementSize(goals: [CheckedGoal], rules: [CheckedRule]) {
        var slots = 0, overRule: String?
        for rule in rules {
            slots += Contract.payoutSlots(of: rule)
            if slots > Limits.maxPayoutSlots, overRule == nil { overRule = rule.name }
        }
        var outcomes = 0, overGoal: String?
        for goal in goals {
            outcomes += goal.ratingChanges.count + goal.forfeits.count
            if outcomes > Limits.maxGoalOutcomes, overGoal == nil { overGoal = goal.name }
        }
        for declaration in file.declarations {
            if case .rule(let rule) = declaration, rule.name.text == overRule {
                error(rule.name.location, "contract can pay out \(slots) lines in one settlement; the limit is \(Limits.maxPayoutSlots)")
                overRule = nil
            }
            if case .goal(let goal) = declaration, goal.name.text == overGoal {
                error(goal.name.location, "goals have \(outcomes) outcomes in all; the limit is \(Limits.maxGoalOutcomes)")
                overGoal = nil
            }
        }
    }

    private mutating func checkAmount(_ expression: Expression, _ what: String) -> CheckedExpression? {
        guard let typed = checkExpression(expression, expected: .money) else { return nil }
        guard typed.type == .money else {
            error(expression.location, "\(what) must be money, found \(typed.type.rawValue)")
            return nil
        }
        return typed.expression
    }

    private mutating func checkAction(_ action: ActionSyntax) -> CheckedAction? {
        switch action {
        case .pay(let member, let amount):
            let index = resolveMember(member, "cannot pay:")
            let checked = checkAmount(amount, "the amount to pay")
            guard let index, let checked else { return nil }
            return .pay(member: index, amount: checked)
        case .split(let amount, let basis, let location):
            let checked = checkAmount(amount, "the amount to split")
            switch basis {
            case .shares:
                usesShares = true
                let receivers = shares.indices.filter { shares[$0] > 0 }
                guard let checked else { return nil }
                if receivers.isEmpty { error(location, "'split ... by shares' needs at least one member with a share above 0%"); return nil }
                return .split(amount: checked, receivers: receivers, weights: receivers.map { shares[$0] }, byShares: true)
            case .weights(let list):
                var receivers: [Int] = [], weights: [Int64] = []
                var valid = true
                for (member, text, weightLocation) in list {
                    guard let index = resolveMember(member, "cannot split to:") else { valid = false; continue }
                    if receivers.contains(index) { error(member.location, "member '\(member.text)' appears twice in the weights"); valid = false; continue }
                    guard let weight = Int64(text), weight > 0, weight <= Limits.maxWeight else {
                        error(weightLocation, "a weight must be a whole number from 1 to \(Limits.maxWeight), found \(text)")
                        valid = false
                        continue
                    }
                    receivers.append(index)
                    weights.append(weight)
                }
                guard valid, let checked else { return nil }
                // Receivers are paid in member declaration order, whatever the order of the list (SPEC 2.8).
                let order = receivers.indices.sorted { receivers[$0] < receivers[$1] }
                return .split(amount: checked, receivers: order.map { receivers[$0] }, weights: order.map { weights[$0] }, byShares: false)
            }
        case .fee(let percentText, let percentLocation, let base, let member):
            let index = resolveMember(member, "cannot pay fee:")
            let checked = checkAmount(base, "the amount a fee is taken of")
            let percent = Percent(parsing: percentText)
            if percent == nil || percent! > Percent(whole: 100) {
                error(percentLocation, "a fee must be a percentage from 0% to 100%, found \(percentText)%")
            }
            if let index, members[index].role != .platform {
                error(member.location, "a fee must go to a platform member; '\(member.text)' has the role \(members[index].role.rawValue)")
                return nil
            }
            guard let index, let checked, let percent else { return nil }
            return .fee(percent: percent, base: checked, member: index)
        }
    }
}
