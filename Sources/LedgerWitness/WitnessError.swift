import LedgerTransparency

/// A failure of a witness action, naming the file it concerns: `invalid` is bad input (a fork, a
/// rollback, a proof or signature that does not verify: exit 1); `io` and `usage` exit 2.
public struct WitnessError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case invalid, io, usage }
    public var kind: Kind
    public var reason: String
    public var file: String?

    public init(_ kind: Kind, _ reason: String, file: String? = nil) {
        self.kind = kind
        self.reason = reason
        self.file = file
    }

    public var description: String { file.map { "\($0): \(reason)" } ?? reason }
    public var exitCode: Int32 { kind == .invalid ? 1 : 2 }
}

extension TransparencyError {
    /// The same failure as a witness error about `file`.
    func located(_ file: String) -> WitnessError { WitnessError(.invalid, reason, file: file) }
}

/// Runs `body`, turning a `TransparencyError` into a `WitnessError` naming `file`.
func about<T>(_ file: String, _ body: () throws(TransparencyError) -> T) throws(WitnessError) -> T {
    do { return try body() } catch { throw error.located(file) }
}
