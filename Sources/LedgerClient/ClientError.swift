/// A failure of a client command, naming the file it concerns (SPEC §5.12): `invalid` is a fork, a
/// rollback, an entry or checkpoint that does not verify, an entry the server rejected (exit 1);
/// `io` is the network or the server's answer (exit 2); `usage` a command that cannot run as asked
/// (exit 2). A fork comes with the path of the fork proof written next to the ledger, if any.
public struct ClientError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case invalid, io, usage }
    public var kind: Kind
    public var reason: String
    public var file: String?
    public var forkProofPath: String?

    public init(_ kind: Kind, _ reason: String, file: String? = nil, forkProofPath: String? = nil) {
        self.kind = kind
        self.reason = reason
        self.file = file
        self.forkProofPath = forkProofPath
    }

    public var description: String { file.map { "\($0): \(reason)" } ?? reason }
    public var exitCode: Int32 { kind == .invalid ? 1 : 2 }
}
