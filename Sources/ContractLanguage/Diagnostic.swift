/// A position in contract source: 1-based line and 1-based column in UTF-8 bytes.
public struct SourceLocation: Hashable, Sendable, Comparable {
    public let line: Int
    public let column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// A checker error at a source position. Messages are lowercase, like swift-syntax.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    init(_ location: SourceLocation, _ message: String) {
        self.init(line: location.line, column: location.column, message: message)
    }

    public var description: String { "\(line):\(column): error: \(message)" }

    /// "file:3:9: error: msg", then the source line and a caret under the column.
    public func rendered(fileName: String, source: String) -> String {
        var text = "\(fileName):\(line):\(column): error: \(message)"
        let lines = source.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return text }
        var lineBytes = Array(lines[line - 1])
        if lineBytes.last == UInt8(ascii: "\r") { lineBytes.removeLast() }
        let lineText = String(decoding: lineBytes, as: UTF8.self)
        let prefixBytes = lineBytes.prefix(max(0, min(column - 1, lineBytes.count)))
        var caret = ""
        for character in String(decoding: prefixBytes, as: UTF8.self) {
            caret.append(character == "\t" ? "\t" : " ")
        }
        caret.append("^")
        text += "\n\(lineText)\n\(caret)"
        return text
    }
}

/// The result of checking a contract: `contract` is non-nil exactly when there are no diagnostics.
public struct CheckResult: Sendable {
    public let contract: Contract?
    public let diagnostics: [Diagnostic]
}

/// Edit distance (Levenshtein) between two short names, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.utf8), y = Array(b.utf8)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var current = previous
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}

/// The closest candidate within edit distance 2 (and less than the name's length), if any.
func closestName(to name: String, among candidates: some Sequence<String>) -> String? {
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(name, candidate)
        if distance <= 2, distance < name.utf8.count, best == nil || distance < best!.distance {
            best = (candidate, distance)
        }
    }
    return best?.name
}

func didYouMean(_ name: String, _ candidates: some Sequence<String>) -> String {
    closestName(to: name, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
}
