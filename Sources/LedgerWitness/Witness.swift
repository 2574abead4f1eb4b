import LedgerCrypto
import LedgerTransparency

/// What members do with checkpoints (SPEC §4.3, §4.4, §4.7), shared by the CLI and a future
/// server: sign one of their own verified copy, cosign another's after checking it against their
/// copy and their last signed or cosigned checkpoint, and check a copy against a checkpoint.
/// Each action runs under the ledger's exclusive lock, so its check and the update of the witness
/// state are atomic.
public enum Witness {
    /// Signs a checkpoint of the whole ledger with `key`, which must be a current member's key;
    /// refuses one inconsistent with the last checkpoint she signed or cosigned.
    public static func signCheckpoint(ledgerPath: String, key: PrivateKey) throws -> (checkpoint: SignedCheckpoint, member: String, ledger: VerifiedTree) {
        try OwnedFile.withLedgerLock(ledgerPath) { () throws -> (SignedCheckpoint, String, VerifiedTree) in
            let ledger = try LedgerTree.verify(path: ledgerPath, rosterSizes: WitnessState.recordedSizes(ledgerPath: ledgerPath))
            let signed = try signLocked(ledger: ledger, key: key)
            return (signed.checkpoint, signed.member, ledger)
        }
    }

    static func signLocked(ledger: VerifiedTree, key: PrivateKey) throws -> (checkpoint: SignedCheckpoint, member: String) {
        guard let member = ledger.currentMember(signingWith: key) else {
            throw WitnessError(.invalid, "key \(key.publicKey.keyID) is not the current key of any active member", file: ledger.path)
        }
        let last = try WitnessState.load(member: member, ledger: ledger)
        try about(ledger.path) { () throws(TransparencyError) in
            try WitnessRule.check(ledger.checkpoint, tree: ledger.tree, lastCosigned: last?.checkpoint.checkpoint)
        }
        let signed = try ledger.sign(as: member, key: key)
        if last.map({ $0.checkpoint.checkpoint.size <= signed.checkpoint.size }) ?? true {
            try WitnessState.store(WitnessRecord(member: member, checkpoint: signed), ledgerPath: ledger.path)
        }
        return (signed, member)
    }

    /// Cosigns `candidate` (read from `source`) with `key` at `timestamp` (POSIX seconds), after
    /// checking it against the member's verified copy and her last signed or cosigned checkpoint.
    /// The candidate must carry a valid signature by a member active at its size or by one of
    /// `trusting` (a sequencing server's checkpoint key, SPEC §5.12).
    public static func cosign(_ bytes: [UInt8], source: String, ledgerPath: String, key: PrivateKey,
                              timestamp: UInt64, trusting: [NoteVerifier] = []) throws -> (checkpoint: SignedCheckpoint, member: String) {
        try cosign(bytes, source: source, ledgerPath: ledgerPath, known: nil, key: key, timestamp: timestamp, trusting: trusting)
    }

    /// `cosign` with the member's copy as the caller already verified it (e.g. `emc pull`, which
    /// verified only what it fetched): used as is when, under the lock, the file still ends at its
    /// head and it holds the rosters needed (at the checkpoint's size and at every recorded
    /// witness state's size); otherwise the copy is verified again, as `cosign` does. Also saves
    /// its hash sidecar. The caller must not hold the ledger's lock (no open `LedgerWriter`).
    public static func cosign(_ bytes: [UInt8], source: String, ledger known: VerifiedTree, key: PrivateKey,
                              timestamp: UInt64, trusting: [NoteVerifier] = []) throws -> (checkpoint: SignedCheckpoint, member: String) {
        try cosign(bytes, source: source, ledgerPath: known.path, known: known, key: key, timestamp: timestamp, trusting: trusting)
    }

