/// An error about a ledger: where (file, entry sequence number, line) and why, in one line.
public struct LedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The file cannot be read or written, or does not exist (exit 2).
        case io
        /// A line is not a well-formed canonical entry (exit 1).
        case malformed
        /// A well-formed entry that the state machine rejects (exit 1).
        case rejected
        /// The last line has no newline: an interrupted append (exit 1, repairable).
        case tornTail
        /// A request the caller made that cannot be carried out (exit 2).
        case usage
    }

    public var code: Code
    public var reason: String
    public var seq: Int64?
    public var line: Int?
    public var file: String?

    public init(_ code: Code, _ reason: String, seq: Int64? = nil, line: Int? = nil, file: String? = nil) {
        self.code = code
        self.reason = reason
        self.seq = seq
        self.line = line
        self.file = file
    }

    /// `file: entry 7 (line 7): reason`
    public var description: String {
        var prefix = ""
        if let file { prefix += "\(file): " }
        if let seq, let line, Int64(line) != seq {
            prefix += "entry \(seq) (line \(line)): "
        } else if let seq {
            prefix += "entry \(seq): "
        } else if let line {
            prefix += "line \(line): "
        }
        return prefix + reason
    }

    /// The process exit code for this error (see SPEC.md, "Exit codes").
    public var exitCode: Int32 {
        switch code {
        case .io, .usage: return 2
        case .malformed, .rejected, .tornTail: return 1
        }
    }

    package func at(seq: Int64?, line: Int?) -> LedgerError {
        var copy = self
        copy.seq = copy.seq ?? seq
        copy.line = copy.line ?? line
        return copy
    }
}

package func rejected(_ reason: String) -> LedgerError { LedgerError(.rejected, reason) }
package func malformed(_ reason: String) -> LedgerError { LedgerError(.malformed, reason) }
