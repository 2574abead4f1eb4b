import Ledger
import LedgerCrypto
import LedgerFormat
import LedgerStorage
import LedgerTransparency
import LedgerWitness

/// `emc pull` (SPEC §5.12.4): fetch the server's checkpoint, check it against this copy and the
/// last checkpoint the member cosigned, fetch and verify the new entries through the one `apply`,
/// then cosign the checkpoint and post the cosignature. A fork or rollback stops with exit 1 and,
/// for a fork, a fork proof next to the ledger.
public enum Pull {
    public struct Result: Sendable {
        /// Entries appended to the local copy.
        public var fetched: Int
        public var localSize: Int64
        /// The server's size, as last seen.
        public var serverSize: Int64
        /// The member who acted, and the size she cosigned (nil: not an active member at its size).
        public var member: String?
        public var cosignedSize: UInt64?
        /// Whether this copy was taken from the member's caches (state cache, witness state, hash
        /// sidecar) instead of being verified from the start (SPEC §5.12.4).
        public var resumed: Bool
        /// Entries of this copy the server does not have (made offline; `emc push` sends them).
        public var unpushed: Int64 { max(0, localSize - serverSize) }
    }

    public static func run(ledgerPath: String, config: RemoteConfig, key: PrivateKey, timestamp: UInt64) throws -> Result {
        let remote = try RemoteLedger(config: config, key: key, file: ledgerPath)
        let (noteBytes, signed) = try remote.checkpoint()
        let target = signed.checkpoint
        // From her caches when they all agree and the checkpoint does not end inside this copy
        // (the rosters there are not kept); else verified from the start.
        let resumed = LedgerTree.resume(path: ledgerPath, key: key).flatMap { $0.size <= target.size ? $0 : nil }
        let local = try resumed ?? LedgerTree.verify(path: ledgerPath, rosterSizes: WitnessState.recordedSizes(ledgerPath: ledgerPath).union([target.size]))
        guard local.state.ledgerID == config.ledgerID else {
            throw ClientError(.usage, "this copy is ledger \(local.state.ledgerID), its remote configuration names \(config.ledgerID)", file: ledgerPath)
        }
        let member = local.currentMember(signingWith: key)
        let record = try member.flatMap { try WitnessState.load(member: $0, ledger: local) }
        let evidence = ForkEvidence(server: signed, local: local, record: record?.checkpoint, key: key, remote: remote)
        var serverSize = Int64(target.size)
        var fetched = 0
        var current = local
        if target.size <= local.size {
            if case .fork = try about(ledgerPath, { () throws(TransparencyError) in try local.tree.relation(to: target) }) {
                throw evidence.fork("the server's checkpoint of size \(target.size) has root \(target.root.base64), this copy has another there")
            }
            if let last = record?.checkpoint.checkpoint, target.size < last.size {
                throw ClientError(.invalid, "rollback: the server's checkpoint has size \(target.size), smaller than the checkpoint of size \(last.size) you cosigned", file: ledgerPath)
            }
        } else {
            if let last = record?.checkpoint.checkpoint {
                // The server's proof from what she last cosigned to its checkpoint (SPEC §4.6).
                let proof = try remote.consistencyProof(old: last.size, size: target.size)
                do { try proof.verify(oldRoot: last.root, newRoot: target.root) } catch {
                    throw evidence.fork("the server's checkpoint of size \(target.size) is not consistent with the one of size \(last.size) you cosigned (\(error.reason))")
                }
            }
            let pulled = try fetch(into: ledgerPath, until: target.size, remote: remote, key: key, evidence: evidence)
            (fetched, serverSize) = (pulled.lines.count, pulled.serverSize)
            current = try local.extended(by: pulled.lines, to: pulled.end)
                ?? LedgerTree.verify(path: ledgerPath, rosterSizes: WitnessState.recordedSizes(ledgerPath: ledgerPath).union([target.size]))
        }
        let stateAtEnd = current.state
        var result = Result(fetched: fetched, localSize: Int64(local.size) + Int64(fetched), serverSize: serverSize, member: member,
                            resumed: resumed != nil)
        // Only a member active at the checkpoint's size cosigns it (§4.5); one removed meanwhile just follows.
        let activeAtTarget = UInt64(stateAtEnd.headSeq) == target.size
            ? LedgerTree.activeMembers(stateAtEnd).contains { $0.publicKey == key.publicKey }
            : local.activeMembers(atSize: target.size)?.contains { $0.publicKey == key.publicKey } ?? true
        guard let member, activeAtTarget else { return result }
        let cosigned = try Witness.cosign(noteBytes, source: config.url, ledger: current, key: key, timestamp: timestamp,
                                          trusting: [config.serverKey])
        let serverHeld = record.map { (try? $0.checkpoint.note.verifiedSigners([config.serverKey]))?.isEmpty == false ? $0.checkpoint.checkpoint.size : 0 } ?? 0
        try remote.postCosignature(cosigned.checkpoint, old: serverHeld)
        result.member = member
        result.cosignedSize = target.size
        return result
    }

