/// The pretty-printer: one canonical layout for a parsed contract (comments are not kept).
enum Formatter {
    static func format(_ file: SourceFile) -> String {
        var out = ""
        var previousKind = ""
        let header = file.declarations.filter { isHeader($0) }
        let body = file.declarations.filter { !isHeader($0) }
        for declaration in header + body {
            let kind = kindName(declaration)
            let block = kind == "goal" || kind == "rule"
            if !out.isEmpty && (block || (kind != previousKind && !(isHeader(declaration) && previousKind == "header"))) {
                out += "\n"
            }
            previousKind = isHeader(declaration) ? "header" : kind
            out += text(of: declaration)
        }
        return out
    }

    private static func isHeader(_ declaration: Declaration) -> Bool {
        switch declaration {
        case .contractName, .currency, .settlement: true
        default: false
        }
    }

    private static func kindName(_ declaration: Declaration) -> String {
        switch declaration {
        case .contractName, .currency, .settlement: "header"
        case .member: "member"
        case .share: "share"
        case .metric: "metric"
        case .definition: "define"
        case .goal: "goal"
        case .rule: "rule"
        }
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"") + "\""
    }

    private static func text(of declaration: Declaration) -> String {
        switch declaration {
        case .contractName(let name, _):
            return "contract \(quoted(name))\n"
        case .currency(let code, let digits, _):
            return "currency \(code.text) \(digits)\n"
        case .settlement:
            return "settlement monthly\n"
        case .member(let member):
            var line = "member \(member.name.text) \(quoted(member.displayName)) \(member.role.text)"
            if let rating = member.rating { line += " rating \(rating.text)" }
            return line + "\n"
        case .share(let share):
            return "share \(share.member.text) \(share.percentText)%\n"
        case .metric(let metric):
            var line = "metric \(metric.name.text) \(metric.type.rawValue)"
            if !metric.reporters.isEmpty { line += " reported by " + metric.reporters.map(\.text).joined(separator: ", ") }
            return line + "\n"
        case .definition(let definition):
            return "define \(definition.name.text) = \(expressionText(definition.value))\n"
        case .goal(let goal):
            var lines = ["goal \(goal.name.text)", "  target \(expressionText(goal.target))", "  deadline \(goal.deadlineText)"]
            if !goal.missOutcomes.isEmpty {
                lines.append("  if missed")
                for outcome in goal.missOutcomes {
                    switch outcome {
                    case .rating(let member, let delta, _):
                        lines.append("    rating \(member.text) \(delta < 0 ? "-" : "+")\(abs(delta))")
                    case .forfeit(let rule):
                        lines.append("    forfeit \(rule.text)")
                    }
                }
            }
            return lines.joined(separator: "\n") + "\n"
        case .rule(let rule):
            var lines = ["rule \(rule.name.text) \(rule.schedule.rawValue)"]
            if let condition = rule.condition { lines.append("  when \(expressionText(condition))") }
            lines.append("  then")
            for (action, _) in rule.actions { lines.append("    " + actionText(action)) }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    static func actionText(_ action: ActionSyntax) -> String {
        switch action {
        case .pay(let member, let amount):
            return "pay \(member.text) \(expressionText(amount))"
        case .split(let amount, let basis, _):
            switch basis {
            case .shares:
                return "split \(expressionText(amount)) by shares"
            case .weights(let weights):
                let list = weights.map { "\($0.member.text) \($0.weightText)" }.joined(separator: ", ")
                return "split \(expressionText(amount)) by weights (\(list))"
            }
        case .fee(let percentText, _, let base, let member):
            return "fee \(percentText)% of \(expressionText(base)) to \(member.text)"
        }
    }

    /// An expression with the fewest parentheses that re-parse to the same tree.
    static func expressionText(_ expression: Expression) -> String {
        text(expression, parentPrecedence: 0)
    }

    private static func text(_ expression: Expression, parentPrecedence: Int) -> String {
        switch expression.kind {
        case .number(let text): return text
        case .percent(let text): return text + "%"
        case .name(let name): return name
        case .call(let function, let arguments):
            return function.rawValue + "(" + arguments.map { text($0, parentPrecedence: 0) }.joined(separator: ", ") + ")"
        case .unary(.negate, let inner):
            return "-" + text(inner, parentPrecedence: 7)
        case .unary(.not, let inner):
            let body = "not " + text(inner, parentPrecedence: 3)
            return parentPrecedence > 3 ? "(" + body + ")" : body
        case .binary(let op, let left, let right):
            let precedence = op.precedence
            // Left-associative: the right operand needs parentheses at equal precedence;
            // comparisons do not chain, so both sides need them.
            let leftText = text(left, parentPrecedence: op.isComparison ? precedence + 1 : precedence)
            let rightText = text(right, parentPrecedence: precedence + 1)
            let body = "\(leftText) \(op.rawValue) \(rightText)"
            return precedence < parentPrecedence ? "(" + body + ")" : body
        }
    }
}

extension String {
    func replacingAll(_ target: Character, _ replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
