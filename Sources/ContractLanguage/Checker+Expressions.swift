/// Type checking of expressions. Bare numbers take their type from context (see SPEC.md 2.5).
extension Checker {
    struct Typed {
        var expression: CheckedExpression
        var type: ExpressionType
    }

    /// The type of an expression before bare numbers are typed: `flexible` when its type comes
    /// from where it stands (bare numbers and what is built from them, SPEC 2.5).
    enum Intrinsic: Equatable {
        case typed(ExpressionType)
        case flexible
        case unknown
    }

    static func mayBeFlexible(_ expression: Expression) -> Bool {
        switch expression.kind {
        case .number, .unary(.negate, _): true
        case .binary(let op, _, _): !op.isComparison && op != .and && op != .or
        case .call(let function, _): function == .min || function == .max
        default: false
        }
    }

    mutating func intrinsic(_ expression: Expression) -> Intrinsic {
        switch expression.kind {
        case .number: return .flexible
        case .percent: return .typed(.percent)
        case .name(let name):
            if let index = metricIndex[name] { return .typed(ExpressionType(metrics[index].type)) }
            if let index = definitionIndex[name], let type = checkDefinition(index, at: expression.location) { return .typed(type) }
            return .unknown
        case .unary(.negate, let inner): return intrinsic(inner)
        case .unary(.not, _): return .typed(.condition)
        case .binary(let op, let left, let right):
            if op.isComparison || op == .and || op == .or { return .typed(.condition) }
            return combine(op, intrinsic(left), intrinsic(right))
        case .call(let function, let arguments):
            switch function {
            case .min, .max:
                guard arguments.count == 2 else { return .unknown }
                return combine(.add, intrinsic(arguments[0]), intrinsic(arguments[1]))
            case .met: return .typed(.count)
            case .growth: return .typed(.percent)
            case .previous, .total:
                guard arguments.count == 1, case .name(let name) = arguments[0].kind, let index = metricIndex[name] else { return .unknown }
                return .typed(ExpressionType(metrics[index].type))
            }
        }
    }

    private func combine(_ op: BinaryOperator, _ l: Intrinsic, _ r: Intrinsic) -> Intrinsic {
        func typed(_ type: ExpressionType?) -> Intrinsic { type.map(Intrinsic.typed) ?? .unknown }
        switch (op, l, r) {
        case (_, .unknown, _), (_, _, .unknown): return .unknown
        case (.of, .typed(.percent), .flexible): return .flexible
        case (.of, _, .flexible), (.of, .flexible, _): return .unknown
        case (.divide, .flexible, .flexible): return .typed(.percent)
        case (_, .flexible, .flexible): return .flexible
        case (.multiply, .typed(.count), .flexible), (.multiply, .flexible, .typed(.count)): return .flexible
        case (.multiply, .typed(let type), .flexible), (.multiply, .flexible, .typed(let type)): return typed(arithmeticType(.multiply, type, .count))
        case (.divide, .typed(let type), .flexible): return typed(arithmeticType(.divide, type, .count))
        case (.divide, .flexible, .typed(let type)): return typed(arithmeticType(.divide, type, type))
        case (_, .typed(let type), .flexible), (_, .flexible, .typed(let type)): return typed(arithmeticType(op, type, type))
        case (_, .typed(let a), .typed(let b)): return typed(arithmeticType(op, a, b))
        }
    }

    /// The type of a group of bare numbers with nothing else to go by: money if any of them has
    /// a decimal point, else count.
    static func defaultType(_ expression: Expression) -> ExpressionType {
        switch expression.kind {
        case .number(let text): text.contains(".") ? .money : .count
        case .unary(_, let inner): defaultType(inner)
        case .binary(_, let left, let right): defaultType(left) == .money ? .money : defaultType(right)
        case .call(_, let arguments): arguments.contains { defaultType($0) == .money } ? .money : .count
        default: .count
        }
    }

    /// The first bare number of a flexible expression, in source order.
    static func firstNumber(_ expression: Expression) -> (text: String, location: SourceLocation) {
        switch expression.kind {
        case .number(let text): return (text, expression.location)
        case .unary(_, let inner): return firstNumber(inner)
        case .binary(let op, let left, let right):
            if op == .of { return firstNumber(right) }
            return mayContainNumber(left) ? firstNumber(left) : firstNumber(right)
        case .call(_, let arguments): return firstNumber(arguments.first { mayContainNumber($0) } ?? arguments[0])
        default: return ("", expression.location)
        }
    }

