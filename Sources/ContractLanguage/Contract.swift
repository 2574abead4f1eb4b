import Synchronization

/// A member's role in the EMC.
public enum MemberRole: String, Sendable, CaseIterable {
    case microEnterprise = "micro-enterprise"
    case externalPartner = "external-partner"
    case platform
}

public struct Member: Hashable, Sendable {
    public let name: String
    public let displayName: String
    public let role: MemberRole
    /// Star rating 0...5 at the start of the contract (3 unless declared).
    public let initialRating: Int
}

/// A declared metric: its type and the members allowed to report it.
public struct MetricDeclaration: Hashable, Sendable {
    public let name: String
    public let type: MetricType
    public let reporters: [String]
}

/// The type of a checked expression.
enum ExpressionType: String, Sendable {
    case money, count, percent, condition

    init(_ metric: MetricType) {
        switch metric {
        case .money: self = .money
        case .count: self = .count
        case .percent: self = .percent
        }
    }
}

/// A value during evaluation; `.boolean` only arises from conditions.
enum Scalar: Hashable, Sendable {
    case money(Int64), count(Int64), percent(Percent), boolean(Bool)

    init(_ value: Value) {
        switch value {
        case .money(let minor): self = .money(minor)
        case .count(let count): self = .count(count)
        case .percent(let percent): self = .percent(percent)
        }
    }
}

enum ArithmeticOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", of = "of", minimum = "min", maximum = "max"
}

enum ComparisonOperator: String, Sendable {
    case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">=", equal = "=", notEqual = "!="
}

/// A checked expression: names resolved to indices, literals typed, trace slots assigned.
indirect enum CheckedExpression: Sendable {
    case constant(Scalar)
    case metric(Int)
    case definition(Int)
    case previous(Int)
    case total(Int)
    case growth(Int)
    case met(Int)
    case negate(CheckedExpression)
    case arithmetic(ArithmeticOperator, CheckedExpression, CheckedExpression)
    case compare(ComparisonOperator, CheckedExpression, CheckedExpression)
    case and(CheckedExpression, CheckedExpression)
    case or(CheckedExpression, CheckedExpression)
    case not(CheckedExpression)
    /// Records the boolean value of the inner expression in trace slot `slot`.
    case traced(CheckedExpression, slot: Int)
}

// Definitions, goals and rules are classes: a settlement reads each of them many times, and a
// copy of a class is one retain where a copy of the struct retained every field.

final class CheckedDefinition: Sendable {
    let name: String
    let type: ExpressionType
    let expression: CheckedExpression
    /// `expression` in the contract's `code`.
    let root: Int

    init(name: String, type: ExpressionType, expression: CheckedExpression, code: inout ExpressionCode) {
        (self.name, self.type, self.expression) = (name, type, expression)
        root = code.add(expression)
    }
}

final class CheckedGoal: Sendable {
    let name: String
    let target: CheckedExpression
    let conditionTexts: [ConditionText]
    let deadline: Period
    let ratingChanges: [(member: Int, delta: Int)]
    let forfeits: [Int]
    /// `target` in the contract's `code`.
    let targetRoot: Int

    init(name: String, target: CheckedExpression, conditionTexts: [ConditionText], deadline: Period,
         ratingChanges: [(member: Int, delta: Int)], forfeits: [Int], code: inout ExpressionCode) {
        (self.name, self.target, self.conditionTexts, self.deadline) = (name, target, conditionTexts, deadline)
        (self.ratingChanges, self.forfeits) = (ratingChanges, forfeits)
        targetRoot = code.add(target)
    }
}

enum CheckedAction: Sendable {
    case pay(member: Int, amount: CheckedExpression)
    case split(amount: CheckedExpression, receivers: [Int], weights: [Int64], byShares: Bool)
    case fee(percent: Percent, base: CheckedExpression, member: Int)

    /// The amount paid or split, or the base a fee is taken of.
    var amount: CheckedExpression {
        switch self {
        case .pay(_, let amount), .split(let amount, _, _, _), .fee(_, let amount, _): amount
        }
    }
}

final class CheckedRule: Sendable {
    let name: String
    let schedule: Schedule
    let condition: CheckedExpression?
    let conditionTexts: [ConditionText]
    let actions: [(action: CheckedAction, text: String)]
    /// `condition` in the contract's `code`.
    let conditionRoot: Int?
    /// Each action's `amount` in the contract's `code`.
    let amountRoots: [Int]

