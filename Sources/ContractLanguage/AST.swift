/// The parsed (unchecked) form of a contract, kept for the pretty-printer and diagnostics.
struct Name: Hashable, Sendable {
    var text: String
    var location: SourceLocation
}

enum UnaryOperator: String, Sendable {
    case negate = "-"
    case not = "not"
}

enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", of = "of"
    case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">=", equal = "=", notEqual = "!="
    case and = "and", or = "or"

    /// Binding strength: higher binds tighter.
    var precedence: Int {
        switch self {
        case .or: 1
        case .and: 2
        case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual: 4
        case .add, .subtract: 5
        case .multiply, .divide, .of: 6
        }
    }

    var isComparison: Bool { precedence == 4 }
}

enum FunctionName: String, Sendable, CaseIterable {
    case previous, total, growth, met, min, max
}

indirect enum ExpressionKind: Sendable {
    /// An untyped number as written; its type comes from context (money or count).
    case number(String)
    case percent(String)
    case name(String)
    case unary(UnaryOperator, Expression)
    case binary(BinaryOperator, Expression, Expression)
    case call(FunctionName, [Expression])
}

struct Expression: Sendable {
    var kind: ExpressionKind
    var location: SourceLocation
}

struct MemberDeclaration: Sendable {
    var name: Name
    var displayName: String
    var role: Name
    var rating: (text: String, location: SourceLocation)?
}

struct ShareDeclaration: Sendable {
    var member: Name
    var percentText: String
    var percentLocation: SourceLocation
}

struct MetricDeclarationSyntax: Sendable {
    var name: Name
    var type: MetricType
    var reporters: [Name]
}

struct DefinitionDeclaration: Sendable {
    var name: Name
    var value: Expression
}

enum MissOutcomeSyntax: Sendable {
    case rating(member: Name, delta: Int, location: SourceLocation)
    case forfeit(rule: Name)
}

struct GoalDeclaration: Sendable {
    var name: Name
    var target: Expression
    var deadlineText: String
    var deadlineLocation: SourceLocation
    var missOutcomes: [MissOutcomeSyntax]
}

enum SplitBasisSyntax: Sendable {
    case shares
    case weights([(member: Name, weightText: String, location: SourceLocation)])
}

enum ActionSyntax: Sendable {
    case pay(member: Name, amount: Expression)
    case split(amount: Expression, basis: SplitBasisSyntax, location: SourceLocation)
    case fee(percentText: String, percentLocation: SourceLocation, base: Expression, member: Name)
}

enum Schedule: String, Sendable {
    case everyPeriod = "every period"
    case once
}

struct RuleDeclaration: Sendable {
    var name: Name
    var schedule: Schedule
    var condition: Expression?
    var actions: [(action: ActionSyntax, location: SourceLocation)]
}

enum Declaration: Sendable {
    case contractName(String, SourceLocation)
    case currency(code: Name, digitsText: String, location: SourceLocation)
    case settlement(SourceLocation)
    case member(MemberDeclaration)
    case share(ShareDeclaration)
    case metric(MetricDeclarationSyntax)
    case definition(DefinitionDeclaration)
    case goal(GoalDeclaration)
    case rule(RuleDeclaration)
}

struct SourceFile: Sendable {
    var declarations: [Declaration]
    /// Names of declarations whose name was read but whose rest had a syntax error: the checker
    /// does not report them as unknown, so one mistake gives one diagnostic.
    var incompleteNames: Set<String> = []
    var hasSyntaxErrors = false
}
