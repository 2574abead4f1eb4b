/// Why a settlement paid what it paid: every goal and rule in order, with the value of each
/// sub-condition and the arithmetic of every action.
public struct Trace: Sendable {
    public let period: Period
    /// Definitions evaluated during this settlement, in the order they were first needed.
    public let definitions: [DefinitionTrace]
    public let goals: [GoalTrace]
    public let rules: [RuleTrace]
}

/// The value of a definition or sub-condition: a typed value or a truth value.
public enum TraceValue: Hashable, Sendable {
    case value(Value)
    case truth(Bool)
}

public struct DefinitionTrace: Hashable, Sendable {
    public let name: String
    public let value: TraceValue
}

/// One sub-condition, in source order; `value` is nil when it was not evaluated
/// ('and'/'or' stop at the first side that decides the result). A comparison also carries the
/// values of its two sides, so an explanation shows the numbers that decided it.
public struct ConditionTrace: Hashable, Sendable {
    public let text: String
    public let value: Bool?
    /// Comparisons only: the operator and both sides (values nil when not evaluated).
    public let comparison: ComparisonTrace?

    public init(text: String, value: Bool?, comparison: ComparisonTrace? = nil) {
        self.text = text
        self.value = value
        self.comparison = comparison
    }
}

/// The two sides of a traced comparison.
public struct ComparisonTrace: Hashable, Sendable {
    public struct Side: Hashable, Sendable {
        /// The side as written (`growth(revenue)`, `0`).
        public let text: String
        /// A literal is its own value: explanations do not repeat it.
        public let isLiteral: Bool
        public let value: Value?
    }
    public let op: String
    public let left: Side
    public let right: Side
}

/// What the checker records of a traced sub-condition: its syntax, from which its text and, for a
/// comparison, its sides are written when an explanation reads them (never while settling).
struct ConditionText: Sendable {
    let syntax: Expression

    var text: String { Formatter.expressionText(syntax) }

    var comparison: (op: String, left: String, leftIsLiteral: Bool, right: String, rightIsLiteral: Bool)? {
        guard case .binary(let op, let left, let right) = syntax.kind, op.isComparison else { return nil }
        return (op.rawValue, Formatter.expressionText(left), Checker.isLiteral(left),
                Formatter.expressionText(right), Checker.isLiteral(right))
    }

    func trace(_ slot: ConditionSlot?) -> ConditionTrace {
        let sides = comparison.map { comparison in
            ComparisonTrace(op: comparison.op,
                            left: .init(text: comparison.left, isLiteral: comparison.leftIsLiteral, value: slot?.left),
                            right: .init(text: comparison.right, isLiteral: comparison.rightIsLiteral, value: slot?.right))
        }
        return ConditionTrace(text: text, value: slot?.truth, comparison: sides)
    }
}

/// The value a traced sub-condition took during one evaluation.
struct ConditionSlot: Sendable {
    var truth: Bool
    var left: Value?
    var right: Value?
}

/// The values every traced sub-condition of one settlement took: filled while the settlement
/// runs (by its interpreter alone, on one thread), never written after it is returned, so sharing
/// it between threads afterwards is safe. One per traced settlement, not one array per condition.
final class ConditionSlots: @unchecked Sendable {
    var values: [ConditionSlot?] = []
}

/// The sub-conditions of a goal or rule as a settlement left them: the checker's texts and the
/// slots evaluation filled, from `base` on (none when the condition was not evaluated).
/// `ConditionTrace`s are built only when an explanation reads them, so a settlement nobody
/// explains pays for none.
struct ConditionTraces: Sendable {
    let texts: [ConditionText]
    let slots: ConditionSlots?
    let base: Int

    static let none = ConditionTraces(texts: [], slots: nil, base: 0)

    var traces: [ConditionTrace] {
        guard let values = slots?.values else { return texts.map { $0.trace(nil) } }
        return texts.indices.map { texts[$0].trace(values[base + $0]) }
    }
}

public struct GoalTrace: Hashable, Sendable {
    public enum Status: String, Sendable {
        case metNow = "met"
        case missedNow = "missed"
        case pending = "not met yet"
        case alreadyMet = "already met"
        case alreadyMissed = "already missed"
    }
    public let name: String
    public let deadline: Period
    /// Whether the target held in this period.
    public let targetHolds: Bool
    public let status: Status
    let conditionTraces: ConditionTraces
    public var conditions: [ConditionTrace] { conditionTraces.traces }

    public static func == (a: GoalTrace, b: GoalTrace) -> Bool {
        (a.name, a.deadline, a.targetHolds, a.status) == (b.name, b.deadline, b.targetHolds, b.status) && a.conditions == b.conditions
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(deadline)
        hasher.combine(targetHolds)
        hasher.combine(status)
        hasher.combine(conditions)
    }
}

public struct RuleTrace: Sendable {
    public enum Status: String, Sendable {
        case fired
        case conditionFalse = "condition false"
        case forfeited = "forfeited (a goal was missed)"
        case alreadyFired = "already fired (once)"
    }
    public let name: String
    public let once: Bool
    public let status: Status
    public var fired: Bool { status == .fired }
    let conditionTraces: ConditionTraces
    public var conditions: [ConditionTrace] { conditionTraces.traces }
    /// This rule's actions in the settlement's one list of them (see `ActionTraces`).
    let actionTraces: ActionTraces?
    let actionRange: Range<Int>
    public var actions: [ActionTrace] { actionTraces.map { Array($0.values[actionRange]) } ?? [] }
}

/// The action traces of one settlement, every rule's in order: written once, when the settlement
/// is complete (its interpreter collects them in an array of its own meanwhile), read-only after,
/// so sharing it between threads is safe. One list per settlement, not one per rule.
final class ActionTraces: @unchecked Sendable {
    var values: [ActionTrace] = []
}

/// One receiver of a split: exact quota = amount × weight / totalWeight.
public struct SplitShareTrace: Hashable, Sendable {
    public let member: String
    public let weight: Int64
    public let totalWeight: Int64
    /// Exact quota in minor units is `quotaNumerator / totalWeight`.
    public let quotaNumerator: Int128
    public let floorMinor: Int64
    public let receivedRemainderUnit: Bool
    public var amountMinor: Int64 { floorMinor + (receivedRemainderUnit ? 1 : 0) }
}

public struct ActionTrace: Sendable {
    public enum Kind: String, Sendable { case pay, split, fee }
    /// A split's arithmetic as the split left it (built into `SplitShareTrace`s when read).
    struct Split: Sendable {
        let parts: [SplitPart]
        let receivers: [Int]
        let totalWeight: Int64
        let members: [Member]
    }
    public let kind: Kind
    /// The action as written in the contract.
    public let text: String
    /// The amount paid (pay, fee) or the pool divided (split).
    public let amountMinor: Int64
    /// Fee only: the amount the percentage was taken of.
    public let baseMinor: Int64?
    /// Pay and fee: the receiver.
    public let member: String?
    let split: Split?
    /// Split only: every receiver's arithmetic, in member declaration order.
    public var shares: [SplitShareTrace] {
        guard let split else { return [] }
        return split.parts.map { part in
            SplitShareTrace(member: split.members[split.receivers[part.index]].name, weight: part.weight, totalWeight: split.totalWeight,
                            quotaNumerator: part.quotaNumerator, floorMinor: part.floorMinor,
                            receivedRemainderUnit: part.receivedRemainderUnit)
        }
    }
}
