import TestSupport
import Testing
@testable import ContractLanguage

/// Random valid contracts and metrics, settled by the interpreter and by a deliberately naive
/// reference evaluator written from SPEC Part 2 (exact fractions on checked Int128, no shortcuts,
/// no code shared with the interpreter). Payouts, goal outcomes and errors must agree.
@Suite struct DifferentialTests {
    @Test func interpreterAgreesWithReferenceEvaluator() throws {
        var generator = SeededGenerator(seed: 0xD1FF_0012)
        var compared = 0, inconclusive = 0, errorsAgreed = 0
        for round in 0..<3_000 {
            let case_ = RandomCase(generator: &generator)
            let source = case_.source()
            let result = checkContract(source: source)
            guard let contract = result.contract else {
                Issue.record("round \(round): the generated contract does not check: \(result.diagnostics)\n\(source)")
                return
            }
            var state = ContractRunState()
            var reference = ReferenceEvaluator(case_)
            for (offset, values) in case_.periods.enumerated() {
                let period = Period(monthIndex: Period("2020-01")!.monthIndex + offset)
                let metrics = Dictionary(uniqueKeysWithValues: zip(RandomCase.metricNames, values).map { name, raw in
                    (name, RandomCase.value(of: name, raw))
                })
                let expected: Result<ReferenceEvaluator.Outcome, ReferenceError>
                do { expected = .success(try reference.settle(period: offset)) } catch { expected = .failure(error) }
                if case .failure(.inconclusive) = expected { inconclusive += 1; break }
                do {
                    let settlement = try settle(contract: contract, period: period, metrics: metrics, state: state)
                    guard case .success(let outcome) = expected else {
                        Issue.record("round \(round) period \(offset): interpreter settled, reference says \(expected)\n\(source)\n\(case_.periods)")
                        return
                    }
                    let payouts = settlement.payouts.map { "\($0.member) \($0.rule) \($0.amountMinor)" }
                    let goals = settlement.goalOutcomes.map { o in
                        "\(o.goal) \(o.met) \(o.ratingChanges.map { "\($0.member)\($0.delta)" }) \(o.forfeitedRules)"
                    }
                    guard payouts == outcome.payouts, goals == outcome.goals else {
                        Issue.record("round \(round) period \(offset): \(payouts) \(goals) != \(outcome.payouts) \(outcome.goals)\n\(source)\n\(case_.periods)")
                        return
                    }
                    for (index, member) in contract.members.enumerated() where settlement.nextState.rating(of: member) != outcome.ratings[index] {
                        Issue.record("round \(round): rating of \(member.name)")
                        return
                    }
                    state = settlement.nextState
                    compared += 1
                } catch {
                    let code: ReferenceError? = switch error.code {
                    case .overflow: .overflow
                    case .divisionByZero: .divisionByZero
                    case .negativeAmount: .negativeAmount
                    default: nil
                    }
                    guard case .failure(let want) = expected, want == code else {
                        Issue.record("round \(round) period \(offset): interpreter \(error), reference \(expected)\n\(source)\n\(case_.periods)")
                        return
                    }
                    errorsAgreed += 1
                    break
                }
            }
        }
        #expect(compared > 4_000)
        #expect(errorsAgreed > 200)
        #expect(inconclusive < 300)
        print("differential: \(compared) periods agreed, \(errorsAgreed) errors agreed, \(inconclusive) inconclusive")
    }
}

// MARK: - The generated contract

enum ReferenceType: Equatable { case money, count, percent, condition }

