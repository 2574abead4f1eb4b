/// A consistency proof in text form: the body of a C2SP tlog-witness `add-checkpoint` request.
/// It proves the tree of `oldSize` leaves is a prefix of the tree in `checkpoint`.
///
///     old <size>
///     <base64 hash>…   (at most 63)
///
///     <signed checkpoint>
public struct CheckpointUpdate: Hashable, Sendable {
    /// tlog-witness allows at most 63 proof lines.
    public static let maximumHashes = 63
    public static let maximumBytes = SignedNote.maximumBytes + 8_192

    public var oldSize: UInt64
    public var hashes: [MerkleHash]
    public var checkpoint: SignedCheckpoint

    public init(_ proof: ConsistencyProof, checkpoint: SignedCheckpoint) {
        precondition(proof.newSize == checkpoint.checkpoint.size, "the proof is for the checkpoint's size")
        self.oldSize = proof.oldSize
        self.hashes = proof.hashes
        self.checkpoint = checkpoint
    }

    public var consistencyProof: ConsistencyProof {
        ConsistencyProof(oldSize: oldSize, newSize: checkpoint.checkpoint.size, hashes: hashes)
    }

    public var encoded: [UInt8] {
        Array(("old \(oldSize)\n" + hashLinesText(hashes) + "\n").utf8) + checkpoint.encoded
    }

    public init(parsing bytes: some Collection<UInt8>) throws(TransparencyError) {
        let bytes = Array(bytes)
        guard bytes.count <= Self.maximumBytes else {
            throw TransparencyError(.limit, "a checkpoint update is at most \(Self.maximumBytes) bytes, got \(bytes.count)")
        }
        var cursor = LineCursor(bytes)
        self.oldSize = try parseKeyedDecimal(cursor.nextLine(), key: "old", what: "consistency proof")
        self.hashes = try cursor.hashLines(limit: Self.maximumHashes, what: "consistency proof")
        self.checkpoint = try SignedCheckpoint(parsing: cursor.rest)
    }

    /// Throws unless this update extends `old` (same origin, old size, consistent roots).
    /// Signatures are checked separately, with `CheckpointPolicy.check`.
    public func verify(extending old: Checkpoint) throws(TransparencyError) {
        let new = checkpoint.checkpoint
        guard old.origin == new.origin else {
            throw TransparencyError(.notAFork, "the checkpoints are for different origins (\(old.origin), \(new.origin))")
        }
        guard old.size == oldSize else {
            throw TransparencyError(.outOfRange, "the proof starts at size \(oldSize), the old checkpoint has size \(old.size)")
        }
        try consistencyProof.verify(oldRoot: old.root, newRoot: new.root)
    }
}
