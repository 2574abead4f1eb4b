/// A member's witness state (SPEC §4.11): the last checkpoint she cosigned for one ledger, with
/// her cosignature on it. Text form:
///
///     emc.ledger/witness-state@v1
///     member <member name>
///
///     <the signed checkpoint, verbatim, carrying her cosignature>
public struct WitnessRecord: Hashable, Sendable {
    public static let header = "emc.ledger/witness-state@v1"
    public static let maximumBytes = SignedNote.maximumBytes + 2_048

    public var member: String
    public var checkpoint: SignedCheckpoint

    public init(member: String, checkpoint: SignedCheckpoint) {
        self.member = member
        self.checkpoint = checkpoint
    }

    public var encoded: [UInt8] {
        Array("\(Self.header)\nmember \(member)\n\n".utf8) + checkpoint.encoded
    }

    public init(parsing bytes: some Collection<UInt8>) throws(TransparencyError) {
        let bytes = Array(bytes)
        guard bytes.count <= Self.maximumBytes else {
            throw TransparencyError(.limit, "a witness state is at most \(Self.maximumBytes) bytes, got \(bytes.count)")
        }
        var cursor = LineCursor(bytes)
        guard cursor.nextLine() == Self.header else {
            throw TransparencyError(.malformed, "not a witness state: the first line is not \(Self.header)")
        }
        guard let memberLine = cursor.nextLine(), memberLine.hasPrefix("member "),
              SignedNote.isValidKeyName(String(memberLine.dropFirst(7))) else {
            throw TransparencyError(.malformed, "malformed witness state: expected a line \"member <name>\"")
        }
        guard cursor.nextLine() == "" else { throw TransparencyError(.malformed, "malformed witness state: no blank line after the member") }
        self.member = String(memberLine.dropFirst(7))
        self.checkpoint = try SignedCheckpoint(parsing: cursor.rest)
    }

    /// True when `bytes` start like a witness state file (the ownership test before overwriting).
    public static func looksLikeWitnessState(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: Array((header + "\n").utf8))
    }
}
