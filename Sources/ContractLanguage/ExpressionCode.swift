/// A checked expression as evaluation reads it: one node per sub-expression, children by index
/// into the contract's `code`. The tree (`CheckedExpression`) is what the checker builds and the
/// renderers read; settling walks these nodes instead, in the same order with the same
/// short-circuits, so it meets the same first error. A node holds plain values only, so reading
/// one retains and releases nothing (an indirect enum retains a box per node visited).
enum ExpressionNode: Sendable {
    case constant(Scalar)
    case metric(Int)
    case definition(Int)
    case previous(Int)
    case total(Int)
    case growth(Int)
    case met(Int)
    case negate(Int)
    case arithmetic(ArithmeticOperator, Int, Int)
    case compare(ComparisonOperator, Int, Int)
    case and(Int, Int)
    case or(Int, Int)
    case not(Int)
    /// A traced comparison: records its truth and both sides in trace slot `slot`.
    case tracedCompare(ComparisonOperator, Int, Int, slot: Int)
    /// Records the truth of the inner condition in trace slot `slot`.
    case traced(Int, slot: Int)
}

/// The nodes of every expression of a contract, appended children first.
struct ExpressionCode: Sendable {
    private(set) var nodes: [ExpressionNode] = []

    /// Appends `expression`'s nodes; returns the index of its root.
    mutating func add(_ expression: CheckedExpression) -> Int {
        let node: ExpressionNode
        switch expression {
        case .constant(let value): node = .constant(value)
        case .metric(let index): node = .metric(index)
        case .definition(let index): node = .definition(index)
        case .previous(let index): node = .previous(index)
        case .total(let index): node = .total(index)
        case .growth(let index): node = .growth(index)
        case .met(let index): node = .met(index)
        case .negate(let inner): node = .negate(add(inner))
        case .arithmetic(let op, let left, let right): node = .arithmetic(op, add(left), add(right))
        case .compare(let op, let left, let right): node = .compare(op, add(left), add(right))
        case .and(let left, let right): node = .and(add(left), add(right))
        case .or(let left, let right): node = .or(add(left), add(right))
        case .not(let inner): node = .not(add(inner))
        case .traced(.compare(let op, let left, let right), let slot): node = .tracedCompare(op, add(left), add(right), slot: slot)
        case .traced(let inner, let slot): node = .traced(add(inner), slot: slot)
        }
        nodes.append(node)
        return nodes.count - 1
    }
}

extension Array {
    /// `count` copies of `value`. `Array(repeating:count:)` allocates through a runtime function
    /// that is not specialised and looks the storage class's metadata up on every call (several
    /// hundred instructions, more than filling a settlement's small arrays); growing through
    /// `reserveCapacity` allocates in specialised code.
    init(filled value: Element, count: Int) {
        self.init()
        reserveCapacity(count)
        for _ in 0..<count { append(value) }
    }
}