    /// Appends the server's entries after this copy's end until it has at least `size`; returns
    /// the lines appended, the server's size and the copy as verified at its new end. Entries that do not extend this copy are a fork.
    static func fetch(into ledgerPath: String, until size: UInt64, remote: RemoteLedger, key: PrivateKey,
                      evidence: ForkEvidence) throws -> (lines: [[UInt8]], serverSize: Int64, end: VerifiedLedger) {
        let writer = try LedgerWriter(path: ledgerPath, key: key)
        defer { writer.close() }
        var lines: [[UInt8]] = []
        var serverSize = Int64(size)
        while UInt64(writer.state.headSeq) < size {
            let page = try remote.entries(from: writer.state.headSeq)
            serverSize = page.size
            guard let first = page.lines.first else {
                throw ClientError(.invalid, "the server's checkpoint has size \(size), but it serves only \(page.size) entries", file: ledgerPath)
            }
            let decoded: DecodedEntry
            do { decoded = try DecodedEntry(line: first) } catch {
                throw ClientError(.invalid, "the server sent entry \(writer.state.headSeq + 1), which does not decode: \(error.reason)", file: ledgerPath)
            }
            guard decoded.entry.seq == writer.state.headSeq + 1, decoded.entry.previousHash == writer.state.headHash else {
                throw evidence.fork("the server's entry \(decoded.entry.seq) does not extend this copy's entry \(writer.state.headSeq)")
            }
            do { lines += try writer.append(lines: page.lines).map(\.lineBytes) } catch {
                throw ClientError(.invalid, "the server sent an entry that does not verify: \(error.description)", file: ledgerPath)
            }
        }
        return (lines, serverSize, writer.verified)
    }
}

/// Builds and writes the fork proof of a server whose checkpoint no single history shares with
/// this copy (SPEC §4.7), from the member's last cosigned checkpoint, or else a checkpoint of her
/// copy signed now; the larger tree is hers, or the server's rebuilt from its entry lines.
struct ForkEvidence {
    let server: SignedCheckpoint
    let local: VerifiedTree
    let record: SignedCheckpoint?
    let key: PrivateKey
    let remote: RemoteLedger

    /// The fork as an error (exit 1) carrying the proof's path, or why none was written.
    func fork(_ what: String) -> ClientError {
        do {
            let path = try write()
            return ClientError(.invalid, "fork: \(what); fork proof: \(path)", file: local.path, forkProofPath: path)
        } catch {
            return ClientError(.invalid, "fork: \(what); no fork proof could be written (\(error))", file: local.path)
        }
    }

    func write() throws -> String {
        var serverTree: TreeHashStore?? = nil
        func largerTree(than own: SignedCheckpoint) throws -> TreeHashStore? {
            if own.checkpoint.size >= server.checkpoint.size { return local.tree }
            if serverTree == nil { serverTree = try remote.tree(size: server.checkpoint.size, root: server.checkpoint.root) }
            return serverTree!
        }
        let trusted = try CheckpointPolicy.verifiers(for: LedgerTree.activeMembers(local.state)) + [remote.config.serverKey]
        // Her last cosigned checkpoint first (it carries the server's signature too); else one of
        // her whole copy, signed now (and recorded as her witness state).
        let candidates: [() -> SignedCheckpoint?] = [
            { record },
            { try? Witness.signCheckpoint(ledgerPath: local.path, key: key).checkpoint },
        ]
        for candidate in candidates {
            guard let own = candidate(), let tree = try largerTree(than: own),
                  let proof = try? ForkProof(own, server, largerTree: tree) else { continue }
            return try CopyCheck.writeForkProof(proof, ledgerPath: local.path, trusted: trusted)
        }
        throw ClientError(.invalid, "no checkpoint of this copy conflicts with the server's (the server's entry lines do not match its checkpoint)")
    }
}

/// Runs `body`, turning a `TransparencyError` into a client error about `file` (exit 1).
func about<T>(_ file: String, _ body: () throws(TransparencyError) -> T) throws(ClientError) -> T {
    do { return try body() } catch { throw ClientError(.invalid, error.reason, file: file) }
}
