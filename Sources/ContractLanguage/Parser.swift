/// Recursive-descent parser. On a syntax error it records one diagnostic and skips to the next
/// declaration keyword, so one run reports the errors of every declaration.
struct Parser {
    private var tokens: [Token]
    private var position = 0
    private var depth = 0
    private var operators = 0
    private(set) var diagnostics: [Diagnostic] = []

    private struct Failure: Error {}

    static func parse(_ source: String) -> (file: SourceFile, diagnostics: [Diagnostic]) {
        let (tokens, lexical) = Lexer.tokenize(source)
        var parser = Parser(tokens: tokens)
        let file = parser.parseFile()
        return (file, lexical + parser.diagnostics)
    }

    private init(tokens: [Token]) { self.tokens = tokens }

    private var current: Token { tokens[position] }

    private mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private mutating func error(_ expected: String) -> Failure {
        diagnostics.append(Diagnostic(current.location, "expected \(expected), found \(current.kind.spelling)"))
        return Failure()
    }

    private mutating func expect(_ keyword: Keyword) throws(Failure) {
        guard current.kind == .keyword(keyword) else { throw error("'\(keyword.rawValue)'") }
        _ = advance()
    }

    private mutating func expect(_ kind: TokenKind, _ what: String) throws(Failure) {
        guard current.kind == kind else { throw error(what) }
        _ = advance()
    }

    private mutating func accept(_ keyword: Keyword) -> Bool {
        guard current.kind == .keyword(keyword) else { return false }
        _ = advance()
        return true
    }

    private mutating func name(_ what: String) throws(Failure) -> Name {
        if case .identifier(let text) = current.kind {
            let token = advance()
            return Name(text: text, location: token.location)
        }
        if case .keyword(let keyword) = current.kind {
            diagnostics.append(Diagnostic(current.location, "expected \(what), found keyword '\(keyword.rawValue)' (reserved words cannot be names)"))
            throw Failure()
        }
        throw error(what)
    }

    private static let declarationStarts: Set<Keyword> = [.contract, .currency, .settlement, .member, .share, .metric, .define, .goal, .rule]

    private var atDeclarationStart: Bool {
        if case .keyword(let keyword) = current.kind { return Self.declarationStarts.contains(keyword) }
        return current.kind == .endOfFile
    }

    private mutating func parseFile() -> SourceFile {
        var file = SourceFile(declarations: [])
        while current.kind != .endOfFile {
            let start = position
            do throws(Failure) {
                file.declarations.append(try parseDeclaration())
            } catch {
                file.hasSyntaxErrors = true
                if start + 1 < tokens.count, case .identifier(let name) = tokens[start + 1].kind { file.incompleteNames.insert(name) }
                _ = advance()
                while !atDeclarationStart { _ = advance() }
            }
        }
        return file
    }

    private mutating func parseDeclaration() throws(Failure) -> Declaration {
        let start = current
        guard case .keyword(let keyword) = start.kind, Self.declarationStarts.contains(keyword) else {
            throw error("a declaration ('contract', 'currency', 'settlement', 'member', 'share', 'metric', 'define', 'goal' or 'rule')")
        }
        _ = advance()
        switch keyword {
        case .contract:
            guard case .string(let text) = current.kind else { throw error("the contract name as a string") }
            _ = advance()
            return .contractName(text, start.location)
        case .currency:
            let code = try name("a currency code like CNY")
            guard case .number(let digits) = current.kind else { throw error("the number of minor-unit digits, like 2") }
            _ = advance()
            return .currency(code: code, digitsText: digits, location: start.location)
        case .settlement:
            try expect(.monthly)
            return .settlement(start.location)
        case .member: return .member(try parseMember())
        case .share:
            let member = try name("a member name")
            guard case .percentLiteral(let text) = current.kind else { throw error("a percentage like 25%") }
            let location = advance().location
            return .share(ShareDeclaration(member: member, percentText: text, percentLocation: location))
        case .metric: return .metric(try parseMetric())
        case .define:
            let name = try name("a definition name")
            try expect(.equals, "'='")
            return .definition(DefinitionDeclaration(name: name, value: try parseExpression()))
        case .goal: return .goal(try parseGoal())
        case .rule: return .rule(try parseRule())
        default: throw error("a declaration")
        }
    }

