import Dispatch
import Synchronization
import Ledger
import LedgerCrypto
import LedgerFormat
import LedgerHTTP
import LedgerTransparency

/// One ledger as the server serves it: its store, and a cache of what verifying the store from
/// genesis gave (the state, the tree hashes, the latest checkpoint, the cosignatures). Every
/// operation holds the ledger's lock, on its serial queue or inline (`run`), so appends and
/// cosignatures of one ledger are serialised (each is a check-and-store) while different ledgers
/// run in parallel.
final class HostedLedger: @unchecked Sendable {
    let ledgerID: String
    let origin: String
    private let queue: DispatchQueue
    /// Held by whatever runs on this ledger (`run`): its queue, or a caller running inline.
    private let exclusive = Mutex(())
    private let store: any HostedLedgerStore
    private let signer: NoteSigner
    // Touched only inside `run`:
    private(set) var state: LedgerState
    private let tree: TreeHashStore
    private var checkpoint: SignedCheckpoint
    private var cosignatures: [String: CosignatureRecord] = [:]
    /// Set when a write failed in a way that leaves the cache in doubt: the ledger then refuses
    /// every request until the server is restarted (and verifies the store again).
    private var failure: String?
    /// When the last catch-up asked the store its size (monotonic nanoseconds; 0: never).
    private var caughtUpAt: UInt64 = 0


    /// Verifies the store from genesis (the same decode and `apply` as every reader), rebuilds the
    /// tree, and checks the stored checkpoint against it. Blocking.
    init(store: any HostedLedgerStore, signer: NoteSigner) throws(LedgerError) {
        self.ledgerID = store.ledgerID
        self.origin = Checkpoint.origin(ledgerID: store.ledgerID)
        self.queue = DispatchQueue(label: "emc-server.ledger." + store.ledgerID.prefix(16))
        self.store = store
        self.signer = signer
        let tree = TreeHashStore(origin: origin)
        var state = LedgerState()
        var batch: [[UInt8]] = []
        var firstLine = 1
        func flush() throws(LedgerError) {
            try Replay.verifyBatch(batch, firstLine: firstLine, state: &state)
            firstLine += batch.count
            batch.removeAll(keepingCapacity: true)
        }
        try store.readLines(fromSeq: 1) { _, line throws(LedgerError) in
            tree.append(line: line)
            batch.append(line)
            if batch.count == 4096 { try flush() }
            return true
        }
        try flush()
        guard !state.isEmpty, state.ledgerID == store.ledgerID else {
            throw LedgerError(.malformed, "the stored ledger is empty or has another ledger id", file: store.ledgerID)
        }
        self.state = state
        self.tree = tree
        self.checkpoint = try Self.sign(tree: tree, origin: origin, signer: signer)
        try checkStoredCheckpoint()
        for record in try store.loadCosignatures() { cosignatures[record.member] = record }
        try? store.saveCheckpoint(checkpoint.encoded)
    }

    /// The server never signs a checkpoint inconsistent with one it signed: the stored one must
    /// be a prefix of the verified file (SPEC §5.6).
    private func checkStoredCheckpoint() throws(LedgerError) {
        guard let bytes = try store.loadCheckpoint(), let stored = try? SignedCheckpoint(parsing: bytes) else { return }
        let old = stored.checkpoint
        let consistent = old.origin == origin && old.size <= tree.size && (try? tree.root(size: old.size)) == old.root
        guard consistent else {
            throw LedgerError(.malformed, "the stored checkpoint (size \(old.size)) is not a prefix of the ledger file: refusing to serve it", file: ledgerID)
        }
    }

    private static func sign(tree: TreeHashStore, origin: String, signer: NoteSigner) throws(LedgerError) -> SignedCheckpoint {
        try sign(Checkpoint(origin: origin, size: tree.size, root: tree.root), signer: signer)
    }

    private static func sign(_ checkpoint: Checkpoint, signer: NoteSigner) throws(LedgerError) -> SignedCheckpoint {
        do {
            return try SignedCheckpoint(checkpoint, signer: signer)
        } catch {
            throw LedgerError(.io, "cannot sign the checkpoint: \(error)")
        }
    }

