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

    /// This copy after a writer verified and appended `lines` to it, ending in `end`: the tree
    /// (a copy) grown by their leaves; the rosters kept, with this copy's end among them. Nil
    /// when `end` holds more than this copy and `lines` (another process appended meanwhile).
    public func extended(by lines: [[UInt8]], to end: VerifiedLedger) -> VerifiedTree? {
        guard size + UInt64(lines.count) == UInt64(end.state.headSeq) else { return nil }
        let grown = tree.copy()
        for line in lines { grown.append(line: line) }
        var kept = rosters
        kept[size] = LedgerTree.activeMembers(state)
        return VerifiedTree(path: path, verified: end, tree: grown, rosters: kept)
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

    /// The member's copy as she last verified it, from her caches, without verifying it again
    /// (SPEC §4.9): her state cache (authenticated by her key) must end where the file ends and
    /// where the checkpoint of her witness state ends (signed or cosigned by her), the file's last
    /// line must be the cache's head, and the hash sidecar must hold that checkpoint's root with
    /// that line as its last leaf. Only the rosters of the end are known. Nil on any doubt: the
    /// caller then verifies from the start, as without caches.
    public static func resume(path: String, key: PrivateKey) -> VerifiedTree? {
        guard let cached = LedgerWriter.loadCache(ledgerPath: path, key: key), cached.tornTail == nil,
              let member = activeMembers(cached.state).first(where: { $0.publicKey == key.publicKey })?.name,
              let bytes = try? OwnedFile.read(WitnessState.path(forLedger: path, member: member), limit: WitnessRecord.maximumBytes, what: "witness state"),
              let record = try? WitnessRecord(parsing: bytes) else { return nil }
        let checkpoint = record.checkpoint.checkpoint
        let origin = LedgerTransparency.Checkpoint.origin(ledgerID: cached.state.ledgerID)
        guard checkpoint.origin == origin, checkpoint.size > 0, checkpoint.size == UInt64(cached.state.headSeq),
              let headLine = lastLine(of: cached, ledgerPath: path),
              let tree = cachedTree(ledgerPath: path, origin: origin, size: checkpoint.size, root: checkpoint.root),
              (try? tree.leafHash(index: checkpoint.size - 1)) == MerkleTree.leafHash(headLine) else { return nil }
        let ledger = VerifiedTree(path: path, verified: cached, tree: tree, rosters: [:])
        guard let authenticated = try? WitnessState.load(member: member, ledger: ledger), authenticated == record else { return nil }
        return ledger
    }

    /// Whether the file still is exactly `ledger`: it ends where the verified state ends, with the
    /// line whose hash is its head (what a writer checks before appending, `LedgerWriter`).
    static func isCurrent(_ ledger: VerifiedTree) -> Bool {
        lastLine(of: ledger.verified, ledgerPath: ledger.path) != nil
    }

    /// The last line of `ledgerPath` (without its newline) if the file ends where `verified` ends
    /// and that line is its head; else nil.
    private static func lastLine(of verified: VerifiedLedger, ledgerPath: String) -> [UInt8]? {
        let length = verified.validByteCount - verified.lastLineOffset
        guard verified.lastLineOffset >= 0, length > 1, length <= Int64(Entry.maximumLineBytes + 1) else { return nil }
        let descriptor = open(ledgerPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, Int64(status.st_size) == verified.validByteCount else { return nil }
        var line = [UInt8](repeating: 0, count: Int(length))
        let count = line.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, Int(length), off_t(verified.lastLineOffset)) }
        guard count == Int(length), line.last == 0x0a else { return nil }
        line.removeLast()
        return Entry.hash(lineBytes: line) == verified.state.headHash ? line : nil
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
