#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LedgerCrypto
import LedgerTransparency

/// A member's witness state next to the ledger (SPEC §4.11): the last checkpoint she signed or
/// cosigned, `LEDGER.emc-witness-<member name>`. Named by member, not key, because the record
/// belongs to her and carries over a key rotation (§4.4). It is safety state, not a cache: a
/// file that cannot be authenticated is refused, never silently replaced.
public enum WitnessState {
    public static let filePrefix = ".emc-witness-"

    public static func path(forLedger ledgerPath: String, member: String) -> String {
        ledgerPath + filePrefix + member
    }

    /// The sizes recorded by the witness state files next to `ledgerPath` (unauthenticated: used
    /// only to know which rosters to keep while verifying, before `load` checks each file).
    public static func recordedSizes(ledgerPath: String) -> Set<UInt64> {
        let url = URL(fileURLWithPath: ledgerPath)
        let directory = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + filePrefix
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var sizes: Set<UInt64> = []
        for name in names where name.hasPrefix(prefix) && !name.contains(".tmp-") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            if let bytes = try? OwnedFile.read(path, limit: WitnessRecord.maximumBytes, what: "witness state"),
               let record = try? WitnessRecord(parsing: bytes) {
                sizes.insert(record.checkpoint.checkpoint.size)
            }
        }
        return sizes
    }

    /// Loads and authenticates `member`'s record for the ledger verified in `ledger`: its format,
    /// member and origin, and a valid signature or cosignature by her with the key she held at
    /// its size. Nil when there is none. Throws (refusing to go on) when the file is not one.
    public static func load(member: String, ledger: VerifiedTree) throws -> WitnessRecord? {
        let path = path(forLedger: ledger.path, member: member)
        guard let bytes = try OwnedFile.read(path, limit: WitnessRecord.maximumBytes, what: "witness state") else { return nil }
        func refuse(_ why: String) -> WitnessError {
            WitnessError(.invalid, "\(why); refusing to sign or cosign without her last checkpoint (move the file aside only if you know why it changed)", file: path)
        }
        guard WitnessRecord.looksLikeWitnessState(bytes) else { throw refuse("not a witness state file") }
        let record: WitnessRecord
        do { record = try WitnessRecord(parsing: bytes) } catch { throw refuse("unreadable witness state (\(error.reason))") }
        let checkpoint = record.checkpoint.checkpoint
        guard record.member == member else { throw refuse("the witness state is \(record.member)'s, not \(member)'s") }
        guard checkpoint.origin == ledger.origin else { throw refuse("the witness state is for \(checkpoint.origin), not this ledger") }
        guard checkpoint.size <= ledger.size else {
            throw WitnessError(.invalid, "rollback: the ledger has \(ledger.size) entries, fewer than the checkpoint of size \(checkpoint.size) \(member) last signed or cosigned", file: ledger.path)
        }
        guard let roster = ledger.activeMembers(atSize: checkpoint.size), let own = roster.first(where: { $0.name == member }) else {
            throw refuse("\(member) was not an active member at size \(checkpoint.size)")
        }
        let signers = (try? record.checkpoint.note.verifiedSigners(CheckpointPolicy.verifiers(for: [own]))) ?? []
        guard !signers.isEmpty else { throw refuse("the recorded checkpoint carries no valid signature by \(member)") }
        return record
    }

    /// Stores `record` (whose file, if any, `load` has authenticated) atomically.
    static func store(_ record: WitnessRecord, ledgerPath: String) throws {
        let bytes = record.encoded
        precondition((try? WitnessRecord(parsing: bytes)) == record, "a witness state reads back as written")
        try OwnedFile.write(bytes, to: path(forLedger: ledgerPath, member: record.member))
    }
}
