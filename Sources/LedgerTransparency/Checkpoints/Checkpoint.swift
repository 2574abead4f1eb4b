/// A C2SP tlog-checkpoint body: origin, tree size, root hash, optional extension lines.
/// With its signatures it is a `SignedCheckpoint`; "checkpoint" means only this.
public struct Checkpoint: Hashable, Sendable {
    public var origin: String
    public var size: UInt64
    public var root: MerkleHash
    /// Opaque non-empty lines after the root (not recommended; EMC writes none).
    public var extensions: [String]

    public init(origin: String, size: UInt64, root: MerkleHash, extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    /// The origin of an EMC ledger's checkpoints: `emc.ledger/v1/` ‖ ledger id (64 lowercase hex digits).
    public static func origin(ledgerID: String) -> String { "emc.ledger/v1/" + ledgerID }

    /// The note text: each line followed by a newline.
    public var body: String {
        ([origin, String(size), root.base64] + extensions).map { $0 + "\n" }.joined()
    }

    /// Parses a note text as a checkpoint body.
    public init(body: String) throws(TransparencyError) {
        func malformed(_ why: String) -> TransparencyError { TransparencyError(.malformed, "malformed checkpoint: \(why)") }
        guard body.hasSuffix("\n") else { throw malformed("the text does not end in a newline") }
        let lines = body.utf8.dropLast().split(separator: 0x0a, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard lines.count >= 3 else { throw malformed("fewer than three lines") }
        guard !lines.contains(where: \.isEmpty) else { throw malformed("an empty line") }
        guard let size = Self.parseDecimal(lines[1]) else { throw malformed("the size \"\(lines[1])\" is not a decimal without leading zeros") }
        guard let root = MerkleHash(base64: lines[2]) else { throw malformed("the root is not the base64 of 32 bytes") }
        self.init(origin: lines[0], size: size, root: root, extensions: Array(lines[3...]))
    }

    /// ASCII decimal with no leading zeros, at most 2^63 - 1 (what Go's checkers accept).
    static func parseDecimal(_ text: some StringProtocol) -> UInt64? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        guard digits.count == 1 || digits[0] != 0x30 else { return nil }
        guard let value = UInt64(String(decoding: digits, as: UTF8.self)), value <= UInt64(Int64.max) else { return nil }
        return value
    }
}

/// A checkpoint with its signed note: the member's signature and any cosignatures.
public struct SignedCheckpoint: Hashable, Sendable {
    public private(set) var checkpoint: Checkpoint
    public private(set) var note: SignedNote

    /// Signs `checkpoint` with `signer` (type 0x01: a member's note signature).
    public init(_ checkpoint: Checkpoint, signer: NoteSigner) throws(TransparencyError) {
        self.checkpoint = checkpoint
        self.note = SignedNote(text: checkpoint.body)
        try note.sign(with: signer)
    }

    /// Parses a signed checkpoint (signed-note rules, then the checkpoint body rules).
    public init(parsing bytes: some Collection<UInt8>) throws(TransparencyError) {
        let note = try SignedNote(parsing: bytes)
        self.checkpoint = try Checkpoint(body: note.text)
        self.note = note
    }

    public var encoded: [UInt8] { note.encoded }

    /// Adds the cosignature of `cosigner` (a type 0x04 signer) made at `timestamp` (POSIX seconds).
    public mutating func cosign(with cosigner: NoteSigner, timestamp: UInt64) throws(TransparencyError) {
        precondition(cosigner.verifier.type == .cosignatureV1, "a cosigner signs with type 0x04")
        try note.sign(with: cosigner, timestamp: timestamp)
    }

    /// Adds signature lines from elsewhere (e.g. cosignatures returned by a witness).
    public mutating func add(_ signatures: [NoteSignature]) {
        for signature in signatures where !note.signatures.contains(signature) { note.signatures.append(signature) }
    }
}