    init(name: String, schedule: Schedule, condition: CheckedExpression?, conditionTexts: [ConditionText],
         actions: [(action: CheckedAction, text: String)], code: inout ExpressionCode) {
        (self.name, self.schedule, self.condition, self.conditionTexts, self.actions) = (name, schedule, condition, conditionTexts, actions)
        conditionRoot = condition.map { code.add($0) }
        amountRoots = actions.map { code.add($0.action.amount) }
    }
}

/// A checked contract, ready to settle periods. Produced only by `checkContract(source:)`.
/// Immutable, and a class: every settlement holds it, and a copy of a class is one retain where a
/// copy of the struct retained each of its fields.
public final class Contract: Sendable {
    public let name: String
    public let currency: Currency
    /// Members in declaration order.
    public let members: [Member]
    /// Metrics in declaration order.
    public let metrics: [MetricDeclaration]
    let shareBasisPoints: [Int64]
    let definitions: [CheckedDefinition]
    let goals: [CheckedGoal]
    let rules: [CheckedRule]
    /// The nodes of every definition, goal target, rule condition and action amount above.
    let code: [ExpressionNode]
    /// The metric names, as an identity: a run state written by this contract is read by index.
    let metricLayout: MetricLayout
    /// Traced sub-conditions of all goals, then all rules: the slots one traced settlement fills.
    let traceSlotCount: Int
    let requiredMetrics: [Int]
    let memberIndex: [String: Int]
    let metricIndex: [String: Int]
    /// `metricIndex` for a settlement's lookups, without SipHash.
    let metricNames: NameTable
    let source: SourceFile
    /// The most payout lines one settlement can have (every action paying): a settlement reserves them.
    let payoutSlots: Int
    /// `plainLanguageText`, once made: every `accept` of a version checks its rendering's hash,
    /// and rendering a contract takes about 250 µs. A function of the contract, so only time saved.
    let renderingText = Mutex<String?>(nil)

    init(name: String, currency: Currency, members: [Member], metrics: [MetricDeclaration], shareBasisPoints: [Int64],
         definitions: [CheckedDefinition], goals: [CheckedGoal], rules: [CheckedRule], code: [ExpressionNode],
         metricLayout: MetricLayout, traceSlotCount: Int, requiredMetrics: [Int], memberIndex: [String: Int],
         metricIndex: [String: Int], source: SourceFile, payoutSlots: Int) {
        (self.name, self.currency, self.members, self.metrics) = (name, currency, members, metrics)
        (self.shareBasisPoints, self.definitions, self.goals, self.rules, self.code) = (shareBasisPoints, definitions, goals, rules, code)
        (self.metricLayout, self.traceSlotCount, self.requiredMetrics) = (metricLayout, traceSlotCount, requiredMetrics)
        (self.memberIndex, self.metricIndex, self.source, self.payoutSlots) = (memberIndex, metricIndex, source, payoutSlots)
        metricNames = NameTable(metrics.map(\.name))
    }

    /// The metric declared under exactly these bytes (not as Swift compares strings: U+212A KELVIN
    /// SIGN does not name a metric `K…`), nil if none is.
    public func metric(named name: String) -> MetricDeclaration? {
        metricNames.position(of: name).map { metrics[$0] }
    }

    static func payoutSlots(of rule: CheckedRule) -> Int {
        rule.actions.reduce(0) { sum, action in
            switch action.action {
            case .pay, .fee: sum + 1
            case .split(_, let receivers, _, _): sum + receivers.count
            }
        }
    }

    /// A member's share in basis points (12.5% → 1250); 0 if the member has no share line,
    /// nil if there is no such member.
    public func shareBasisPoints(of member: String) -> Int? {
        memberIndex[member].map { Int(shareBasisPoints[$0]) }
    }

    public var ruleNames: [String] { rules.map(\.name) }
    public var goalNames: [String] { goals.map(\.name) }
    public var definitionNames: [String] { definitions.map(\.name) }

    /// The metrics whose values the settlement of `period` reads (all periods read the same set:
    /// every metric a rule or goal refers to, directly or through definitions), in declaration order.
    public func metricsRequired(for period: Period) -> [String] {
        requiredMetrics.map { metrics[$0].name }
    }

    /// The canonical pretty-printed source; it checks to an equivalent contract.
    public func formatted() -> String { Formatter.format(source) }
}

extension Scalar {
    /// The typed value, nil for a truth value.
    var value: Value? {
        switch self {
        case .money(let minor): .money(minor)
        case .count(let count): .count(count)
        case .percent(let percent): .percent(percent)
        case .boolean: nil
        }
    }
}
