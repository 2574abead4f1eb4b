/// Reserved words of the contract language.
enum Keyword: String, CaseIterable, Sendable {
    case contract, currency, settlement, monthly
    case member, rating, share, metric, reported, by
    case define, goal, target, deadline, `if`, missed, forfeit
    case rule, every, period, once, when, then
    case pay, split, fee, of, to, shares, weights
    case and, or, not
    case money, count, percent
    case previous, total, growth, met, min, max

    /// The keyword spelled `word` (byte for byte), if any: one look-up in a `NameTable` instead of
    /// the comparison with every case that `init(rawValue:)` makes, or the SipHash of a
    /// `Dictionary` (the lexer asks this for every word of a contract).
    static func named(_ word: String) -> Keyword? { table.position(of: word).map { ordered[$0] } }

    private static let ordered = Array(allCases)
    private static let table = NameTable(ordered.map(\.rawValue))
}

enum TokenKind: Hashable, Sendable {
    case identifier(String)
    case keyword(Keyword)
    case string(String)
    /// A decimal number as written ("20000", "12.50").
    case number(String)
    /// A number immediately followed by '%' (the text excludes the sign).
    case percentLiteral(String)
    /// Four digits, '-', two digits, with no spaces: "2020-12" (validated by the checker).
    case periodLiteral(String)
    case leftParen, rightParen, comma, colon, equals
    case plus, minus, star, slash
    case less, lessEqual, greater, greaterEqual, notEqual
    case endOfFile
}

struct Token: Sendable {
    var kind: TokenKind
    var location: SourceLocation
}

extension TokenKind {
    /// How the token is named in "expected X, found Y" messages.
    var spelling: String {
        switch self {
        case .identifier(let name): "'\(name)'"
        case .keyword(let keyword): "'\(keyword.rawValue)'"
        case .string: "a string"
        case .number(let text): "'\(text)'"
        case .percentLiteral(let text): "'\(text)%'"
        case .periodLiteral(let text): "'\(text)'"
        case .leftParen: "'('"
        case .rightParen: "')'"
        case .comma: "','"
        case .colon: "':'"
        case .equals: "'='"
        case .plus: "'+'"
        case .minus: "'-'"
        case .star: "'*'"
        case .slash: "'/'"
        case .less: "'<'"
        case .lessEqual: "'<='"
        case .greater: "'>'"
        case .greaterEqual: "'>='"
        case .notEqual: "'!='"
        case .endOfFile: "end of file"
        }
    }
}
