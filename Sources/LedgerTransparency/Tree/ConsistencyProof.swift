/// An RFC 9162 §2.1.4 consistency proof: the tree of `oldSize` leaves is a prefix of the tree of
/// `newSize` leaves.
public struct ConsistencyProof: Hashable, Sendable {
    public static let maximumHashes = 64

    public var oldSize: UInt64
    public var newSize: UInt64
    public var hashes: [MerkleHash]

    public init(oldSize: UInt64, newSize: UInt64, hashes: [MerkleHash]) {
        self.oldSize = oldSize
        self.newSize = newSize
        self.hashes = hashes
    }

    /// Throws unless the proof shows `oldRoot` (size `oldSize`) is a prefix of `newRoot` (RFC 9162 §2.1.4.2).
    /// Size 0 is a prefix of everything (empty proof); equal sizes need equal roots and an empty proof.
    public func verify(oldRoot: MerkleHash, newRoot: MerkleHash) throws(TransparencyError) {
        guard oldSize <= newSize else {
            throw TransparencyError(.outOfRange, "the old size \(oldSize) is larger than the new size \(newSize)")
        }
        guard hashes.count <= Self.maximumHashes else {
            throw TransparencyError(.limit, "a consistency proof has at most \(Self.maximumHashes) hashes, got \(hashes.count)")
        }
        if oldSize == 0 || oldSize == newSize {
            guard hashes.isEmpty else {
                throw TransparencyError(.proofFailed, "a consistency proof from size \(oldSize) to size \(newSize) must be empty")
            }
            guard oldSize == 0 || oldRoot == newRoot else {
                throw TransparencyError(.proofFailed, "two trees of size \(oldSize) have different roots")
            }
            return
        }
        let (first, second) = try computedRoots(oldRoot: oldRoot)
        guard first == oldRoot, second == newRoot else {
            throw TransparencyError(.proofFailed, "the consistency proof does not show that size \(oldSize) is a prefix of size \(newSize)")
        }
    }

    /// The (old, new) roots the proof determines, for 0 < oldSize < newSize.
    func computedRoots(oldRoot: MerkleHash) throws(TransparencyError) -> (MerkleHash, MerkleHash) {
        guard !hashes.isEmpty else { throw wrongLength }
        var path = hashes
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        let hasher = NodeHasher()
        var fn = oldSize - 1, sn = newSize - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for hash in path.dropFirst() {
            guard sn != 0 else { throw wrongLength }
            if fn & 1 == 1 || fn == sn {
                fr = hasher.node(hash, fr)
                sr = hasher.node(hash, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                sr = hasher.node(sr, hash)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw wrongLength }
        return (fr, sr)
    }

    private var wrongLength: TransparencyError {
        TransparencyError(.proofFailed, "a consistency proof from size \(oldSize) to size \(newSize) cannot have \(hashes.count) hashes")
    }
}