/// An expression as the generator built it, with the type it means.
indirect enum GeneratedExpression {
    case money(Int128), count(Int128), percent(Int128, Int128)  // percent: numerator/denominator percent
    case metric(Int), definition(Int), previous(Int), total(Int), growth(Int), met(Int)
    case negate(GeneratedExpression)
    case binary(String, GeneratedExpression, GeneratedExpression)   // + - * / of
    case minimum(Bool, GeneratedExpression, GeneratedExpression)    // true = min
    case compare(String, GeneratedExpression, GeneratedExpression)
    case and(GeneratedExpression, GeneratedExpression), or(GeneratedExpression, GeneratedExpression)
    case not(GeneratedExpression)

    /// Whether the checker types it by where it stands (SPEC 2.5, "flexible").
    var isFlexible: Bool {
        switch self {
        case .money, .count: true
        case .negate(let inner): inner.isFlexible
        case .binary("+", let a, let b), .binary("-", let a, let b), .minimum(_, let a, let b): a.isFlexible && b.isFlexible
        case .binary("*", let a, let b): (a.isFlexible && b.isFlexible) || (a.isFlexible && b.isCount) || (b.isFlexible && a.isCount)
        case .binary("of", _, let b): b.isFlexible
        default: false
        }
    }

    /// A count that is not flexible.
    var isCount: Bool { type == .count && !isFlexible }

    /// The type the generator means (definitions d0, d1, d2 are money, condition, percent).
    var type: ReferenceType {
        switch self {
        case .money: .money
        case .count, .met: .count
        case .percent, .growth: .percent
        case .metric(let i), .previous(let i), .total(let i): RandomCase.metricTypes[i]
        case .definition(let i): [ReferenceType.money, .condition, .percent][i]
        case .negate(let inner): inner.type
        case .binary(let op, let a, let b):
            switch op {
            case "+", "-": a.type
            case "*": a.type == .count ? b.type : a.type
            case "/": a.type == .money && b.type == .count ? .money : .percent
            default: b.type
            }
        case .minimum(_, let a, _): a.type
        case .compare, .and, .or, .not: .condition
        }
    }

    var isLiteral: Bool {
        switch self {
        case .money, .count, .percent: true
        case .negate(let inner): inner.isLiteral
        default: false
        }
    }
}

enum GeneratedAction {
    case pay(member: Int, GeneratedExpression)
    case fee(numerator: Int128, denominator: Int128, GeneratedExpression)
    case splitShares(GeneratedExpression)
    case splitWeights(GeneratedExpression, [(member: Int, weight: Int128)])
}

struct GeneratedGoal {
    var target: GeneratedExpression
    var deadline: Int
    var ratings: [(member: Int, delta: Int)]
    var forfeits: [Int]
}

struct GeneratedRule {
    var once: Bool
    var condition: GeneratedExpression?
    var actions: [GeneratedAction]
}

struct RandomCase {
    static let members = ["a", "b", "c", "hub"]
    static let initialRatings = [3, 5, 0, 3]
    static let sharesBasisPoints: [Int128] = [5000, 3000, 2000, 0]
    static let metricNames = ["m0", "m1", "c0", "c1", "p0"]
    static let metricTypes: [ReferenceType] = [.money, .money, .count, .count, .percent]

    var definitions: [GeneratedExpression] = []
    var goals: [GeneratedGoal] = []
    var rules: [GeneratedRule] = []
    /// Per period, the raw values of the five metrics (minor units, counts, percent as n/d).
    var periods: [[(Int128, Int128)]] = []
    var ruleCount = 0