    private mutating func parseMember() throws(Failure) -> MemberDeclaration {
        let memberName = try name("a member name")
        guard case .string(let display) = current.kind else { throw error("the member's display name as a string") }
        _ = advance()
        var role = try name("a role ('micro-enterprise', 'external-partner' or 'platform')")
        while current.kind == .minus, case .identifier(let part) = tokens[position + 1].kind {
            _ = advance()
            _ = advance()
            role.text += "-" + part
        }
        var rating: (String, SourceLocation)?
        if accept(.rating) {
            guard case .number(let text) = current.kind else { throw error("a star rating from 0 to 5") }
            rating = (text, advance().location)
        }
        return MemberDeclaration(name: memberName, displayName: display, role: role, rating: rating)
    }

    private mutating func parseMetric() throws(Failure) -> MetricDeclarationSyntax {
        let metricName = try name("a metric name")
        let type: MetricType
        switch current.kind {
        case .keyword(.money): type = .money
        case .keyword(.count): type = .count
        case .keyword(.percent): type = .percent
        default: throw error("a metric type ('money', 'count' or 'percent')")
        }
        _ = advance()
        var reporters: [Name] = []
        if accept(.reported) {
            try expect(.by)
            reporters.append(try name("a reporting member"))
            while current.kind == .comma {
                _ = advance()
                reporters.append(try name("a reporting member"))
            }
        }
        return MetricDeclarationSyntax(name: metricName, type: type, reporters: reporters)
    }

    private mutating func parseGoal() throws(Failure) -> GoalDeclaration {
        let goalName = try name("a goal name")
        try expect(.target)
        let target = try parseExpression()
        try expect(.deadline)
        guard case .periodLiteral(let text) = current.kind else {
            throw error("a deadline period like 2020-12 (malformed deadline)")
        }
        let deadlineLocation = advance().location
        var outcomes: [MissOutcomeSyntax] = []
        if accept(.if) {
            try expect(.missed)
            repeat {
                if accept(.forfeit) {
                    outcomes.append(.forfeit(rule: try name("the name of a rule to forfeit")))
                } else if current.kind == .keyword(.rating) {
                    let location = advance().location
                    let member = try name("a member name")
                    var sign = 1
                    if current.kind == .minus { sign = -1; _ = advance() } else if current.kind == .plus { _ = advance() }
                    guard case .number(let text) = current.kind, let magnitude = Int(text), magnitude <= 5 else {
                        throw error("a rating change from -5 to +5")
                    }
                    _ = advance()
                    outcomes.append(.rating(member: member, delta: sign * magnitude, location: location))
                } else {
                    throw error("'rating' or 'forfeit'")
                }
            } while current.kind == .keyword(.rating) || current.kind == .keyword(.forfeit)
        }
        return GoalDeclaration(name: goalName, target: target, deadlineText: text,
                               deadlineLocation: deadlineLocation, missOutcomes: outcomes)
    }

    private mutating func parseRule() throws(Failure) -> RuleDeclaration {
        let ruleName = try name("a rule name")
        let schedule: Schedule
        if accept(.once) {
            schedule = .once
        } else if accept(.every) {
            try expect(.period)
            schedule = .everyPeriod
        } else {
            throw error("'every period' or 'once'")
        }
        var condition: Expression?
        if accept(.when) { condition = try parseExpression() }
        try expect(.then)
        var actions: [(ActionSyntax, SourceLocation)] = []
        repeat {
            actions.append(try parseAction())
        } while [.keyword(.pay), .keyword(.split), .keyword(.fee)].contains(current.kind)
        return RuleDeclaration(name: ruleName, schedule: schedule, condition: condition, actions: actions)
    }

    private mutating func parseAction() throws(Failure) -> (ActionSyntax, SourceLocation) {
        let location = current.location
        if accept(.pay) {
            let member = try name("the member to pay")
            return (.pay(member: member, amount: try parseExpression()), location)
        }
        if accept(.split) {
            let amount = try parseExpression()
            try expect(.by)
            if accept(.shares) { return (.split(amount: amount, basis: .shares, location: location), location) }
            guard accept(.weights) else { throw error("'shares' or 'weights'") }
            try expect(.leftParen, "'('")
            var weights: [(Name, String, SourceLocation)] = []
            repeat {
                if !weights.isEmpty { _ = advance() }
                let member = try name("a member name")
                guard case .number(let text) = current.kind else { throw error("a whole-number weight") }
                weights.append((member, text, advance().location))
            } while current.kind == .comma
            try expect(.rightParen, "')'")
            return (.split(amount: amount, basis: .weights(weights), location: location), location)
        }
        if accept(.fee) {
            guard case .percentLiteral(let text) = current.kind else { throw error("a fee percentage like 2%") }
            let percentLocation = advance().location
            try expect(.of)
            let base = try parseExpression()
            try expect(.to)
            let member = try name("the platform member receiving the fee")
            return (.fee(percentText: text, percentLocation: percentLocation, base: base, member: member), location)
        }
        throw error("an action ('pay', 'split' or 'fee')")
    }