    private static func mayContainNumber(_ expression: Expression) -> Bool {
        switch expression.kind {
        case .number: true
        case .unary(_, let inner): mayContainNumber(inner)
        case .binary(_, let left, let right): mayContainNumber(left) || mayContainNumber(right)
        case .call(_, let arguments): arguments.contains(where: mayContainNumber)
        default: false
        }
    }

    /// Reserves a trace slot (before the operands, so the trace lists outer conditions first).
    private mutating func reserveSlot(_ syntax: Expression) -> Int? {
        guard traceTexts != nil else { return nil }
        traceTexts!.append(ConditionText(syntax: syntax))
        return traceTexts!.count - 1
    }

    static func isLiteral(_ expression: Expression) -> Bool {
        switch expression.kind {
        case .number, .percent: true
        case .unary(.negate, let inner): isLiteral(inner)
        default: false
        }
    }

    private func traced(_ typed: Typed, _ slot: Int?) -> Typed {
        guard let slot, typed.type == .condition else { return typed }
        return Typed(expression: .traced(typed.expression, slot: slot), type: .condition)
    }

    /// Checks `expression`. `given` is the type given to it if it is flexible (SPEC 2.5: a
    /// flexible expression gets its type from where it stands; with no type given, the default).
    mutating func checkExpression(_ expression: Expression, expected given: ExpressionType?) -> Typed? {
        var expected = given
        if Self.mayBeFlexible(expression), intrinsic(expression) == .flexible {
            let type = given ?? Self.defaultType(expression)
            guard type == .money || type == .count else {
                let number = Self.firstNumber(expression)
                error(number.location, type == .percent ? "a percentage needs a '%' sign, like \(number.text)%"
                                                        : "expected a condition, found the number \(number.text)")
                return nil
            }
            expected = type
        }
        switch expression.kind {
        case .number(let text):
            return checkNumber(text, expression.location, expected: expected)
        case .percent(let text):
            guard let percent = Percent(parsing: text) else {
                error(expression.location, "malformed percentage '\(text)%'")
                return nil
            }
            return Typed(expression: .constant(.percent(percent)), type: .percent)
        case .name(let name):
            return checkName(name, expression.location)
        case .unary(.negate, let inner):
            guard let typed = checkExpression(inner, expected: expected) else { return nil }
            guard typed.type != .condition else {
                error(expression.location, "cannot negate a condition; use 'not'")
                return nil
            }
            if case .constant(let value) = typed.expression, let negated = negateConstant(value) {
                return Typed(expression: .constant(negated), type: typed.type)
            }
            return Typed(expression: .negate(typed.expression), type: typed.type)
        case .unary(.not, let inner):
            let slot = reserveSlot(expression)
            guard let typed = checkExpression(inner, expected: .condition) else { return nil }
            guard typed.type == .condition else {
                error(inner.location, "'not' needs a condition, found a \(typed.type.rawValue) value")
                return nil
            }
            return traced(Typed(expression: .not(typed.expression), type: .condition), slot)
        case .binary(let op, let left, let right):
            let slot = op.isComparison || op == .and || op == .or ? reserveSlot(expression) : nil
            guard let result = checkBinary(op, left, right, expression, expected: expected) else { return nil }
            return traced(result, slot)
        case .call(let function, let arguments):
            return checkCall(function, arguments, expression.location, expected: expected)
        }
    }

    private func negateConstant(_ value: Scalar) -> Scalar? {
        switch value {
        case .money(let minor): minor == .min ? nil : .money(-minor)
        case .count(let count): count == .min ? nil : .count(-count)
        case .percent(let percent): Percent(numerator: -Int128(percent.numerator), denominator: Int128(percent.denominator)).map(Scalar.percent)
        case .boolean: nil
        }
    }

    private mutating func checkNumber(_ text: String, _ location: SourceLocation, expected: ExpressionType?) -> Typed? {
        guard let decimal = DecimalText(text) else {
            error(location, "malformed number '\(text)'")
            return nil
        }
        let wantsMoney = expected == .money || (expected == nil && decimal.scale > 0)
        switch expected {
        case .percent:
            error(location, "a percentage needs a '%' sign, like \(text)%")
            return nil
        case .condition:
            error(location, "expected a condition, found the number \(text)")
            return nil
        default:
            break
        }
        if wantsMoney {
            let digits = currency?.minorDigits ?? 2
            guard decimal.scale <= digits else {
                error(location, "amount \(text) has more than \(digits) decimals")
                return nil
            }
            guard let minor = decimal.scaled(to: digits) else {
                error(location, "amount \(text) is too large")
                return nil
            }
            return Typed(expression: .constant(.money(minor)), type: .money)
        }
        guard decimal.scale == 0, let count = decimal.scaled(to: 0) else {
            error(location, "a count must be a whole number, found \(text)")
            return nil
        }
        return Typed(expression: .constant(.count(count)), type: .count)
    }