    init(generator: inout SeededGenerator) {
        ruleCount = Int.random(in: 1...4, using: &generator)
        let goalCount = Int.random(in: 0...2, using: &generator)
        definitions = [
            Self.expression(.money, depth: 2, definitionsBelow: 0, goals: 0, &generator),
            Self.expression(.condition, depth: 2, definitionsBelow: 1, goals: 0, &generator),
            Self.expression(.percent, depth: 2, definitionsBelow: 1, goals: 0, &generator),
        ]
        for _ in 0..<goalCount {
            let ratings = (0..<Int.random(in: 0...2, using: &generator)).map { _ in
                (member: Int.random(in: 0..<3, using: &generator), delta: Int.random(in: -5...5, using: &generator))
            }
            let forfeits = (0..<Int.random(in: 0...1, using: &generator)).map { _ in Int.random(in: 0..<ruleCount, using: &generator) }
            goals.append(GeneratedGoal(target: Self.expression(.condition, depth: 2, definitionsBelow: 3, goals: 0, &generator),
                                       deadline: Int.random(in: 0...3, using: &generator), ratings: ratings, forfeits: forfeits))
        }
        for _ in 0..<ruleCount {
            var actions: [GeneratedAction] = []
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                var amount = Self.expression(.money, depth: 2, definitionsBelow: 3, goals: goalCount, &generator)
                // Mostly keep amounts non-negative, so that more periods pay something.
                if Int.random(in: 0..<4, using: &generator) > 0 { amount = .minimum(false, amount, .money(0)) }
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: actions.append(.pay(member: Int.random(in: 0..<4, using: &generator), amount))
                case 1:
                    let (n, d) = Self.randomPercent(&generator, nonNegative: true)
                    actions.append(.fee(numerator: n, denominator: d, amount))
                case 2: actions.append(.splitShares(amount))
                default:
                    var members = Array(0..<4).shuffled(using: &generator)
                    members = Array(members.prefix(Int.random(in: 1...4, using: &generator)))
                    actions.append(.splitWeights(amount, members.map { ($0, Int128(Int.random(in: 1...3, using: &generator))) }))
                }
            }
            let condition = Bool.random(using: &generator)
                ? Self.expression(.condition, depth: 2, definitionsBelow: 3, goals: goalCount, &generator) : nil
            rules.append(GeneratedRule(once: Bool.random(using: &generator), condition: condition, actions: actions))
        }
        for _ in 0..<Int.random(in: 2...4, using: &generator) {
            periods.append(Self.metricTypes.map { Self.randomValue($0, &generator) })
        }
    }

    static func randomPercent(_ g: inout SeededGenerator, nonNegative: Bool = false) -> (Int128, Int128) {
        let tenths = Int128(Int.random(in: (nonNegative ? 0 : -200)...1000, using: &g))
        return tenths % 10 == 0 ? (tenths / 10, 1) : (tenths, 10)
    }

    static func randomValue(_ type: ReferenceType, _ g: inout SeededGenerator) -> (Int128, Int128) {
        switch Int.random(in: 0..<30, using: &g) {
        case 0, 1, 2: return (0, 1)
        case 3: return type == .percent ? (Int128(Int64.max) - Int128(Int.random(in: 0...9, using: &g)), Int128(Int.random(in: 1...3, using: &g)))
                                        : (Int128(Int64.max) / Int128(Int.random(in: 1...4, using: &g)), 1)
        case 4, 5, 6: return type == .percent ? (Int128(Int.random(in: -50...50, using: &g)), 3) : (Int128(Int.random(in: -50...50, using: &g)), 1)
        default:
            if type == .percent { return (Int128(Int.random(in: -20...300, using: &g)), Int128(Int.random(in: 1...8, using: &g))) }
            return (Int128(Int.random(in: 0...200_000, using: &g)) * (type == .money ? Int128(Int.random(in: 1...3, using: &g)) : 1), 1)
        }
    }

    static func value(of name: String, _ raw: (Int128, Int128)) -> Value {
        switch metricTypes[metricNames.firstIndex(of: name)!] {
        case .money: .money(Int64(raw.0))
        case .count: .count(Int64(raw.0))
        default: .percent(Percent(numerator: raw.0, denominator: raw.1)!)
        }
    }

    /// A leaf of `type`: a metric (or a definition declared earlier) that never makes a literal.
    static func leaf(_ type: ReferenceType, definitionsBelow: Int, _ g: inout SeededGenerator) -> GeneratedExpression {
        switch type {
        case .money: return definitionsBelow > 0 && Int.random(in: 0..<5, using: &g) == 0 ? .definition(0) : .metric(Int.random(in: 0...1, using: &g))
        case .count: return .metric(Int.random(in: 2...3, using: &g))
        case .percent: return definitionsBelow > 2 && Int.random(in: 0..<5, using: &g) == 0 ? .definition(2) : .metric(4)
        case .condition: return definitionsBelow > 1 ? .definition(1) : .compare(">", .metric(0), .money(0))
        }
    }

    static func literal(_ type: ReferenceType, _ g: inout SeededGenerator) -> GeneratedExpression {
        let negative = Int.random(in: 0..<6, using: &g) == 0
        let value: GeneratedExpression
        switch type {
        case .money:
            // Halfway cases come from odd minor units divided by 2 or taken 50% of.
            value = .money(Int128([0, 1, 5, 50, 99, 250, 1_000_001][Int.random(in: 0..<7, using: &g)]))
        case .count: value = .count(Int128([0, 1, 2, 3, 7, 1000][Int.random(in: 0..<6, using: &g)]))
        default:
            let (n, d) = randomPercent(&g, nonNegative: true)
            value = .percent(n, d)
        }
        return negative ? .negate(value) : value
    }

    /// Two operands that are not both literals (the generator keeps away from literal-only groups,
    /// whose typing is tested by vectors).
    static func pair(_ l: ReferenceType, _ r: ReferenceType, depth: Int, definitionsBelow: Int, goals: Int,
                     _ g: inout SeededGenerator) -> (GeneratedExpression, GeneratedExpression) {
        let left = expression(l, depth: depth - 1, definitionsBelow: definitionsBelow, goals: goals, &g)
        var right = expression(r, depth: depth - 1, definitionsBelow: definitionsBelow, goals: goals, &g)
        if left.isLiteral && right.isLiteral { right = leaf(r, definitionsBelow: definitionsBelow, &g) }
        return (left, right)
    }

    static func expression(_ type: ReferenceType, depth: Int, definitionsBelow: Int, goals: Int,
                           _ g: inout SeededGenerator) -> GeneratedExpression {
        if depth <= 0 || Int.random(in: 0..<4, using: &g) == 0 {
            if type != .condition && Int.random(in: 0..<3, using: &g) == 0 { return literal(type, &g) }
            if type == .count && goals > 0 && Int.random(in: 0..<4, using: &g) == 0 { return .met(Int.random(in: 0..<goals, using: &g)) }
            return leaf(type, definitionsBelow: definitionsBelow, &g)
        }
        func p(_ l: ReferenceType, _ r: ReferenceType) -> (GeneratedExpression, GeneratedExpression) {
            pair(l, r, depth: depth, definitionsBelow: definitionsBelow, goals: goals, &g)
        }
        let choice = Int.random(in: 0..<(type == .condition ? 9 : 8), using: &g)
        switch type {
        case .money:
            switch choice {
            case 0: let (a, b) = p(.money, .money); return .binary(Bool.random(using: &g) ? "+" : "-", a, b)
            case 1:
                // A flexible count next to a flexible money would be given one type (money): keep it typed.
                var (a, b) = p(.money, .count)
                if a.isFlexible && b.isFlexible { b = leaf(.count, definitionsBelow: definitionsBelow, &g) }
                return Bool.random(using: &g) ? .binary("*", a, b) : .binary("*", b, a)
            case 2:
                // A flexible left operand of '/' would take the type of the count on the right.
                let a = expression(.money, depth: depth - 1, definitionsBelow: definitionsBelow, goals: goals, &g)
                let divisor = leaf(.count, definitionsBelow: definitionsBelow, &g)
                return .binary("/", a.isFlexible ? leaf(.money, definitionsBelow: definitionsBelow, &g) : a, divisor)
            case 3: let (a, b) = p(.percent, .money); return .binary("of", a, b)
            case 4: let (a, b) = p(.money, .money); return .minimum(Bool.random(using: &g), a, b)
            case 5: return .negate(expression(.money, depth: depth - 1, definitionsBelow: definitionsBelow, goals: goals, &g))
            case 6: return .total(Int.random(in: 0...1, using: &g))
            default: return .previous(Int.random(in: 0...1, using: &g))
            }
        case .count:
            switch choice {
            case 0: let (a, b) = p(.count, .count); return .binary(Bool.random(using: &g) ? "+" : "-", a, b)
            case 1: let (a, b) = p(.count, .count); return .binary("*", a, b)
            case 2: let (a, b) = p(.percent, .count); return .binary("of", a, b)
            case 3: let (a, b) = p(.count, .count); return .minimum(Bool.random(using: &g), a, b)
            case 4: return .total(Int.random(in: 2...3, using: &g))
            case 5: return .previous(Int.random(in: 2...3, using: &g))
            default: return leaf(.count, definitionsBelow: definitionsBelow, &g)
            }
        case .percent:
            switch choice {
            case 0: let (a, b) = p(.percent, .percent); return .binary(Bool.random(using: &g) ? "+" : "-", a, b)
            case 1: let (a, b) = p(.percent, .count); return Bool.random(using: &g) ? .binary("*", a, b) : .binary("*", b, a)
            case 2: return .binary("/", leaf(.percent, definitionsBelow: definitionsBelow, &g), leaf(.count, definitionsBelow: definitionsBelow, &g))
            case 3:
                // A flexible right operand of '/' is a count, and a literal 0 there is a checker error.
                let type: ReferenceType = Bool.random(using: &g) ? .money : .count
                var divisor = expression(type, depth: depth - 1, definitionsBelow: definitionsBelow, goals: goals, &g)
                if divisor.isFlexible && (type == .money || divisor.isLiteral) { divisor = leaf(type, definitionsBelow: definitionsBelow, &g) }
                return .binary("/", leaf(type, definitionsBelow: definitionsBelow, &g), divisor)
            case 4: let (a, b) = p(.percent, .percent); return .binary("of", a, b)
            case 5:
                let metric = Int.random(in: 0...3, using: &g)
                // Mostly guarded, as a contract would write it: growth by zero is still generated.
                return Bool.random(using: &g) ? .growth(metric) : .minimum(true, .percent(1000, 1), .percent(0, 1))
            case 6: return .previous(4)
            default: let (a, b) = p(.percent, .percent); return .minimum(Bool.random(using: &g), a, b)
            }
        case .condition:
            switch choice {
            case 0, 1, 2, 3:
                let operandType: [ReferenceType] = [.money, .count, .percent]
                let (a, b) = p(operandType[choice % 3], operandType[choice % 3])
                return .compare(["<", "<=", ">", ">=", "=", "!="][Int.random(in: 0..<6, using: &g)], a, b)
            case 4: let (a, b) = p(.condition, .condition); return .and(a, b)
            case 5: let (a, b) = p(.condition, .condition); return .or(a, b)
            case 7:
                let metric = Int.random(in: 0...3, using: &g)
                return .and(.compare("!=", .previous(metric), metric < 2 ? .money(0) : .count(0)),
                            .compare(">", .growth(metric), expression(.percent, depth: depth - 1, definitionsBelow: definitionsBelow, goals: goals, &g)))
            case 6: return .not(expression(.condition, depth: depth - 1, definitionsBelow: definitionsBelow, goals: goals, &g))
            default: return leaf(.condition, definitionsBelow: definitionsBelow, &g)
            }
        }
    }

    // MARK: Rendering

    static func text(_ e: GeneratedExpression) -> String {
        switch e {
        case .money(let minor): "\(minor / 100).\(minor % 100 < 10 ? "0" : "")\(minor % 100)"
        case .count(let count): "\(count)"
        case .percent(let n, let d): d == 1 ? "\(n)%" : "\(n / 10).\(n % 10)%"
        case .metric(let index): metricNames[index]
        case .definition(let index): "d\(index)"
        case .previous(let index): "previous(\(metricNames[index]))"
        case .total(let index): "total(\(metricNames[index]))"
        case .growth(let index): "growth(\(metricNames[index]))"
        case .met(let index): "met(g\(index))"
        case .negate(let inner): "(-\(text(inner)))"
        case .binary(let op, let a, let b): "(\(text(a)) \(op) \(text(b)))"
        case .minimum(let isMin, let a, let b): "\(isMin ? "min" : "max")(\(text(a)), \(text(b)))"
        case .compare(let op, let a, let b): "(\(text(a)) \(op) \(text(b)))"
        case .and(let a, let b): "(\(text(a)) and \(text(b)))"
        case .or(let a, let b): "(\(text(a)) or \(text(b)))"
        case .not(let inner): "(not \(text(inner)))"
        }
    }

    func source() -> String {
        var lines = ["contract \"Differential\"", "currency CNY 2", "settlement monthly"]
        for (index, name) in Self.members.enumerated() {
            lines.append("member \(name) \"\(name)\" \(name == "hub" ? "platform" : "micro-enterprise") rating \(Self.initialRatings[index])")
        }
        lines += ["share a 50%", "share b 30%", "share c 20%"]
        for (name, type) in zip(Self.metricNames, Self.metricTypes) {
            lines.append("metric \(name) \(type == .money ? "money" : type == .count ? "count" : "percent") reported by a")
        }
        for (index, definition) in definitions.enumerated() { lines.append("define d\(index) = \(Self.text(definition))") }
        for (index, goal) in goals.enumerated() {
            lines += ["goal g\(index)", "  target \(Self.text(goal.target))", "  deadline 2020-0\(goal.deadline + 1)"]
            if !goal.ratings.isEmpty || !goal.forfeits.isEmpty {
                lines.append("  if missed")
                for rating in goal.ratings { lines.append("    rating \(Self.members[rating.member]) \(rating.delta < 0 ? "-" : "+")\(abs(rating.delta))") }
                for rule in goal.forfeits { lines.append("    forfeit r\(rule)") }
            }
        }
        for (index, rule) in rules.enumerated() {
            lines.append("rule r\(index) \(rule.once ? "once" : "every period")")
            if let condition = rule.condition { lines.append("  when \(Self.text(condition))") }
            lines.append("  then")
            for action in rule.actions {
                switch action {
                case .pay(let member, let amount): lines.append("    pay \(Self.members[member]) \(Self.text(amount))")
                case .fee(let n, let d, let base): lines.append("    fee \(Self.text(.percent(n, d))) of \(Self.text(base)) to hub")
                case .splitShares(let amount): lines.append("    split \(Self.text(amount)) by shares")
                case .splitWeights(let amount, let weights):
                    lines.append("    split \(Self.text(amount)) by weights (\(weights.map { "\(Self.members[$0.member]) \($0.weight)" }.joined(separator: ", ")))")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

// MARK: - The reference evaluator

enum ReferenceError: Error, Equatable { case overflow, divisionByZero, negativeAmount, inconclusive }

/// An exact fraction on Int128; any Int128 overflow makes the case inconclusive (never a wrong answer).
struct Fraction: Equatable {
    var numerator: Int128
    var denominator: Int128  // > 0

    init(_ n: Int128, _ d: Int128 = 1) throws(ReferenceError) {
        guard d != 0 else { throw .divisionByZero }
        var (n, d) = d < 0 ? (try Self.negated(n), try Self.negated(d)) : (n, d)
        var a = n < 0 ? try Self.negated(n) : n, b = d
        while b != 0 { (a, b) = (b, a % b) }
        if a > 1 { n /= a; d /= a }
        (numerator, denominator) = (n, d)
    }

    static func negated(_ x: Int128) throws(ReferenceError) -> Int128 {
        guard x != .min else { throw .inconclusive }
        return -x
    }

    static func product(_ a: Int128, _ b: Int128) throws(ReferenceError) -> Int128 {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw .inconclusive }
        return value
    }

    static func sum(_ a: Int128, _ b: Int128) throws(ReferenceError) -> Int128 {
        let (value, overflow) = a.addingReportingOverflow(b)
        if overflow { throw .inconclusive }
        return value
    }

    func plus(_ o: Fraction) throws(ReferenceError) -> Fraction {
        try Fraction(try Self.sum(try Self.product(numerator, o.denominator), try Self.product(o.numerator, denominator)),
                     try Self.product(denominator, o.denominator))
    }
    func times(_ o: Fraction) throws(ReferenceError) -> Fraction {
        try Fraction(try Self.product(numerator, o.numerator), try Self.product(denominator, o.denominator))
    }
    func inverse() throws(ReferenceError) -> Fraction { try Fraction(denominator, numerator) }
    func negative() throws(ReferenceError) -> Fraction { try Fraction(try Self.negated(numerator), denominator) }
    func less(_ o: Fraction) throws(ReferenceError) -> Bool {
        try Self.product(numerator, o.denominator) < (try Self.product(o.numerator, denominator))
    }

    /// Nearest integer, halves away from zero, computed the slow way: floor, then compare the rest with 1/2.
    func rounded() throws(ReferenceError) -> Int128 {
        var floor = numerator / denominator
        if numerator % denominator != 0 && numerator < 0 { floor -= 1 }
        let rest = try Fraction(try Self.sum(numerator, try Self.negated(try Self.product(floor, denominator))), denominator)
        let half = try Fraction(1, 2)
        if try half.less(rest) { return floor + 1 }
        if rest == half { return numerator < 0 ? floor : floor + 1 }
        return floor
    }
}

struct ReferenceEvaluator {
    struct Outcome { var payouts: [String]; var goals: [String]; var ratings: [Int] }
    enum V { case number(Fraction), truth(Bool) }

    let contract: RandomCase
    var previous: [Fraction]? = nil
    var totals: [Int128] = [0, 0, 0, 0, 0]
    var firedOnce: Set<Int> = [], forfeited: Set<Int> = [], decided: [Int: Bool] = [:]
    var metCounts: [Int]
    var ratingChanges = [0, 0, 0, 0]
    var current: [Fraction] = []

    init(_ contract: RandomCase) {
        self.contract = contract
        metCounts = Array(repeating: 0, count: contract.goals.count)
    }

    static func fits(_ x: Int128) -> Bool { x >= Int128(Int64.min) && x <= Int128(Int64.max) }

    /// A money or count result must fit 64 bits; a percent's reduced parts must fit 64 bits.
    static func checked(_ f: Fraction, _ type: ReferenceType) throws(ReferenceError) -> Fraction {
        if type == .percent { guard fits(f.numerator) && fits(f.denominator) else { throw .overflow } }
        else { guard f.denominator == 1, fits(f.numerator) else { throw .overflow } }
        return f
    }

    func type(_ e: GeneratedExpression) -> ReferenceType { e.type }

    func number(_ e: GeneratedExpression) throws(ReferenceError) -> Fraction {
        guard case .number(let f) = try evaluate(e) else { fatalError("typed by the generator") }
        return f
    }

    func truth(_ e: GeneratedExpression) throws(ReferenceError) -> Bool {
        guard case .truth(let t) = try evaluate(e) else { fatalError("typed by the generator") }
        return t
    }

    func evaluate(_ e: GeneratedExpression) throws(ReferenceError) -> V {
        let t = type(e)
        switch e {
        case .money(let v), .count(let v): return .number(try Fraction(v))
        case .percent(let n, let d): return .number(try Fraction(n, d))
        case .metric(let i): return .number(current[i])
        case .definition(let i): return try evaluate(contract.definitions[i])
        case .previous(let i):
            if let previous { return .number(previous[i]) }
            return .number(try Fraction(0))
        case .total(let i): return .number(try Self.checked(try Fraction(totals[i]).plus(current[i]), t))
        case .growth(let i):
            guard let before = previous?[i], before.numerator != 0 else { throw .divisionByZero }
            return .number(try Self.checked(try current[i].plus(try before.negative()).times(try Fraction(100)).times(try before.inverse()), .percent))
        case .met(let g): return .number(try Fraction(Int128(metCounts[g])))
        case .negate(let inner): return .number(try Self.checked(try number(inner).negative(), t))
        case .binary(let op, let a, let b):
            let x = try number(a), y = try number(b)
            let exact: Fraction
            switch op {
            case "+": exact = try x.plus(y)
            case "-": exact = try x.plus(try y.negative())
            case "*": exact = try x.times(y)
            case "/":
                guard y.numerator != 0 else { throw .divisionByZero }
                exact = type(a) == .money && type(b) == .count ? try x.times(try y.inverse())
                      : type(a) == .percent ? try x.times(try y.inverse()) : try x.times(try Fraction(100)).times(try y.inverse())
            default: exact = try x.times(y).times(try Fraction(1, 100))  // of
            }
            let needsRounding = (op == "/" || op == "of") && t != .percent
            return .number(try Self.checked(needsRounding ? try Fraction(try exact.rounded()) : exact, t))
        case .minimum(let isMin, let a, let b):
            let x = try number(a), y = try number(b)
            return .number(try x.less(y) == isMin ? x : (x == y ? x : y))
        case .compare(let op, let a, let b):
            let x = try number(a), y = try number(b)
            let lt = try x.less(y), eq = x == y
            let result = switch op {
            case "<": lt
            case "<=": lt || eq
            case ">": !lt && !eq
            case ">=": !lt
            case "=": eq
            default: !eq
            }
            return .truth(result)
        case .and(let a, let b): return .truth(try truth(a) ? try truth(b) : false)
        case .or(let a, let b): return .truth(try truth(a) ? true : try truth(b))
        case .not(let inner): return .truth(!(try truth(inner)))
        }
    }

    func amount(_ e: GeneratedExpression) throws(ReferenceError) -> Int128 {
        let value = try number(e).numerator
        guard value >= 0 else { throw .negativeAmount }
        return value
    }

    /// Largest remainder over (member, weight) in member declaration order; ties to the member declared first.
    static func hamilton(_ amount: Int128, _ weights: [(member: Int, weight: Int128)]) throws(ReferenceError) -> [(Int, Int128)] {
        let ordered = weights.sorted { $0.member < $1.member }
        let total = ordered.reduce(Int128(0)) { $0 + $1.weight }
        var parts: [(member: Int, floor: Int128, remainder: Fraction)] = []
        for (member, weight) in ordered {
            let quota = try Fraction(try Fraction.product(amount, weight), total)
            var floor = quota.numerator / quota.denominator
            if quota.numerator < 0 && quota.numerator % quota.denominator != 0 { floor -= 1 }
            parts.append((member, floor, try quota.plus(try Fraction(try Fraction.negated(floor)))))
        }
        var leftover = amount - parts.reduce(Int128(0)) { $0 + $1.floor }
        var extra = Set<Int>()
        while leftover > 0 {
            var best: Int?
            for index in parts.indices where !extra.contains(index) {
                guard let current = best else { best = index; continue }
                if try parts[current].remainder.less(parts[index].remainder) { best = index }
            }
            extra.insert(best!)
            leftover -= 1
        }
        return parts.enumerated().map { ($1.member, $1.floor + (extra.contains($0) ? 1 : 0)) }
    }

    mutating func settle(period: Int) throws(ReferenceError) -> Outcome {
        current = []
        for raw in contract.periods[period] { current.append(try Fraction(raw.0, raw.1)) }
        var goals: [String] = []
        for (index, goal) in contract.goals.enumerated() {
            let holds = try truth(goal.target)
            if holds { metCounts[index] += 1 }
            guard decided[index] == nil else { continue }
            if holds {
                decided[index] = true
                goals.append("g\(index) true [] []")
            } else if period >= goal.deadline {
                decided[index] = false
                for rating in goal.ratings { ratingChanges[rating.member] += rating.delta }
                for rule in goal.forfeits { forfeited.insert(rule) }
                goals.append("g\(index) false \(goal.ratings.map { "\(RandomCase.members[$0.member])\($0.delta)" }) \(goal.forfeits.map { "r\($0)" })")
            }
        }
        var payouts: [String] = []
        var paid: Int128 = 0
        func record(_ member: Int, _ rule: Int, _ minor: Int128) {
            if minor != 0 { payouts.append("\(RandomCase.members[member]) r\(rule) \(minor)") }
        }
        for (index, rule) in contract.rules.enumerated() {
            if forfeited.contains(index) || (rule.once && firedOnce.contains(index)) { continue }
            guard try rule.condition.map({ (c) throws(ReferenceError) in try truth(c) }) ?? true else { continue }
            for action in rule.actions {
                var actionTotal: Int128 = 0
                switch action {
                case .pay(let member, let e):
                    actionTotal = try amount(e)
                    record(member, index, actionTotal)
                case .fee(let n, let d, let e):
                    let base = try amount(e)
                    actionTotal = try Fraction(base).times(try Fraction(n, d)).times(try Fraction(1, 100)).rounded()
                    guard Self.fits(actionTotal) else { throw .overflow }
                    record(3, index, actionTotal)
                case .splitShares(let e):
                    actionTotal = try amount(e)
                    for (member, part) in try Self.hamilton(actionTotal, (0..<3).map { ($0, RandomCase.sharesBasisPoints[$0]) }) { record(member, index, part) }
                case .splitWeights(let e, let weights):
                    actionTotal = try amount(e)
                    for (member, part) in try Self.hamilton(actionTotal, weights) { record(member, index, part) }
                }
                paid += actionTotal
                guard Self.fits(paid) else { throw .overflow }
            }
            if rule.once { firedOnce.insert(index) }
        }
        for index in 0..<4 {  // running totals of the money and count metrics
            totals[index] += current[index].numerator
            guard Self.fits(totals[index]) else { throw .overflow }
        }
        previous = current
        let ratings = (0..<4).map { min(5, max(0, RandomCase.initialRatings[$0] + ratingChanges[$0])) }
        return Outcome(payouts: payouts, goals: goals, ratings: ratings)
    }
}
