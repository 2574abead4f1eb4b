/// Whether two contract texts are the same token sequence (SPEC §2.2, §3.4 "no change"): they
/// differ at most in whitespace, line breaks and comments. Strings compare by their bytes after
/// escapes; everything else by kind and spelling, so `10%` and `10.0%` are different tokens.
public func sameTokens(_ first: String, _ second: String) -> Bool {
    let a = Lexer.tokenize(first).tokens, b = Lexer.tokenize(second).tokens
    guard a.count == b.count else { return false }
    return zip(a, b).allSatisfy { left, right in
        if case .string(let x) = left.kind, case .string(let y) = right.kind { return x.utf8.elementsEqual(y.utf8) }
        return left.kind == right.kind
    }
}

/// Turns contract source into tokens, collecting every lexical error.
struct Lexer {
    private let bytes: [UInt8]
    private var offset = 0
    private var line = 1
    private var lineStart = 0
    private(set) var diagnostics: [Diagnostic] = []

    init(source: String) { bytes = Array(source.utf8) }

    static func tokenize(_ source: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(source: source)
        var tokens: [Token] = []
        while true {
            let token = lexer.nextToken()
            tokens.append(token)
            if token.kind == .endOfFile { break }
        }
        return (tokens, lexer.diagnostics)
    }

    private var location: SourceLocation { SourceLocation(line: line, column: offset - lineStart + 1) }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        offset + ahead < bytes.count ? bytes[offset + ahead] : nil
    }

    private mutating func error(_ at: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(at, message))
    }

    private mutating func skipSpaceAndComments() {
        while let byte = peek() {
            if byte == UInt8(ascii: "\n") {
                let length = offset - lineStart
                if length > Limits.maxLineBytes {
                    error(location, "line is longer than \(Limits.maxLineBytes) bytes")
                }
                offset += 1
                line += 1
                lineStart = offset
            } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                offset += 1
            } else if byte == UInt8(ascii: "#") {
                while let next = peek(), next != UInt8(ascii: "\n") { offset += 1 }
            } else {
                return
            }
        }
    }

    mutating func nextToken() -> Token {
        while true {
            skipSpaceAndComments()
            let start = location
            guard let byte = peek() else { return Token(kind: .endOfFile, location: start) }
            if isLetter(byte) || byte == UInt8(ascii: "_") { return word(start) }
            if isDigit(byte) { return number(start) }
            if byte == UInt8(ascii: "\"") {
                if let token = string(start) { return token }
                continue
            }
            if let kind = punctuation(byte) { return Token(kind: kind, location: start) }
            // Skip one whole UTF-8 scalar so the message names a readable character.
            var length = 1
            while let next = peek(length), next & 0xC0 == 0x80 { length += 1 }
            let text = String(decoding: bytes[offset..<offset + length], as: UTF8.self)
            offset += length
            error(start, "unexpected character '\(text)'")
        }
    }

    private mutating func word(_ start: SourceLocation) -> Token {
        let begin = offset
        while let byte = peek(), isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_") { offset += 1 }
        let text = String(decoding: bytes[begin..<offset], as: UTF8.self)
        if text.utf8.count > Limits.maxNameLength {
            error(start, "name is longer than \(Limits.maxNameLength) characters")
        }
        if let keyword = Keyword.named(text) { return Token(kind: .keyword(keyword), location: start) }
        return Token(kind: .identifier(text), location: start)
    }

    private mutating func number(_ start: SourceLocation) -> Token {
        let begin = offset
        while let byte = peek(), isDigit(byte) { offset += 1 }
        // A period literal: exactly four digits, '-', two digits, then not a digit.
        if offset - begin == 4, peek() == UInt8(ascii: "-"), let a = peek(1), let b = peek(2),
           isDigit(a), isDigit(b), !(peek(3).map(isDigit) ?? false) {
            offset += 3
            return Token(kind: .periodLiteral(String(decoding: bytes[begin..<offset], as: UTF8.self)), location: start)
        }
        if peek() == UInt8(ascii: "."), let after = peek(1), isDigit(after) {
            offset += 1
            while let byte = peek(), isDigit(byte) { offset += 1 }
        }
        let text = String(decoding: bytes[begin..<offset], as: UTF8.self)
        if text.utf8.count - (text.contains(".") ? 1 : 0) > Limits.maxNumberDigits {
            error(start, "number has more than \(Limits.maxNumberDigits) digits")
        }
        if peek() == UInt8(ascii: "%") {
            offset += 1
            return Token(kind: .percentLiteral(text), location: start)
        }
        return Token(kind: .number(text), location: start)
    }

    private mutating func string(_ start: SourceLocation) -> Token? {
        offset += 1
        var content: [UInt8] = []
        while let byte = peek(), byte != UInt8(ascii: "\n") {
            offset += 1
            if byte == UInt8(ascii: "\"") {
                if content.count > Limits.maxStringLength {
                    error(start, "string is longer than \(Limits.maxStringLength) bytes")
                }
                return Token(kind: .string(String(decoding: content, as: UTF8.self)), location: start)
            }
            if byte == UInt8(ascii: "\\") {
                guard let escaped = peek(), escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                    error(SourceLocation(line: line, column: offset - lineStart), "unknown escape in string; only \\\" and \\\\ are allowed")
                    continue
                }
                offset += 1
                content.append(escaped)
                continue
            }
            content.append(byte)
        }
        error(start, "unterminated string")
        return Token(kind: .string(String(decoding: content, as: UTF8.self)), location: start)
    }

    private mutating func punctuation(_ byte: UInt8) -> TokenKind? {
        let two = peek(1)
        func take(_ count: Int, _ kind: TokenKind) -> TokenKind { offset += count; return kind }
        switch byte {
        case UInt8(ascii: "("): return take(1, .leftParen)
        case UInt8(ascii: ")"): return take(1, .rightParen)
        case UInt8(ascii: ","): return take(1, .comma)
        case UInt8(ascii: ":"): return take(1, .colon)
        case UInt8(ascii: "="): return take(1, .equals)
        case UInt8(ascii: "+"): return take(1, .plus)
        case UInt8(ascii: "-"): return take(1, .minus)
        case UInt8(ascii: "*"): return take(1, .star)
        case UInt8(ascii: "/"): return take(1, .slash)
        case UInt8(ascii: "<"): return two == UInt8(ascii: "=") ? take(2, .lessEqual) : take(1, .less)
        case UInt8(ascii: ">"): return two == UInt8(ascii: "=") ? take(2, .greaterEqual) : take(1, .greater)
        case UInt8(ascii: "!"): return two == UInt8(ascii: "=") ? take(2, .notEqual) : nil
        default: return nil
        }
    }
}

private func isLetter(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
}

private func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