    private mutating func checkName(_ name: String, _ location: SourceLocation) -> Typed? {
        if let index = metricIndex[name] {
            usedMetrics.insert(index)
            return Typed(expression: .metric(index), type: ExpressionType(metrics[index].type))
        }
        if let index = definitionIndex[name] {
            guard let type = checkDefinition(index, at: location) else { return nil }
            return Typed(expression: .definition(index), type: type)
        }
        if file.incompleteNames.contains(name) { return nil }
        if memberIndex[name] != nil {
            error(location, "'\(name)' is a member, not a value; use a metric or a definition")
            return nil
        }
        let candidates = Array(metricIndex.keys) + Array(definitionIndex.keys)
        error(location, "unknown name '\(name)'\(didYouMean(name, candidates.sorted()))")
        return nil
    }

    /// The types given to the operands of `op` (SPEC 2.5, "literal typing"); `whole` is the type
    /// given to the whole expression when it is flexible.
    private mutating func operandTypes(_ op: BinaryOperator, _ left: Expression, _ right: Expression,
                                       whole: ExpressionType?, syntax: Expression) -> (ExpressionType?, ExpressionType?) {
        if op == .and || op == .or { return (.condition, .condition) }
        let l = intrinsic(left), r = intrinsic(right)
        switch (op, l, r) {
        case (.of, _, .flexible): return (.percent, whole)
        case (.of, .flexible, _): return (.percent, nil)
        case (_, .flexible, .flexible):
            // One group of bare numbers: one type for all of them.
            let type = op.isComparison || op == .divide ? Self.defaultType(syntax) : whole
            return (type, type)
        case (.multiply, .typed(.count), .flexible): return (nil, whole)
        case (.multiply, .flexible, .typed(.count)): return (whole, nil)
        case (.multiply, _, .flexible), (.divide, _, .flexible): return (nil, .count)
        case (.multiply, .flexible, _): return (.count, nil)
        case (_, .typed(let type), .flexible): return (nil, type)
        case (_, .flexible, .typed(let type)): return (type, nil)
        default: return (nil, nil)
        }
    }

    private mutating func checkOperands(_ op: BinaryOperator, _ left: Expression, _ right: Expression,
                                        whole: ExpressionType?, syntax: Expression) -> (Typed, Typed)? {
        let (leftType, rightType) = operandTypes(op, left, right, whole: whole, syntax: syntax)
        let leftTyped = checkExpression(left, expected: leftType)
        if leftTyped == nil && intrinsic(right) == .flexible { return nil }
        let rightTyped = checkExpression(right, expected: rightType)
        guard let leftTyped, let rightTyped else { return nil }
        return (leftTyped, rightTyped)
    }

    private mutating func checkBinary(_ op: BinaryOperator, _ left: Expression, _ right: Expression,
                                      _ syntax: Expression, expected: ExpressionType?) -> Typed? {
        let location = syntax.location
        guard let (l, r) = checkOperands(op, left, right, whole: expected, syntax: syntax) else { return nil }
        switch op {
        case .and, .or:
            for (side, syntax) in [(l, left), (r, right)] where side.type != .condition {
                error(syntax.location, "'\(op.rawValue)' needs conditions on both sides, found a \(side.type.rawValue) value")
                return nil
            }
            return Typed(expression: op == .and ? .and(l.expression, r.expression) : .or(l.expression, r.expression), type: .condition)
        case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual:
            guard l.type == r.type, l.type != .condition else {
                error(location, "cannot compare \(l.type.rawValue) with \(r.type.rawValue)")
                return nil
            }
            return Typed(expression: .compare(ComparisonOperator(rawValue: op.rawValue)!, l.expression, r.expression), type: .condition)
        case .add, .subtract, .multiply, .divide, .of:
            guard let type = arithmeticType(op, l.type, r.type) else {
                error(location, arithmeticMessage(op, l.type, r.type))
                return nil
            }
            if op == .divide, case .constant(let value) = r.expression, isZero(value) {
                error(location, "division by zero")
                return nil
            }
            return Typed(expression: .arithmetic(ArithmeticOperator(rawValue: op.rawValue)!, l.expression, r.expression), type: type)
        }
    }

