import LedgerCrypto

/// Which signatures make a checkpoint count: a quorum of the ledger's active members at the
/// checkpoint's size, each counted once whether they signed (type 0x01) or cosigned (type 0x04).
public struct CheckpointPolicy: Sendable {
    /// A member as the roster names it at some size, with the key active then.
    public struct Member: Hashable, Sendable {
        public var name: String
        public var publicKey: PublicKey
        public init(name: String, publicKey: PublicKey) {
            self.name = name
            self.publicKey = publicKey
        }
    }

    public var origin: String
    /// How many distinct active members must have signed; nil means all of them.
    public var quorum: Int?

    public init(origin: String, quorum: Int? = nil) {
        self.origin = origin
        self.quorum = quorum
    }

    /// The note verifiers for `members`: each member's name and key as type 0x01 and type 0x04.
    public static func verifiers(for members: [Member]) throws(TransparencyError) -> [NoteVerifier] {
        var verifiers: [NoteVerifier] = []
        for member in members {
            verifiers.append(try NoteVerifier(name: member.name, publicKey: member.publicKey, type: .ed25519))
            verifiers.append(try NoteVerifier(name: member.name, publicKey: member.publicKey, type: .cosignatureV1))
        }
        return verifiers
    }

    /// Throws unless `signed` is for this origin and carries valid signatures or cosignatures of
    /// at least the quorum of `activeMembers`; returns the names that signed, in roster order.
    public func check(_ signed: SignedCheckpoint, activeMembers: [Member]) throws(TransparencyError) -> [String] {
        guard signed.checkpoint.origin == origin else {
            throw TransparencyError(.untrusted, "the checkpoint is for \(signed.checkpoint.origin), not \(origin)")
        }
        guard !activeMembers.isEmpty else { throw TransparencyError(.untrusted, "no active members to sign the checkpoint") }
        guard Set(activeMembers.map(\.name)).count == activeMembers.count,
              Set(activeMembers.map(\.publicKey)).count == activeMembers.count else {
            throw TransparencyError(.badKey, "the active members must have distinct names and keys")
        }
        let required = quorum ?? activeMembers.count
        guard required >= 1 && required <= activeMembers.count else {
            throw TransparencyError(.outOfRange, "a quorum of \(required) is impossible with \(activeMembers.count) active members")
        }
        let signers = try signed.note.verifiedSigners(Self.verifiers(for: activeMembers))
        let names = activeMembers.map(\.name).filter { name in signers.contains { $0.name == name } }
        guard names.count >= required else {
            let missing = activeMembers.map(\.name).filter { !names.contains($0) }
            throw TransparencyError(.untrusted,
                "the checkpoint of size \(signed.checkpoint.size) has \(names.count) of the \(required) member signatures required (missing: \(missing.joined(separator: ", ")))")
        }
        return names
    }
}
