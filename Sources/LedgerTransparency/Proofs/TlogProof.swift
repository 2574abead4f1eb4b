import LedgerCrypto
/// A C2SP tlog-proof: an inclusion proof of one entry bundled with the checkpoint it leads to,
/// verifiable offline with the trusted keys.
///
///     c2sp.org/tlog-proof@v1
///     [extra <base64>]
///     index <n>
///     <base64 hash>…
///
///     <signed checkpoint>
public struct TlogProof: Hashable, Sendable {
    public static let header = "c2sp.org/tlog-proof@v1"
    public static let maximumBytes = SignedNote.maximumBytes + 8_192

    /// Opaque, unauthenticated application data; EMC writes none.
    public var extra: [UInt8]?
    public var index: UInt64
    public var hashes: [MerkleHash]
    public var checkpoint: SignedCheckpoint

    public init(extra: [UInt8]? = nil, index: UInt64, hashes: [MerkleHash], checkpoint: SignedCheckpoint) {
        self.extra = extra
        self.index = index
        self.hashes = hashes
        self.checkpoint = checkpoint
    }

    /// The proof for `proof`'s entry under `checkpoint` (whose size must be the proof's tree size).
    public init(_ proof: InclusionProof, checkpoint: SignedCheckpoint) {
        precondition(proof.treeSize == checkpoint.checkpoint.size, "the proof is for the checkpoint's size")
        self.init(index: proof.index, hashes: proof.hashes, checkpoint: checkpoint)
    }

    public var inclusionProof: InclusionProof {
        InclusionProof(index: index, treeSize: checkpoint.checkpoint.size, hashes: hashes)
    }

    public var encoded: [UInt8] {
        var text = Self.header + "\n"
        if let extra { text += "extra \(Base64.encode(extra))\n" }
        text += "index \(index)\n" + hashLinesText(hashes) + "\n"
        return Array(text.utf8) + checkpoint.encoded
    }

    public init(parsing bytes: some Collection<UInt8>) throws(TransparencyError) {
        let bytes = Array(bytes)
        guard bytes.count <= Self.maximumBytes else {
            throw TransparencyError(.limit, "a tlog proof is at most \(Self.maximumBytes) bytes, got \(bytes.count)")
        }
        var cursor = LineCursor(bytes)
        guard cursor.nextLine() == Self.header else {
            throw TransparencyError(.malformed, "malformed tlog proof: the first line is not \(Self.header)")
        }
        var line = cursor.nextLine()
        if let extraLine = line, extraLine.hasPrefix("extra ") {
            guard let extra = Base64.decode(extraLine.dropFirst(6)), !extra.isEmpty else {
                throw TransparencyError(.malformed, "malformed tlog proof: the extra line is not base64")
            }
            self.extra = extra
            line = cursor.nextLine()
        } else {
            self.extra = nil
        }
        self.index = try parseKeyedDecimal(line, key: "index", what: "tlog proof")
        self.hashes = try cursor.hashLines(limit: InclusionProof.maximumHashes, what: "tlog proof")
        self.checkpoint = try SignedCheckpoint(parsing: cursor.rest)
    }

    /// Verifies everything but the leaf's meaning: the checkpoint counts under `policy` with
    /// `activeMembers`, and the inclusion proof leads from `leafHash` to its root. Returns the signers.
    @discardableResult
    public func verify(leafHash: MerkleHash, policy: CheckpointPolicy, activeMembers: [CheckpointPolicy.Member]) throws(TransparencyError) -> [String] {
        let signers = try policy.check(checkpoint, activeMembers: activeMembers)
        try inclusionProof.verify(leafHash: leafHash, root: checkpoint.checkpoint.root)
        return signers
    }

    /// The same for an entry line (without its newline).
    @discardableResult
    public func verify(line: some Collection<UInt8>, policy: CheckpointPolicy, activeMembers: [CheckpointPolicy.Member]) throws(TransparencyError) -> [String] {
        try verify(leafHash: MerkleTree.leafHash(line), policy: policy, activeMembers: activeMembers)
    }
}