    private func isZero(_ value: Scalar) -> Bool {
        switch value {
        case .money(0), .count(0): true
        case .percent(let percent): percent.numerator == 0
        default: false
        }
    }

    /// The typing table of SPEC.md 2.5.
    func arithmeticType(_ op: BinaryOperator, _ l: ExpressionType, _ r: ExpressionType) -> ExpressionType? {
        switch (op, l, r) {
        case (.add, _, _), (.subtract, _, _): l == r && l != .condition ? l : nil
        case (.multiply, .money, .count), (.multiply, .count, .money): .money
        case (.multiply, .count, .count): .count
        case (.multiply, .percent, .count), (.multiply, .count, .percent): .percent
        case (.divide, .money, .money), (.divide, .count, .count): .percent
        case (.divide, .money, .count): .money
        case (.divide, .percent, .count): .percent
        case (.of, .percent, .money): .money
        case (.of, .percent, .count): .count
        case (.of, .percent, .percent): .percent
        default: nil
        }
    }

    private func arithmeticMessage(_ op: BinaryOperator, _ l: ExpressionType, _ r: ExpressionType) -> String {
        switch op {
        case .add: "cannot add \(l.rawValue) and \(r.rawValue)"
        case .subtract: "cannot subtract \(r.rawValue) from \(l.rawValue)"
        case .multiply where l == .percent || r == .percent:
            "cannot multiply \(l.rawValue) by \(r.rawValue); write 'P% of AMOUNT' to take a percentage"
        case .multiply: "cannot multiply \(l.rawValue) by \(r.rawValue)"
        case .divide: "cannot divide \(l.rawValue) by \(r.rawValue)"
        default: l == .percent ? "cannot take a percentage of \(r.rawValue)" : "'of' needs a percentage on its left, found \(l.rawValue)"
        }
    }

    private mutating func checkCall(_ function: FunctionName, _ arguments: [Expression], _ location: SourceLocation,
                                    expected: ExpressionType?) -> Typed? {
        let arity = function == .min || function == .max ? 2 : 1
        guard arguments.count == arity else {
            error(location, "'\(function.rawValue)' takes \(arity) argument\(arity == 1 ? "" : "s"), found \(arguments.count)")
            return nil
        }
        switch function {
        case .min, .max:
            guard let (l, r) = checkOperands(.add, arguments[0], arguments[1], whole: expected, syntax: arguments[0]) else { return nil }
            guard l.type == r.type, l.type != .condition else {
                error(location, "'\(function.rawValue)' needs two values of the same type, found \(l.type.rawValue) and \(r.type.rawValue)")
                return nil
            }
            return Typed(expression: .arithmetic(function == .min ? .minimum : .maximum, l.expression, r.expression), type: l.type)
        case .met:
            guard case .name(let goal) = arguments[0].kind, let index = goalIndex[goal] else {
                let text = Formatter.expressionText(arguments[0])
                error(arguments[0].location, "'met' takes a goal name, found '\(text)'\(didYouMean(text, goalIndex.keys.sorted()))")
                return nil
            }
            guard allowsMet else {
                error(location, "'met' can only be used in rules, not in goals or definitions")
                return nil
            }
            return Typed(expression: .met(index), type: .count)
        case .previous, .total, .growth:
            guard case .name(let metric) = arguments[0].kind, let index = metricIndex[metric] else {
                let text = Formatter.expressionText(arguments[0])
                error(arguments[0].location, "'\(function.rawValue)' takes a metric name, found '\(text)'\(didYouMean(text, metricIndex.keys.sorted()))")
                return nil
            }
            usedMetrics.insert(index)
            let type = ExpressionType(metrics[index].type)
            switch function {
            case .previous: return Typed(expression: .previous(index), type: type)
            case .total:
                guard type != .percent else {
                    error(location, "'total' needs a money or count metric; '\(metric)' is a percent")
                    return nil
                }
                return Typed(expression: .total(index), type: type)
            default:
                guard type != .percent else {
                    error(location, "'growth' needs a money or count metric; '\(metric)' is a percent")
                    return nil
                }
                return Typed(expression: .growth(index), type: .percent)
            }
        }
    }
}
