/// An RFC 9162 §2.1.3 inclusion proof: the leaf at `index` is in the tree of `treeSize` leaves.
public struct InclusionProof: Hashable, Sendable {
    /// No tree of 2^64 leaves needs more than 64 hashes; anything longer is refused before use.
    public static let maximumHashes = 64

    public var index: UInt64
    public var treeSize: UInt64
    /// Sibling hashes from the leaf's sibling up to a child of the root.
    public var hashes: [MerkleHash]

    public init(index: UInt64, treeSize: UInt64, hashes: [MerkleHash]) {
        self.index = index
        self.treeSize = treeSize
        self.hashes = hashes
    }

    /// Throws unless the proof leads from `leafHash` to `root` (RFC 9162 §2.1.3.2).
    public func verify(leafHash: MerkleHash, root: MerkleHash) throws(TransparencyError) {
        let computed = try computedRoot(leafHash: leafHash)
        guard computed == root else {
            throw TransparencyError(.proofFailed, "the inclusion proof of entry index \(index) does not lead to the root of size \(treeSize)")
        }
    }

    /// The root that the proof and `leafHash` determine.
    public func computedRoot(leafHash: MerkleHash) throws(TransparencyError) -> MerkleHash {
        guard index < treeSize else {
            throw TransparencyError(.outOfRange, "index \(index) is not below the tree size \(treeSize)")
        }
        guard hashes.count <= Self.maximumHashes else {
            throw TransparencyError(.limit, "an inclusion proof has at most \(Self.maximumHashes) hashes, got \(hashes.count)")
        }
        let hasher = NodeHasher()
        var fn = index, sn = treeSize - 1, result = leafHash
        for sibling in hashes {
            guard sn != 0 else { throw wrongLength }
            if fn & 1 == 1 || fn == sn {
                result = hasher.node(sibling, result)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                result = hasher.node(result, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw wrongLength }
        return result
    }

    private var wrongLength: TransparencyError {
        TransparencyError(.proofFailed, "an inclusion proof of index \(index) in size \(treeSize) cannot have \(hashes.count) hashes")
    }
}