    /// Both `cosign`s: under the ledger's lock, the copy `known` when it still fits, else one verified now.
    private static func cosign(_ bytes: [UInt8], source: String, ledgerPath: String, known: VerifiedTree?, key: PrivateKey,
                               timestamp: UInt64, trusting: [NoteVerifier]) throws -> (checkpoint: SignedCheckpoint, member: String) {
        let candidate = try about(source) { () throws(TransparencyError) in try SignedCheckpoint(parsing: bytes) }
        return try OwnedFile.withLedgerLock(ledgerPath) { () throws -> (SignedCheckpoint, String) in
            let recorded = WitnessState.recordedSizes(ledgerPath: ledgerPath).union([candidate.checkpoint.size])
            let ledger: VerifiedTree
            if let known, recorded.allSatisfy({ known.activeMembers(atSize: $0) != nil }) && LedgerTree.isCurrent(known) {
                LedgerTree.saveSidecarIfOwned(known.tree, ledgerPath: ledgerPath)
                ledger = known
            } else {
                ledger = try LedgerTree.verify(path: ledgerPath, rosterSizes: recorded)
            }
            return try cosignLocked(candidate, source: source, ledger: ledger, key: key, timestamp: timestamp, trusting: trusting)
        }
    }

    /// The checks and the cosignature of `cosign`, under the ledger's lock, against `ledger`.
    static func cosignLocked(_ candidate: SignedCheckpoint, source: String, ledger: VerifiedTree, key: PrivateKey,
                             timestamp: UInt64, trusting: [NoteVerifier]) throws -> (checkpoint: SignedCheckpoint, member: String) {
        var candidate = candidate
        let ledgerPath = ledger.path
        let size = candidate.checkpoint.size
        guard candidate.checkpoint.origin == ledger.origin else {
            throw WitnessError(.invalid, "the checkpoint is for \(candidate.checkpoint.origin), not for this ledger (\(ledger.origin))", file: source)
        }
        guard size <= ledger.size, let roster = ledger.activeMembers(atSize: size) else {
            throw WitnessError(.invalid, "your copy has \(ledger.size) entries, the checkpoint is of size \(size): fetch and verify the rest first", file: ledgerPath)
        }
        guard let member = roster.first(where: { $0.publicKey == key.publicKey })?.name else {
            let reason = ledger.currentMember(signingWith: key).map {
                "key \(key.publicKey.keyID) became \($0)'s after size \(size); a cosignature counts only with the key active at the checkpoint's size (SPEC §4.5)"
            } ?? "key \(key.publicKey.keyID) is not the key of any member active at size \(size)"
            throw WitnessError(.invalid, reason, file: source)
        }
        let signers = try about(source) { () throws(TransparencyError) in
            try candidate.note.verifiedSigners(CheckpointPolicy.verifiers(for: roster) + trusting)
        }
        guard !signers.isEmpty else {
            throw WitnessError(.invalid, "the checkpoint carries no signature by a member active at size \(size)\(trusting.isEmpty ? "" : " or by the server")", file: source)
        }
        let last = try WitnessState.load(member: member, ledger: ledger)
        try about(ledgerPath) { () throws(TransparencyError) in
            try WitnessRule.check(candidate.checkpoint, tree: ledger.tree, lastCosigned: last?.checkpoint.checkpoint)
        }
        let cosigner = try NoteSigner(name: member, privateKey: key, type: .cosignatureV1)
        if !candidate.note.signatures.contains(where: { $0.name == member && $0.keyID == cosigner.verifier.keyID }) {
            try candidate.cosign(with: cosigner, timestamp: timestamp)
        }
        let reread = try SignedCheckpoint(parsing: candidate.encoded)
        guard try reread.note.verifiedSigners([cosigner.verifier]).count == 1 else {
            throw WitnessError(.invalid, "the cosignature does not verify", file: source)
        }
        if last.map({ $0.checkpoint.checkpoint.size <= size }) ?? true {
            try WitnessState.store(WitnessRecord(member: member, checkpoint: reread), ledgerPath: ledgerPath)
        }
        return (reread, member)
    }
}
