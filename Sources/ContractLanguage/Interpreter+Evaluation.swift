/// Expression evaluation: exact, overflow-checked, one rounding rule (half away from zero).
extension Interpreter {
    mutating func evaluateCondition(_ root: Int) throws(EvaluationError) -> Bool {
        guard case .boolean(let truth) = try evaluate(root) else { preconditionFailure("checker guarantees a condition") }
        return truth
    }

    /// Records a traced sub-condition's value in the current goal's or rule's slot `slot`.
    private mutating func record(_ slot: Int, _ value: ConditionSlot) {
        if slot < slotCount { slotValues[slotBase + slot] = value }
    }

    /// The value of the expression whose root is node `root` of the contract's `code`.
    mutating func evaluate(_ root: Int) throws(EvaluationError) -> Scalar {
        switch contract.code[root] {
        case .constant(let value):
            return value
        case .metric(let index):
            return Scalar(current[index]!)
        case .definition(let index):
            return try definition(index)
        case .previous(let index):
            return Scalar(previous[index] ?? Value.zero(of: contract.metrics[index].type))
        case .total(let index):
            return try total(index)
        case .growth(let index):
            return try growth(index)
        case .met(let index):
            return .count(Int64(goalMetCounts[index]))
        case .negate(let inner):
            // Evaluated first: `negate(try evaluate(inner))` copies the interpreter for the call.
            let value = try evaluate(inner)
            return try negate(value)
        case .arithmetic(let op, let left, let right):
            let l = try evaluate(left)
            let r = try evaluate(right)
            return try arithmetic(op, l, r)
        case .compare(let op, let left, let right):
            let l = try evaluate(left)
            let r = try evaluate(right)
            return .boolean(compare(op, l, r))
        case .and(let left, let right):
            guard try evaluateCondition(left) else { return .boolean(false) }
            return .boolean(try evaluateCondition(right))
        case .or(let left, let right):
            if try evaluateCondition(left) { return .boolean(true) }
            return .boolean(try evaluateCondition(right))
        case .not(let inner):
            return .boolean(!(try evaluateCondition(inner)))
        case .tracedCompare(let op, let left, let right, let slot):
            // A traced comparison keeps both sides, so explanations carry their numbers.
            let l = try evaluate(left)
            let r = try evaluate(right)
            let truth = compare(op, l, r)
            record(slot, ConditionSlot(truth: truth, left: l.value, right: r.value))
            return .boolean(truth)
        case .traced(let inner, let slot):
            let value = try evaluate(inner)
            if case .boolean(let truth) = value { record(slot, ConditionSlot(truth: truth)) }
            return value
        }
    }

    private mutating func definition(_ index: Int) throws(EvaluationError) -> Scalar {
        if let value = definitionValues[index] { return value }
        let saved = (context, slotCount)
        let definition = contract.definitions[index]
        // A definition records no slot (it has none: the checker traces goals and rules only).
        (context, slotCount) = (.definition(index), 0)
        let value = try evaluate(definition.root)
        (context, slotCount) = saved
        definitionValues[index] = value
        let shown: TraceValue = switch value {
        case .money(let minor): .value(.money(minor))
        case .count(let count): .value(.count(count))
        case .percent(let percent): .value(.percent(percent))
        case .boolean(let truth): .truth(truth)
        }
        if tracing { definitionTraces.append(DefinitionTrace(name: definition.name, value: shown)) }
        return value
    }

    private mutating func total(_ index: Int) throws(EvaluationError) -> Scalar {
        let (sum, overflow) = runningTotal(index).addingReportingOverflow(integer(Scalar(current[index]!)))
        if overflow { throw failure(.overflow, "total(\(contract.metrics[index].name)) overflows") }
        return contract.metrics[index].type == .money ? .money(sum) : .count(sum)
    }

    private func growth(_ index: Int) throws(EvaluationError) -> Scalar {
        let name = contract.metrics[index].name
        let now = integer(Scalar(current[index]!))
        let before = previous[index].map { integer(Scalar($0)) } ?? 0
        guard before != 0 else {
            throw failure(.divisionByZero, "growth(\(name)) divides by zero: the previous period's \(name) is 0 or was not reported")
        }
        guard let percent = Percent(numerator: (Int128(now) - Int128(before)) * 100, denominator: Int128(before)) else {
            throw failure(.overflow, "growth(\(name)) overflows")
        }
        return .percent(percent)
    }

    private func integer(_ value: Scalar) -> Int64 {
        switch value {
        case .money(let minor), .count(let minor): minor
        default: preconditionFailure("checker guarantees money or count")
        }
    }

