import LedgerCrypto

/// A member on the ledger's current roster.
public struct MemberRecord: Hashable, Sendable {
    public var name: String
    public var role: String
    public var key: PublicKey
}

/// One contract version known to the ledger (genesis is version 1).
public struct ContractVersion: Hashable, Sendable {
    public var number: Int
    public var text: String
    public var hash: String
    /// The entry that introduced the text (genesis or a proposal).
    public var introducedAt: Int64
    /// Members who appended `accept` for this version, in the order they did.
    public var acceptedBy: [String]
}

/// The replayed state of a ledger: everything `apply` needs to judge the next entry.
public struct LedgerState: Sendable {
    public internal(set) var ledgerID = ""
    public internal(set) var headSeq: Int64 = 0
    public internal(set) var headHash = Entry.zeroHash
    public internal(set) var lastTime: Timestamp?
    public internal(set) var founder = ""
    /// The current roster, in genesis order (joiners appended).
    public internal(set) var members: [MemberRecord] = []
    public internal(set) var contracts: [ContractVersion] = []
    var memberIndexByName: [String: Int] = [:]
    var memberNameByKeyID: [String: String] = [:]
    /// Every key id ever registered; a key may never be registered twice.
    var registeredKeyIDs: Set<String> = []
    var contractIndexByHash: [String: Int] = [:]

    public init() {}

    public var isEmpty: Bool { headSeq == 0 }

    public func member(named name: String) -> MemberRecord? {
        memberIndexByName[name].map { members[$0] }
    }

    /// The member whose *current* key has this id.
    public func memberName(forKeyID keyID: String) -> String? { memberNameByKeyID[keyID] }

    public func contract(withHash hash: String) -> ContractVersion? {
        contractIndexByHash[hash].map { contracts[$0] }
    }

    mutating func addMember(_ member: MemberRecord) {
        memberIndexByName[member.name] = members.count
        memberNameByKeyID[member.key.keyID] = member.name
        registeredKeyIDs.insert(member.key.keyID)
        members.append(member)
    }

    mutating func replaceKey(ofMember name: String, with key: PublicKey) {
        guard let index = memberIndexByName[name] else { preconditionFailure("replaceKey for non-member \(name)") }
        memberNameByKeyID[members[index].key.keyID] = nil
        members[index].key = key
        memberNameByKeyID[key.keyID] = name
        registeredKeyIDs.insert(key.keyID)
    }

    mutating func addContract(text: String, hash: String, introducedAt seq: Int64) {
        contractIndexByHash[hash] = contracts.count
        contracts.append(ContractVersion(number: contracts.count + 1, text: text, hash: hash,
                                         introducedAt: seq, acceptedBy: []))
    }

    mutating func recordAcceptance(of hash: String, by member: String) {
        guard let index = contractIndexByHash[hash] else { preconditionFailure("accept of unknown contract") }
        contracts[index].acceptedBy.append(member)
    }

    /// Debug-build invariant check (swift-collections style).
    func _checkInvariants() {
        #if DEBUG
        assert(memberIndexByName.count == members.count, "member index out of step")
        for (index, member) in members.enumerated() {
            assert(memberIndexByName[member.name] == index, "member index wrong for \(member.name)")
            assert(memberNameByKeyID[member.key.keyID] == member.name, "key index wrong for \(member.name)")
        }
        assert(memberNameByKeyID.count == members.count, "stale key in key index")
        #endif
        }
}
