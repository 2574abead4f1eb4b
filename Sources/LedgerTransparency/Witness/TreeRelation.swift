/// How a member's own verified tree relates to a checkpoint of the same origin (SPEC §4.4, §4.7):
/// the pure decision behind `emc verify --against` and `emc cosign`.
public enum TreeRelation: Equatable, Sendable {
    /// Same size, same root.
    case same
    /// The local tree is larger and has the checkpoint's root at the checkpoint's size.
    case extends
    /// The local tree is smaller than the checkpoint: a rollback, or a fork beyond the local end
    /// that only the holder of the larger tree can prove.
    case behind(localSize: UInt64)
    /// The local tree has another root at the checkpoint's size: no single history has both.
    case fork(localRoot: MerkleHash)

    /// True when the local tree contains the checkpoint's tree.
    public var isConsistent: Bool { self == .same || self == .extends }
}

extension TreeHashStore {
    /// How this tree relates to `checkpoint` (whose origin must be this tree's).
    public func relation(to checkpoint: Checkpoint) throws(TransparencyError) -> TreeRelation {
        guard checkpoint.origin == origin else {
            throw TransparencyError(.untrusted, "the checkpoint is for \(checkpoint.origin), not \(origin)")
        }
        guard checkpoint.size <= size else { return .behind(localSize: size) }
        let local = try root(size: checkpoint.size)
        guard local == checkpoint.root else { return .fork(localRoot: local) }
        if checkpoint.size < size {
            // Pair the decision with the proof a third party would check.
            try consistencyProof(oldSize: checkpoint.size, newSize: size).verify(oldRoot: checkpoint.root, newRoot: root)
            return .extends
        }
        return .same
    }
}

/// The witness rule of SPEC §4.4: a member cosigns a checkpoint only when her own verified tree
/// has its root at its size, and when it is consistent with the last checkpoint she cosigned.
public enum WitnessRule {
    /// Throws, saying why, unless `candidate` may be cosigned by a member whose verified tree is
    /// `tree` and who last cosigned `lastCosigned` (nil: never).
    public static func check(_ candidate: Checkpoint, tree: TreeHashStore, lastCosigned: Checkpoint?) throws(TransparencyError) {
        guard candidate.size > 0 else { throw TransparencyError(.outOfRange, "the empty tree is never checkpointed") }
        switch try tree.relation(to: candidate) {
        case .same, .extends: break
        case .behind(let localSize):
            throw TransparencyError(.outOfRange,
                "your copy has \(localSize) entries, the checkpoint is of size \(candidate.size): fetch and verify the rest first")
        case .fork(let localRoot):
            throw TransparencyError(.proofFailed,
                "fork: your copy has root \(localRoot.base64) at size \(candidate.size), the checkpoint has \(candidate.root.base64)")
        }
        guard let last = lastCosigned else { return }
        switch try tree.relation(to: last) {
        case .same, .extends:
            // Both are prefixes of the one tree: consistent. Pair it with the proof between them.
            let (older, newer) = last.size <= candidate.size ? (last, candidate) : (candidate, last)
            if older.size < newer.size {
                try tree.consistencyProof(oldSize: older.size, newSize: newer.size).verify(oldRoot: older.root, newRoot: newer.root)
            } else if older.root != newer.root {
                throw TransparencyError(.proofFailed, "fork: two roots at size \(older.size)")
            }
        case .behind(let localSize):
            throw TransparencyError(.outOfRange,
                "rollback: your copy has \(localSize) entries, fewer than the checkpoint of size \(last.size) you last cosigned")
        case .fork(let localRoot):
            throw TransparencyError(.proofFailed,
                "fork: the checkpoint is inconsistent with the one of size \(last.size) you last cosigned (root \(last.root.base64); your copy now has \(localRoot.base64) there)")
        }
    }
}
