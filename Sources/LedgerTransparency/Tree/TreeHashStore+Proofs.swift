extension TreeHashStore {
    /// The inclusion proof of leaf `index` in the tree of `treeSize` leaves (RFC 9162 §2.1.3.1),
    /// checked against that root before it is returned.
    public func inclusionProof(index: UInt64, treeSize: UInt64) throws(TransparencyError) -> InclusionProof {
        guard treeSize <= size else {
            throw TransparencyError(.outOfRange, "tree size \(treeSize) is larger than the \(size) leaves stored")
        }
        guard index < treeSize else {
            throw TransparencyError(.outOfRange, "entry index \(index) is not below the tree size \(treeSize)")
        }
        var hashes: [MerkleHash] = []
        path(index: index, start: 0, count: treeSize, into: &hashes)
        let proof = InclusionProof(index: index, treeSize: treeSize, hashes: hashes)
        try proof.verify(leafHash: storedHash(level: 0, index: index), root: root(size: treeSize))
        return proof
    }

    /// The consistency proof from `oldSize` to `newSize` (RFC 9162 §2.1.4.1), checked before it is returned.
    public func consistencyProof(oldSize: UInt64, newSize: UInt64) throws(TransparencyError) -> ConsistencyProof {
        guard newSize <= size else {
            throw TransparencyError(.outOfRange, "tree size \(newSize) is larger than the \(size) leaves stored")
        }
        guard oldSize <= newSize else {
            throw TransparencyError(.outOfRange, "the old size \(oldSize) is larger than the new size \(newSize)")
        }
        var hashes: [MerkleHash] = []
        if oldSize > 0 && oldSize < newSize {
            subproof(oldSize: oldSize, start: 0, count: newSize, complete: true, into: &hashes)
        }
        let proof = ConsistencyProof(oldSize: oldSize, newSize: newSize, hashes: hashes)
        try proof.verify(oldRoot: root(size: oldSize), newRoot: root(size: newSize))
        return proof
    }

    /// PATH(m, D[start ..< start + count]), siblings nearest the leaf first.
    private func path(index: UInt64, start: UInt64, count: UInt64, into hashes: inout [MerkleHash]) {
        guard count > 1 else { return }
        let split = MerkleTree.splitPoint(count)
        if index < split {
            path(index: index, start: start, count: split, into: &hashes)
            hashes.append(rangeHash(start: start + split, count: count - split))
        } else {
            path(index: index - split, start: start + split, count: count - split, into: &hashes)
            hashes.append(rangeHash(start: start, count: split))
        }
    }

    /// SUBPROOF(m, D[start ..< start + count], b).
    private func subproof(oldSize: UInt64, start: UInt64, count: UInt64, complete: Bool, into hashes: inout [MerkleHash]) {
        if oldSize == count {
            if !complete { hashes.append(rangeHash(start: start, count: count)) }
            return
        }
        let split = MerkleTree.splitPoint(count)
        if oldSize <= split {
            subproof(oldSize: oldSize, start: start, count: split, complete: complete, into: &hashes)
            hashes.append(rangeHash(start: start + split, count: count - split))
        } else {
            subproof(oldSize: oldSize - split, start: start + split, count: count - split, complete: false, into: &hashes)
            hashes.append(rangeHash(start: start, count: split))
        }
    }
}
