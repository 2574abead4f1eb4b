import Ledger
import LedgerCrypto
import LedgerFormat
import LedgerStorage
import LedgerTransparency
#if canImport(Glibc)
import Glibc
#endif

/// The offline bundle (SPEC §4.12): a ledger prefix and the checkpoint that covers it, in one
/// file an auditor verifies with nothing else.
public enum LedgerBundle {
    /// What a verified bundle shows.
    public struct Verdict {
        public var checkpoint: SignedCheckpoint
        public var state: LedgerState
        /// The active members at the checkpoint's size who signed or cosigned it.
        public var signers: [String]
        public var activeMembers: [String]
    }

    /// Writes the first `checkpoint.size` lines of the verified ledger and the checkpoint to `out`
    /// (refusing to overwrite anything). The checkpoint must count (quorum of the active members
    /// at its size; nil: all) and this copy must extend it.
    public static func write(ledgerPath: String, checkpoint bytes: [UInt8], source: String, out: String, quorum: Int?) throws -> Verdict {
        let checkpoint = try about(source) { () throws(TransparencyError) in try SignedCheckpoint(parsing: bytes) }
        let size = checkpoint.checkpoint.size
        let ledger = try LedgerTree.verify(path: ledgerPath, rosterSizes: [size])
        let relation = try about(source) { () throws(TransparencyError) in try ledger.tree.relation(to: checkpoint.checkpoint) }
        guard relation.isConsistent else {
            throw WitnessError(.invalid, "this copy does not extend the checkpoint (\(relation)); run `emc verify \(ledgerPath) --against \(source)`", file: ledgerPath)
        }
        let roster = ledger.activeMembers(atSize: size) ?? []
        let signers = try about(source) { () throws(TransparencyError) in
            try CheckpointPolicy(origin: ledger.origin, quorum: quorum).check(checkpoint, activeMembers: roster)
        }
        var output = BundleHeader.encode(checkpoint)
        var frontier = MerkleFrontier()
        let descriptor = try Verifier.openForReading(ledgerPath)
        defer { close(descriptor) }
        var reader = LineReader(path: ledgerPath, descriptor: descriptor)
        while frontier.size < size, let line = try reader.nextLine() {
            frontier.append(line: line)
            output += line
            output.append(0x0a)
        }
        // Pair the assertion: the lines copied are the lines the checkpoint's root covers.
        guard frontier.size == size, frontier.root == checkpoint.checkpoint.root else {
            throw WitnessError(.invalid, "the ledger changed while it was copied; try again", file: ledgerPath)
        }
        try OwnedFile.write(output, to: out, exclusive: true)
        return Verdict(checkpoint: checkpoint, state: ledger.state, signers: signers, activeMembers: roster.map(\.name))
    }

    /// Verifies a bundle completely offline: every entry through the normal replay (hashes,
    /// signatures, authorization, payouts re-executed), the tree root, and the checkpoint's
    /// signatures against the active members of the verified prefix at its size.
    public static func verify(path: String, quorum: Int?) throws -> Verdict {
        let descriptor = try Verifier.openForReading(path)
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: BundleHeader.maximumBytes)
        let count = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { throw WitnessError(.io, "cannot read the bundle", file: path) }
        let (checkpoint, headLength) = try about(path) { () throws(TransparencyError) in try BundleHeader.parse(head[0..<count]) }
        let size = checkpoint.checkpoint.size
        guard size > 0 else { throw WitnessError(.invalid, "the bundle's checkpoint is of the empty tree", file: path) }
        guard lseek(descriptor, off_t(headLength), SEEK_SET) == off_t(headLength) else {
            throw WitnessError(.io, "cannot seek to the bundle's first entry", file: path)
        }
        var reader = LineReader(path: path, descriptor: descriptor, offset: Int64(headLength), lineNumber: 0)
        var state = LedgerState()
        var frontier = MerkleFrontier()
        var batch: [[UInt8]] = []
        var read: UInt64 = 0
        var expectedBytes = Int64(headLength)
        while true {
            let line = read < size ? try reader.nextLine() : nil
            if let line { batch.append(line); read += 1; expectedBytes += Int64(line.count) + 1 }
            if batch.count == Verifier.batchSize || (line == nil && !batch.isEmpty) {
                for entry in batch { frontier.append(line: entry) }
                do throws(LedgerError) {
                    try Replay.verifyBatch(batch, firstLine: Int(read) - batch.count + 1, state: &state)
                } catch {
                    throw WitnessError(.invalid, "entry line \(error.line.map(String.init) ?? "?"): \(error.reason)", file: path)
                }
                batch.removeAll(keepingCapacity: true)
            }
            if line == nil { break }
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw WitnessError(.io, "cannot stat the bundle", file: path) }
        guard read == size, Int64(status.st_size) == expectedBytes else {
            throw WitnessError(.invalid, "the bundle must hold exactly the \(size) entry lines its checkpoint covers, each ending in a newline (it holds \(read)\(read == size ? " and more" : ""))", file: path)
        }
        guard LedgerTransparency.Checkpoint.origin(ledgerID: state.ledgerID) == checkpoint.checkpoint.origin else {
            throw WitnessError(.invalid, "the checkpoint is for \(checkpoint.checkpoint.origin), the entries for ledger \(state.ledgerID)", file: path)
        }
        guard frontier.root == checkpoint.checkpoint.root else {
            throw WitnessError(.invalid, "the entries have tree root \(frontier.root.base64), the checkpoint says \(checkpoint.checkpoint.root.base64)", file: path)
        }
        let roster = LedgerTree.activeMembers(state)
        let signers = try about(path) { () throws(TransparencyError) in
            try CheckpointPolicy(origin: checkpoint.checkpoint.origin, quorum: quorum).check(checkpoint, activeMembers: roster)
        }
        return Verdict(checkpoint: checkpoint, state: state, signers: signers, activeMembers: roster.map(\.name))
    }
}