    /// Runs `body` on the ledger's queue, after catching up with a shared store unless the caller
    /// does that itself when it needs to (an append: its compare-and-swap finds out anyway).
    ///
    /// `inline` (the caller's core has nothing else to do): if the ledger is free and its store
    /// is this process's own file, `body` runs on the calling thread instead, which saves two
    /// hand-offs between threads (each the wake-up of a sleeping thread, 20–50 µs in a VM); a
    /// blocking fsync there holds up no other request. Either way `body` runs alone (`exclusive`).
    func run<T: Sendable>(catchingUp: Bool = true, inline: Bool = false,
                          _ body: @escaping @Sendable (HostedLedger) throws(APIError) -> T) async throws(APIError) -> T {
        if inline && !store.isShared, let result = exclusive.withLockIfAvailable({ _ in perform(catchingUp: catchingUp, body) }) {
            return try result.get()
        }
        let result: Result<T, APIError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: self.exclusive.withLock { _ in self.perform(catchingUp: catchingUp, body) })
            }
        }
        return try result.get()
    }

    private func perform<T: Sendable>(catchingUp: Bool, _ body: (HostedLedger) throws(APIError) -> T) -> Result<T, APIError> {
        if let failure { return .failure(APIError(500, "ledger unavailable: \(failure)")) }
        return Result { () throws(APIError) -> T in
            if catchingUp { try catchUp() }
            return try body(self)
        }
    }

    // MARK: Reading

    var size: Int64 { state.headSeq }
    var head: String { state.headHash }

    /// The member (active or former) whose current key has this id.
    func member(keyID: String) -> MemberRecord? {
        state.memberName(forKeyID: keyID).flatMap { state.member(named: $0) }
    }

    func firstLine() throws(APIError) -> [UInt8] {
        var first: [UInt8] = []
        try io { () throws(LedgerError) in try store.readLines(fromSeq: 1) { _, line in first = line; return false } }
        return first
    }

    /// Lines of seq > `from`, at most `limit` and about 64 MiB, each with its newline.
    func entries(from: Int64, limit: Int) throws(APIError) -> [UInt8] {
        var body: [UInt8] = []
        var count = 0
        guard from < size else { return [] }
        try io { () throws(LedgerError) in
            try store.readLines(fromSeq: from + 1) { seq, line in
                // A shared store may hold lines appended since the last catch-up: not verified here yet.
                guard seq <= size else { return false }
                if count > 0 && body.count + line.count + 1 > APILimits.maximumReadBytes { return false }
                body += line
                body.append(0x0a)
                count += 1
                return count < limit
            }
        }
        return body
    }

    /// The latest checkpoint with every cosignature held for exactly it.
    var checkpointNote: [UInt8] {
        var note = checkpoint
        let size = Int64(checkpoint.checkpoint.size)
        note.add(cosignatures.values.filter { $0.size == size }.sorted { $0.member < $1.member }
            .map { NoteSignature(name: $0.member, keyID: $0.keyID, signature: $0.signature) })
        return note.encoded
    }

    var appendedAnswer: [UInt8] {
        APIBody.appended(size: size, head: head, checkpoint: String(decoding: checkpointNote, as: UTF8.self))
    }

    func inclusionProof(index: Int64, size requested: Int64) throws(APIError) -> [UInt8] {
        guard index >= 0, index < requested, requested <= size else {
            throw .badRequest("need 0 <= index < size <= \(size)")
        }
        do {
            return Self.hashLines(try tree.inclusionProof(index: UInt64(index), treeSize: UInt64(requested)).hashes)
        } catch {
            throw APIError(500, "cannot build the proof")
        }
    }

    func consistencyProof(old: Int64, size requested: Int64) throws(APIError) -> [UInt8] {
        guard old >= 0, old <= requested, requested <= size else {
            throw .badRequest("need 0 <= old <= size <= \(size)")
        }
        do {
            return Self.hashLines(try tree.consistencyProof(oldSize: UInt64(old), newSize: UInt64(requested)).hashes)
        } catch {
            throw APIError(500, "cannot build the proof")
        }
    }

    static func hashLines(_ hashes: [MerkleHash]) -> [UInt8] {
        Array(hashes.map { $0.base64 + "\n" }.joined().utf8)
    }

    // MARK: Appending

    /// An append decided up to its write (SPEC §5.5): the answer to an idempotent retry, or the
    /// state after the entries, which are to be stored.
    enum PreparedAppend {
        case answered([UInt8])
        case write(next: LedgerState, lines: [[UInt8]], decoded: [Result<DecodedEntry, LedgerError>])
    }

    /// SPEC §5.5: decode, stale-head or idempotent retry, apply, one durable append, checkpoint.
    func append(lines: [[UInt8]]) throws(APIError) -> [UInt8] {
        try commit(try prepareAppend(lines: lines))
    }

    /// Everything of an append before its write: decode, the stale-head or idempotent-retry
    /// check, apply and every signature check. Changes nothing but what catching up with a shared
    /// store changes, so a caller may still refuse the request afterwards (`LedgerService`).
    func prepareAppend(lines: [[UInt8]]) throws(APIError) -> PreparedAppend {
        let decoded = Replay.parallelMap(lines) { line -> Result<DecodedEntry, LedgerError> in
            Result { () throws(LedgerError) in try DecodedEntry(line: line) }
        }
        if store.isShared, case .success(let first) = decoded[0], first.entry.seq != size + 1 || first.entry.previousHash != head {
            try catchUp()  // another process may have appended: decide on the stored head
        }
        if case .success(let first) = decoded[0], first.entry.seq != size + 1 || first.entry.previousHash != head {
            if isPresent(decoded) { return .answered(appendedAnswer) }
            throw APIBody.staleHead(size: size, head: head)
        }
        var next = state
        var jobs: [SignatureJob] = []
        for (index, result) in decoded.enumerated() {
            let seq = size + 1 + Int64(index)
            do throws(LedgerError) {
                try next.apply(try result.get(), deferringSignaturesInto: &jobs)
            } catch {
                throw APIBody.rejected(entry: seq, reason: error.reason)
            }
        }
        do throws(LedgerError) {
            try Replay.checkSignatures(jobs)
        } catch {
            throw APIBody.rejected(entry: error.seq ?? size + 1, reason: error.reason)
        }
        return .write(next: next, lines: lines, decoded: decoded)
    }

    /// The write of a prepared append (compare-and-swap on the head, durable), then the new
    /// checkpoint. Never signed before the compare-and-swap is won and the entries are in the
    /// file: a checkpoint for a tree that a lost compare-and-swap or a failed write never made
    /// would be, if it ever got out, half of a fork proof against an honest server.
    ///
    /// `signingWhileSyncing` (a core is idle, `LedgerService.appendOverlapped`): the checkpoint
    /// is signed on another thread during the fsync, from the moment the entries are written. It
    /// is taken only if the tree grown afterwards is exactly that one (size and root); if the
    /// fsync fails, the file is cut back, the ledger stops (as ever) and the signature is dropped
    /// unseen. That takes the 44 µs signature off a single submission's wait.
    func commit(_ prepared: PreparedAppend, signingWhileSyncing: Bool = false) throws(APIError) -> [UInt8] {
        let (next, lines, decoded): (LedgerState, [[UInt8]], [Result<DecodedEntry, LedgerError>])
        switch prepared {
        case .answered(let answer): return answer
        case .write(let state, let written, let results): (next, lines, decoded) = (state, written, results)
        }
        let expected = size
        let leafHashes = lines.map { tree.leafHash(line: $0) }
        let appended: Bool
        var signedAhead: Overlapped<SignedCheckpoint?>? = nil
        do {
            appended = try store.append(lines: lines, expectedSize: expected, whileSyncing: {
                guard signingWhileSyncing else { return }
                let grown = Checkpoint(origin: origin, size: tree.size + UInt64(lines.count), root: tree.root(appending: leafHashes))
                let signer = signer
                signedAhead = Overlapped { try? Self.sign(grown, signer: signer) }
            })
        } catch {
            // A shared store is the truth: the outcome is read back at the client's retry.
            if store.isShared { throw Self.unavailable(error) }
            failure = "a write failed (\(error.reason)); restart the server"
            throw APIError(500, "the entries could not be stored; nothing was acknowledged")
        }
        guard appended else {
            guard store.isShared else {
                failure = "the store changed under the server; restart it"
                throw APIError(500, "the store changed under the server; nothing was acknowledged")
            }
            // Another process appended first (or an earlier try of this one committed): catch up,
            // then answer as if the head had been seen (SPEC §5.5, step 2).
            try catchUp()
            if isPresent(decoded) { return appendedAnswer }
            throw APIBody.staleHead(size: size, head: head)
        }
        try advance(to: next, leafHashes: leafHashes, signedAhead: signedAhead?.wait())
        // The checkpoint file is written at open and at a clean stop, not here: it is re-derivable
        // (Ed25519 is deterministic), and a rename per batch would add journal work to every fsync.
        return appendedAnswer
    }

    /// Takes `next` (the state after the stored lines of `leafHashes`) as the cache and signs its
    /// checkpoint (or takes `signedAhead`, if it is exactly that one).
    private func advance(to next: LedgerState, leafHashes: [MerkleHash], signedAhead: SignedCheckpoint? = nil) throws(APIError) {
        state = next
        for leafHash in leafHashes { tree.append(leafHash: leafHash) }
        assert(Int64(tree.size) == state.headSeq, "one leaf per entry")
        do throws(LedgerError) {
            let grown = Checkpoint(origin: origin, size: tree.size, root: tree.root)
            if let signedAhead, signedAhead.checkpoint == grown {
                checkpoint = signedAhead
            } else {
                checkpoint = try Self.sign(grown, signer: signer)
            }
        } catch {
            failure = error.reason
            throw APIError(500, "the entries are stored but the checkpoint could not be signed")
        }
    }

    /// Catches up before answering `route` unless it need not (SPEC §5.10), and answers whether it
    /// did: an append finds out by its compare-and-swap (and catches up when its head is stale or
    /// its key unknown), and a proof of a size this cache has verified is the same answer either
    /// way, so it skips the store if the last catch-up asked it less than a second ago (the roster
    /// it authenticates against is at most that old). One database round trip less per request.
    func catchUpIfNeeded(before route: APIRoute) throws(APIError) -> Bool {
        switch route {
        case .appendEntries:
            return false
        case .inclusionProof(_, _, let proven), .consistencyProof(_, _, let proven):
            let fresh = caughtUpAt > 0 && DispatchTime.now().uptimeNanoseconds - caughtUpAt < 1_000_000_000
            if proven <= size && fresh { return false }
        default:
            break
        }
        try catchUp()
        return true
    }

    /// A shared store (another server process may append): reads what was appended since this
    /// cache was made and applies it, the same decode and `apply` as every submission. A stored
    /// entry that does not apply stops the ledger: the store was written by something else.
    func catchUp() throws(APIError) {
        guard store.isShared else { return }
        let stored: Int64
        let asked = DispatchTime.now().uptimeNanoseconds
        do { stored = try store.storedSize() } catch { throw Self.unavailable(error) }
        guard stored != size else {
            caughtUpAt = asked
            return
        }
        guard stored > size else {
            failure = "the store holds \(stored) entries, fewer than the \(size) this server verified"
            throw APIError(500, "ledger unavailable: \(failure!)")
        }
        var lines: [[UInt8]] = []
        do {
            try store.readLines(fromSeq: size + 1) { seq, line in
                lines.append(line)
                return seq < stored
            }
        } catch {
            throw Self.unavailable(error)
        }
        var next = state
        do {
            try Replay.verifyBatch(lines, firstLine: Int(size + 1), state: &next)
        } catch {
            failure = "a stored entry does not apply: \(error.description)"
            throw APIError(500, "ledger unavailable: \(failure!)")
        }
        try advance(to: next, leafHashes: lines.map { tree.leafHash(line: $0) })
        do {
            for record in try store.loadCosignatures() { cosignatures[record.member] = record }
        } catch {
            throw Self.unavailable(error)
        }
        caughtUpAt = asked
    }

    /// 503: the store cannot be reached now; nothing was acknowledged, and a retry reads it again.
    static func unavailable(_ error: LedgerError) -> APIError {
        APIError(503, "the store is unavailable, retry: \(error.reason)")
    }
    /// True when every line decoded and is stored at its seq with the same bytes (leaf hashes).
    private func isPresent(_ decoded: [Result<DecodedEntry, LedgerError>]) -> Bool {
        for result in decoded {
            guard case .success(let entry) = result, entry.entry.seq <= size,
                  let stored = try? tree.leafHash(index: UInt64(entry.entry.seq - 1)),
                  stored == MerkleTree.leafHash(entry.lineBytes) else { return false }
        }
        // Consecutive seqs, as a batch must be.
        let seqs = decoded.compactMap { try? $0.get().entry.seq }
        return zip(seqs, seqs.dropFirst()).allSatisfy { $1 == $0 + 1 }
    }

    // MARK: Cosignatures

    /// SPEC §5.6: tlog-witness add-checkpoint with the member as the witness.
    func cosign(body: [UInt8], member: MemberRecord, serverVerifier: NoteVerifier) throws(APIError) -> APIResponse {
        guard body.count <= CheckpointUpdate.maximumBytes else { throw .tooLarge("a cosignature request is at most \(CheckpointUpdate.maximumBytes) bytes") }
        let update: CheckpointUpdate
        do { update = try CheckpointUpdate(parsing: body) } catch { throw .badRequest("malformed checkpoint update: \(error.reason)") }
        let proposed = update.checkpoint.checkpoint
        guard proposed.origin == origin else { throw .badRequest("the checkpoint is for another ledger") }
        guard update.oldSize <= proposed.size else { throw .badRequest("old is larger than the checkpoint's size") }
        let note = update.checkpoint.note
        guard let signers = try? note.verifiedSigners([serverVerifier]), signers.contains(serverVerifier) else {
            throw APIError(403, "the checkpoint is not signed by this server")
        }
        guard proposed.size <= UInt64(size), (try? tree.root(size: proposed.size)) == proposed.root else {
            throw APIError(422, "the checkpoint is not one of this ledger's tree")
        }
        let cosigner: NoteVerifier
        do { cosigner = try NoteVerifier(name: member.name, publicKey: member.key, type: .cosignatureV1) } catch {
            throw APIError(403, "no cosignature by the requesting member")
        }
        guard let line = note.signatures.first(where: { $0.name == cosigner.name && $0.keyID == cosigner.keyID }) else {
            throw APIError(403, "no cosignature by the requesting member")
        }
        guard let verified = try? note.verifiedSigners([cosigner]), verified.contains(cosigner) else {
            throw APIError(422, "the member's cosignature does not verify")
        }
        if store.isShared {
            // Another process may have stored this member's cosignature: the check is against the store.
            do {
                for record in try store.loadCosignatures() { cosignatures[record.member] = record }
            } catch {
                throw Self.unavailable(error)
            }
        }
        let last = cosignatures[member.name]?.size ?? 0
        guard Int64(update.oldSize) == last else {
            return APIResponse(status: 409, contentType: APIBody.sizeType, body: Array("\(last)\n".utf8))
        }
        do {
            let oldRoot = try tree.root(size: update.oldSize)
            try update.consistencyProof.verify(oldRoot: oldRoot, newRoot: proposed.root)
        } catch {
            throw APIError(422, "the consistency proof does not verify")
        }
        let record = CosignatureRecord(member: member.name, size: Int64(proposed.size), keyID: line.keyID, signature: line.signature)
        let stored: Int64?
        do {
            stored = try store.storeCosignature(record, ifStoredSizeIs: last)
        } catch {
            if store.isShared { throw Self.unavailable(error) }
            throw APIError(500, "the cosignature could not be stored")
        }
        if let stored {
            // Another server process stored one for this member first: its size is the answer.
            return APIResponse(status: 409, contentType: APIBody.sizeType, body: Array("\(stored)\n".utf8))
        }
        cosignatures[member.name] = record
        return APIResponse(status: 200, body: APIBody.cosigned(member: member.name, size: Int64(proposed.size)))
    }

    // MARK: Closing

    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.exclusive.withLock { _ in
                    if self.failure == nil {
                        try? self.store.saveCheckpoint(self.checkpoint.encoded)
                        self.store.saveTreeHashes(self.tree.sidecarBytes())
                    }
                    self.store.close()
                }
                continuation.resume()
            }
        }
    }

    private func io(_ body: () throws(LedgerError) -> Void) throws(APIError) {
        do { try body() } catch { throw APIError(500, "cannot read the ledger: \(error.reason)") }
    }
}
