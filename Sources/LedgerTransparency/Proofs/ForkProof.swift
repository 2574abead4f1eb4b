/// Evidence that two signed checkpoints of one origin cannot both be true: the tree of the larger
/// one, cut to the smaller one's size, has another root. Checkable offline with the trusted keys.
///
///     emc.ledger/fork-proof@v1
///     root <base64: the root of the second tree at the first one's size>
///     <base64 hash>…   (consistency proof from that root to the second checkpoint)
///
///     <first signed checkpoint (the smaller or equal size)>
///
///     <second signed checkpoint>
public struct ForkProof: Hashable, Sendable {
    public static let header = "emc.ledger/fork-proof@v1"
    public static let maximumBytes = 2 * SignedNote.maximumBytes + 8_192

    public var first: SignedCheckpoint
    public var second: SignedCheckpoint
    /// The root of the second checkpoint's tree at the first checkpoint's size.
    public var prefixRoot: MerkleHash
    /// The consistency proof from (first size, `prefixRoot`) to the second checkpoint.
    public var hashes: [MerkleHash]

    public init(first: SignedCheckpoint, second: SignedCheckpoint, prefixRoot: MerkleHash, hashes: [MerkleHash]) {
        self.first = first
        self.second = second
        self.prefixRoot = prefixRoot
        self.hashes = hashes
    }

    /// Builds the evidence from two checkpoints (either order) and the hashes of the larger one's
    /// tree (for equal sizes, of either); throws `.notAFork` when they are consistent.
    public init(_ a: SignedCheckpoint, _ b: SignedCheckpoint, largerTree: TreeHashStore) throws(TransparencyError) {
        // The second is the larger one; of two of one size, the one whose tree is given.
        let aIsSecond = a.checkpoint.size > b.checkpoint.size
            || (a.checkpoint.size == b.checkpoint.size && (try? largerTree.root(size: a.checkpoint.size)) == a.checkpoint.root)
        let (first, second) = aIsSecond ? (b, a) : (a, b)
        guard try largerTree.root(size: second.checkpoint.size) == second.checkpoint.root else {
            throw TransparencyError(.proofFailed, "the tree given is not the tree of the checkpoint of size \(second.checkpoint.size)")
        }
        let prefixRoot = try largerTree.root(size: first.checkpoint.size)
        let proof = try largerTree.consistencyProof(oldSize: first.checkpoint.size, newSize: second.checkpoint.size)
        self.init(first: first, second: second, prefixRoot: prefixRoot, hashes: proof.hashes)
        try checkConflict()
    }

    public var encoded: [UInt8] {
        let head = Self.header + "\n" + "root \(prefixRoot.base64)\n" + hashLinesText(hashes) + "\n"
        return Array(head.utf8) + first.encoded + [0x0a] + second.encoded
    }

    public init(parsing bytes: some Collection<UInt8>) throws(TransparencyError) {
        let bytes = Array(bytes)
        guard bytes.count <= Self.maximumBytes else {
            throw TransparencyError(.limit, "a fork proof is at most \(Self.maximumBytes) bytes, got \(bytes.count)")
        }
        var cursor = LineCursor(bytes)
        guard cursor.nextLine() == Self.header else {
            throw TransparencyError(.malformed, "malformed fork proof: the first line is not \(Self.header)")
        }
        guard let rootLine = cursor.nextLine(), rootLine.hasPrefix("root "), let root = MerkleHash(base64: rootLine.dropFirst(5)) else {
            throw TransparencyError(.malformed, "malformed fork proof: expected a line \"root <base64>\"")
        }
        self.prefixRoot = root
        self.hashes = try cursor.hashLines(limit: ConsistencyProof.maximumHashes, what: "fork proof")
        // The first note ends at the blank line that follows its signature lines.
        let firstStart = cursor.offset
        while let line = cursor.nextLine(), !line.isEmpty {}  // the checkpoint body
        var firstEnd = cursor.offset
        while let line = cursor.nextLine() {
            if line.isEmpty { break }
            guard line.hasPrefix("— ") else { throw TransparencyError(.malformed, "malformed fork proof: the first checkpoint has a bad signature line") }
            firstEnd = cursor.offset
        }
        self.first = try SignedCheckpoint(parsing: bytes[firstStart..<firstEnd])
        guard cursor.offset == firstEnd + 1, bytes[firstEnd] == 0x0a else {
            throw TransparencyError(.malformed, "malformed fork proof: no blank line between the two checkpoints")
        }
        self.second = try SignedCheckpoint(parsing: cursor.rest)
    }

    /// What a verified fork proof shows.
    public struct Verdict: Hashable, Sendable {
        /// The trusted keys that signed the first and the second checkpoint.
        public var firstSigners: [NoteVerifier]
        public var secondSigners: [NoteVerifier]
        /// Keys that signed both: each of them signed two views of one ledger that cannot both be true.
        public var equivocators: [NoteVerifier] { firstSigners.filter { secondSigners.contains($0) } }
    }

    /// Throws unless the two checkpoints conflict and each carries at least one valid signature by
    /// a trusted key (member keys as type 0x01 and 0x04: `CheckpointPolicy.verifiers(for:)`).
    public func verify(trusted: [NoteVerifier]) throws(TransparencyError) -> Verdict {
        try checkConflict()
        return Verdict(firstSigners: try first.note.verifiedSigners(trusted), secondSigners: try second.note.verifiedSigners(trusted))
    }

    private func checkConflict() throws(TransparencyError) {
        let a = first.checkpoint, b = second.checkpoint
        guard a.origin == b.origin else {
            throw TransparencyError(.notAFork, "the checkpoints are for different origins (\(a.origin), \(b.origin))")
        }
        guard a.size <= b.size else {
            throw TransparencyError(.malformed, "malformed fork proof: the first checkpoint must not be larger than the second")
        }
        guard a.size > 0 else { throw TransparencyError(.notAFork, "an empty tree is a prefix of every tree") }
        try ConsistencyProof(oldSize: a.size, newSize: b.size, hashes: hashes).verify(oldRoot: prefixRoot, newRoot: b.root)
        guard prefixRoot != a.root else {
            throw TransparencyError(.notAFork, "the checkpoints of sizes \(a.size) and \(b.size) are consistent")
        }
    }
}