    // MARK: Expressions

    /// Counts one operator; bounds the size (and so the recursion depth) of one expression.
    private mutating func countOperator() throws(Failure) {
        operators += 1
        if operators > Limits.maxOperatorsPerExpression {
            diagnostics.append(Diagnostic(current.location, "expression has more than \(Limits.maxOperatorsPerExpression) operators"))
            throw Failure()
        }
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        if depth > Limits.maxNestingDepth {
            diagnostics.append(Diagnostic(current.location, "expression nests deeper than \(Limits.maxNestingDepth) levels"))
            throw Failure()
        }
    }

    private mutating func parseExpression() throws(Failure) -> Expression {
        if depth == 0 { operators = 0 }
        try enter()
        defer { depth -= 1 }
        var left = try parseAnd()
        while current.kind == .keyword(.or) {
            let location = advance().location
            try countOperator()
            left = Expression(kind: .binary(.or, left, try parseAnd()), location: location)
        }
        return left
    }

    private mutating func parseAnd() throws(Failure) -> Expression {
        var left = try parseNot()
        while current.kind == .keyword(.and) {
            let location = advance().location
            try countOperator()
            left = Expression(kind: .binary(.and, left, try parseNot()), location: location)
        }
        return left
    }

    private mutating func parseNot() throws(Failure) -> Expression {
        if current.kind == .keyword(.not) {
            let location = advance().location
            try countOperator()
            try enter()
            defer { depth -= 1 }
            return Expression(kind: .unary(.not, try parseNot()), location: location)
        }
        return try parseComparison()
    }

    private static let comparisons: [TokenKind: BinaryOperator] = [
        .less: .less, .lessEqual: .lessEqual, .greater: .greater, .greaterEqual: .greaterEqual,
        .equals: .equal, .notEqual: .notEqual,
    ]

    private mutating func parseComparison() throws(Failure) -> Expression {
        let left = try parseAdditive()
        guard let op = Self.comparisons[current.kind] else { return left }
        let location = advance().location
            try countOperator()
        let right = try parseAdditive()
        if Self.comparisons[current.kind] != nil {
            throw error("'and' or 'or' between comparisons (comparisons cannot be chained)")
        }
        return Expression(kind: .binary(op, left, right), location: location)
    }

    private mutating func parseAdditive() throws(Failure) -> Expression {
        var left = try parseMultiplicative()
        while current.kind == .plus || current.kind == .minus {
            let op: BinaryOperator = current.kind == .plus ? .add : .subtract
            let location = advance().location
            try countOperator()
            left = Expression(kind: .binary(op, left, try parseMultiplicative()), location: location)
        }
        return left
    }

    private mutating func parseMultiplicative() throws(Failure) -> Expression {
        var left = try parseUnary()
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .star: op = .multiply
            case .slash: op = .divide
            case .keyword(.of): op = .of
            default: return left
            }
            let location = advance().location
            try countOperator()
            left = Expression(kind: .binary(op, left, try parseUnary()), location: location)
        }
    }

    private mutating func parseUnary() throws(Failure) -> Expression {
        if current.kind == .minus {
            let location = advance().location
            try countOperator()
            try enter()
            defer { depth -= 1 }
            return Expression(kind: .unary(.negate, try parseUnary()), location: location)
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(Failure) -> Expression {
        let token = current
        switch token.kind {
        case .number(let text):
            _ = advance()
            return Expression(kind: .number(text), location: token.location)
        case .percentLiteral(let text):
            _ = advance()
            return Expression(kind: .percent(text), location: token.location)
        case .identifier(let text):
            _ = advance()
            return Expression(kind: .name(text), location: token.location)
        case .leftParen:
            _ = advance()
            let inner = try parseExpression()
            try expect(.rightParen, "')'")
            return inner
        case .keyword(let keyword):
            guard let function = FunctionName(rawValue: keyword.rawValue) else { break }
            _ = advance()
            try expect(.leftParen, "'(' after '\(keyword.rawValue)'")
            var arguments = [try parseExpression()]
            while current.kind == .comma {
                _ = advance()
                arguments.append(try parseExpression())
            }
            try expect(.rightParen, "')'")
            return Expression(kind: .call(function, arguments), location: token.location)
        case .periodLiteral:
            diagnostics.append(Diagnostic(token.location, "a period like \(token.kind.spelling) is only allowed after 'deadline'"))
            throw Failure()
        default:
            break
        }
        throw error("an expression")
    }
}