    private func negate(_ value: Scalar) throws(EvaluationError) -> Scalar {
        switch value {
        case .money(let minor): if minor != .min { return .money(-minor) }
        case .count(let count): if count != .min { return .count(-count) }
        case .percent(let p):
            if let negated = Percent(numerator: -Int128(p.numerator), denominator: Int128(p.denominator)) { return .percent(negated) }
        case .boolean: preconditionFailure("checker forbids negating a condition")
        }
        throw failure(.overflow, "negation overflows")
    }

    private func compare(_ op: ComparisonOperator, _ l: Scalar, _ r: Scalar) -> Bool {
        let order: Int
        switch (l, r) {
        case (.money(let a), .money(let b)), (.count(let a), .count(let b)): order = a < b ? -1 : (a == b ? 0 : 1)
        case (.percent(let a), .percent(let b)): order = a < b ? -1 : (a == b ? 0 : 1)
        default: preconditionFailure("checker guarantees comparable types")
        }
        switch op {
        case .less: return order < 0
        case .lessEqual: return order <= 0
        case .greater: return order > 0
        case .greaterEqual: return order >= 0
        case .equal: return order == 0
        case .notEqual: return order != 0
        }
    }

    private func checked(_ result: (partialValue: Int64, overflow: Bool), _ op: ArithmeticOperator) throws(EvaluationError) -> Int64 {
        if result.overflow { throw failure(.overflow, "arithmetic overflow in '\(op.rawValue)'") }
        return result.partialValue
    }

    private func percent(_ numerator: Int128, _ denominator: Int128, _ op: ArithmeticOperator) throws(EvaluationError) -> Scalar {
        guard denominator != 0 else { throw failure(.divisionByZero, "division by zero") }
        guard let value = Percent(numerator: numerator, denominator: denominator) else {
            throw failure(.overflow, "arithmetic overflow in '\(op.rawValue)'")
        }
        return .percent(value)
    }

    private func rounded(_ numerator: Int128, _ denominator: Int128, _ op: ArithmeticOperator) throws(EvaluationError) -> Int64 {
        guard denominator != 0 else { throw failure(.divisionByZero, "division by zero") }
        guard let value = roundedQuotient(numerator, denominator) else { throw failure(.overflow, "arithmetic overflow in '\(op.rawValue)'") }
        return value
    }

    func arithmetic(_ op: ArithmeticOperator, _ l: Scalar, _ r: Scalar) throws(EvaluationError) -> Scalar {
        switch (op, l, r) {
        case (.minimum, _, _): return compare(.lessEqual, l, r) ? l : r
        case (.maximum, _, _): return compare(.greaterEqual, l, r) ? l : r
        case (.add, .money(let a), .money(let b)): return .money(try checked(a.addingReportingOverflow(b), op))
        case (.add, .count(let a), .count(let b)): return .count(try checked(a.addingReportingOverflow(b), op))
        case (.subtract, .money(let a), .money(let b)): return .money(try checked(a.subtractingReportingOverflow(b), op))
        case (.subtract, .count(let a), .count(let b)): return .count(try checked(a.subtractingReportingOverflow(b), op))
        case (.add, .percent(let a), .percent(let b)), (.subtract, .percent(let a), .percent(let b)):
            let sign: Int128 = op == .add ? 1 : -1
            let numerator = Int128(a.numerator) * Int128(b.denominator) + sign * Int128(b.numerator) * Int128(a.denominator)
            return try percent(numerator, Int128(a.denominator) * Int128(b.denominator), op)
        case (.multiply, .money(let a), .count(let b)), (.multiply, .count(let a), .money(let b)):
            return .money(try checked(a.multipliedReportingOverflow(by: b), op))
        case (.multiply, .count(let a), .count(let b)):
            return .count(try checked(a.multipliedReportingOverflow(by: b), op))
        case (.multiply, .percent(let p), .count(let c)), (.multiply, .count(let c), .percent(let p)):
            return try percent(Int128(p.numerator) * Int128(c), Int128(p.denominator), op)
        case (.divide, .money(let a), .money(let b)), (.divide, .count(let a), .count(let b)):
            return try percent(Int128(a) * 100, Int128(b), op)
        case (.divide, .money(let a), .count(let b)):
            return .money(try rounded(Int128(a), Int128(b), op))
        case (.divide, .percent(let p), .count(let c)):
            return try percent(Int128(p.numerator), Int128(p.denominator) * Int128(c), op)
        case (.of, .percent(let p), .money(let m)):
            return .money(try rounded(Int128(m) * Int128(p.numerator), Int128(p.denominator) * 100, op))
        case (.of, .percent(let p), .count(let c)):
            return .count(try rounded(Int128(c) * Int128(p.numerator), Int128(p.denominator) * 100, op))
        case (.of, .percent(let a), .percent(let b)):
            guard let product = Percent.of(a, b) else { throw failure(.overflow, "arithmetic overflow in 'of'") }
            return .percent(product)
        default:
            preconditionFailure("checker guarantees operand types for \(op.rawValue)")
        }
    }
}
