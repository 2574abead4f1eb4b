import Ledger
import LedgerCrypto
import LedgerFormat
import LedgerStorage
import LedgerTransparency
#if canImport(Glibc)
import Glibc
#endif

/// A ledger verified under Parts 1–3 with its RFC 9162 tree (SPEC §4.1) computed from the same
/// lines, and the rosters asked for (SPEC §4.5: the active members after `n` entries).
public struct VerifiedTree {
    public let path: String
    public let verified: VerifiedLedger
    public let tree: TreeHashStore
    let rosters: [UInt64: [CheckpointPolicy.Member]]

    public var state: LedgerState { verified.state }
    public var size: UInt64 { tree.size }
    public var origin: String { tree.origin }
    public var checkpoint: LedgerTransparency.Checkpoint { LedgerTransparency.Checkpoint(origin: origin, size: size, root: tree.root) }

    /// The active members after `size` entries, if that size was asked for (or is the end).
    public func activeMembers(atSize size: UInt64) -> [CheckpointPolicy.Member]? {
        size == self.size ? LedgerTree.activeMembers(state) : rosters[size]
    }

    /// The active member whose current key is `key`'s public key, at the end of the ledger.
    public func currentMember(signingWith key: PrivateKey) -> String? {
        LedgerTree.activeMembers(state).first { $0.publicKey == key.publicKey }?.name
    }

    /// Signs a checkpoint of the whole verified ledger as `member`.
    public func sign(as member: String, key: PrivateKey) throws -> SignedCheckpoint {
        let signed = try SignedCheckpoint(checkpoint, signer: NoteSigner(name: member, privateKey: key))
        // Pair the assertion: what is handed out must read back and count as her signature.
        let reread = try SignedCheckpoint(parsing: signed.encoded)
        _ = try CheckpointPolicy(origin: origin, quorum: 1).check(reread, activeMembers: LedgerTree.activeMembers(state))
        return reread
    }
}

/// Verifying a ledger file together with its Merkle tree, and the tree's hash sidecar.
public enum LedgerTree {
    /// The hash sidecar next to a ledger (SPEC §4.9): a cache for servers of proofs.
    public static func sidecarPath(forLedger path: String) -> String { path + ".emc-tree" }

    /// The roster of SPEC §4.5 as checkpoint policy members.
    public static func activeMembers(_ state: LedgerState) -> [CheckpointPolicy.Member] {
        state.members.filter(\.active).map { CheckpointPolicy.Member(name: $0.name, publicKey: $0.key) }
    }

    /// Verifies `path` with `Verifier.verify`, hashing each line into the tree as it is applied
    /// (leaf = SHA-256(0x00 ‖ line)), and keeps the rosters after each size in `rosterSizes`.
    /// A torn tail is an error: a checkpoint is only ever made of a whole, clean ledger.
    public static func verify(path: String, rosterSizes: Set<UInt64> = [], saveSidecar: Bool = true,
                              progress: ((_ entries: Int64, _ bytes: Int64) -> Void)? = nil) throws -> VerifiedTree {
        final class Collector {
            var tree: TreeHashStore?
            var rosters: [UInt64: [CheckpointPolicy.Member]] = [:]
        }
        let collector = Collector()
        let verified = try Verifier.verify(path: path, progress: progress) { entry, before in
            if collector.tree == nil { collector.tree = TreeHashStore(origin: LedgerTransparency.Checkpoint.origin(ledgerID: entry.entry.ledgerID)) }
            let size = UInt64(before.headSeq)
            if !rosterSizes.isEmpty && rosterSizes.contains(size) { collector.rosters[size] = activeMembers(before) }
            collector.tree!.append(line: entry.lineBytes)
        }
        try verified.requireNoTornTail(path: path)
        guard let tree = collector.tree, tree.size == UInt64(verified.entryCount) else {
            throw WitnessError(.invalid, "the tree does not cover the \(verified.entryCount) verified entries", file: path)
        }
        if saveSidecar { saveSidecarIfOwned(tree, ledgerPath: path) }
        return VerifiedTree(path: path, verified: verified, tree: tree, rosters: collector.rosters)
    }

    /// `verify` for callers that need only the root (a full verify, a checkpoint of the end): the
    /// tree is kept as a `MerkleFrontier`, O(log n) hashes, instead of every node of a
    /// `TreeHashStore` (32 bytes per leaf and per inner node), so memory stays flat in N.
    public static func verifyRoot(path: String, progress: ((_ entries: Int64, _ bytes: Int64) -> Void)? = nil) throws -> (verified: VerifiedLedger, root: MerkleHash) {
        final class Collector { var frontier = MerkleFrontier() }
        let collector = Collector()
        let verified = try Verifier.verify(path: path, progress: progress) { entry, _ in collector.frontier.append(line: entry.lineBytes) }
        try verified.requireNoTornTail(path: path)
        guard collector.frontier.size == UInt64(verified.entryCount) else {
            throw WitnessError(.invalid, "the tree does not cover the \(verified.entryCount) verified entries", file: path)
        }
        return (verified, collector.frontier.root)
    }

    /// Writes the sidecar unless it already holds this tree, or the file there is not a sidecar of
    /// this ledger's origin (never overwrites a file it does not own). A failure only costs time.
    static func saveSidecarIfOwned(_ tree: TreeHashStore, ledgerPath: String) {
        let path = sidecarPath(forLedger: ledgerPath)
        let tag = Array("emc-tlog-hashes/v1\n".utf8)
        let originBytes = Array(tree.origin.utf8)
        let headLength = tag.count + 2 + originBytes.count + 8 + 32
        if let head = try? readHead(path, count: headLength) {
            guard head.count == headLength, head.starts(with: tag),
                  Array(head[(tag.count + 2)..<(tag.count + 2 + originBytes.count)]) == originBytes else { return }
            let size = head[(headLength - 40)..<(headLength - 32)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if size == tree.size && Array(head[(headLength - 32)...]) == tree.root.bytes { return }
        }
        try? tree.saveSidecar(path: path)
    }

    /// The sidecar's tree when it is valid for `size` and `root` (a root the caller trusts), else nil.
    public static func cachedTree(ledgerPath: String, origin: String, size: UInt64, root: MerkleHash) -> TreeHashStore? {
        try? TreeHashStore.loadSidecar(path: sidecarPath(forLedger: ledgerPath), origin: origin, size: size, root: root)
    }

    /// Up to `count` first bytes of `path`; throws when it cannot be opened (e.g. it does not exist).
    private static func readHead(_ path: String, count: Int) throws(WitnessError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw WitnessError(.io, "cannot open", file: path) }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, 0) }
        return read > 0 ? Array(bytes[0..<read]) : []
    }
}
