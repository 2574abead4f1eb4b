import ContractLanguage
import LedgerCrypto

/// A member known to the ledger. Members removed by an amendment stay listed, inactive.
public struct MemberRecord: Hashable, Sendable {
    public var name: String
    public var role: String
    public var key: PublicKey
    /// False once an adopted amendment removed the member.
    public var active = true

    public init(name: String, role: String, key: PublicKey) {
        self.name = name
        self.role = role
        self.key = key
    }
}

/// One contract version known to the ledger: genesis is version 1, each proposal the next number.
public struct ContractVersion: Sendable {
    public enum Status: String, Sendable { case genesis, pending, adopted, rejected, withdrawn }

    public var number: Int
    public var text: String
    public var hash: String
    public var contract: Contract
    /// The entry that introduced the text (genesis or a proposal).
    public var introducedAt: Int64
    /// Members who appended `accept` for this version, in the order they did.
    public var acceptedBy: [String]
    public var status: Status
    /// For proposals: who proposed, why, from which period, and the members joining with it.
    public var proposer = ""
    public var reason = ""
    public var effective: Period?
    public var joiners: [MemberRecord] = []
    /// Votes in the order cast: member, approve, entry.
    public var votes: [(member: String, approve: Bool, seq: Int64)] = []
    /// The entry that adopted, rejected or withdrew the proposal.
    public var closedAt: Int64?
}

/// The report in effect for one metric and period, with the reports it superseded.
public struct ReportRecord: Sendable {
    public var metric: String
    public var value: Value
    public var reporter: String
    public var seq: Int64
    public var superseded: [Int64] = []
}

/// A dispute of a settled period: corrected report values, decided by the consent of all members.
public struct DisputeRecord: Sendable {
    public enum Status: String, Sendable { case pending, adopted, rejected, withdrawn, adjusted }

    public var seq: Int64
    public var disputer: String
    public var period: Period
    /// Corrected values, in the order given.
    public var corrections: [(metric: String, value: Value)]
    public var reason: String
    public var votes: [(member: String, approve: Bool, seq: Int64)]
    public var status: Status = .pending
    public var closedAt: Int64?
}

/// A settled period, kept for the dispute window (SPEC.md, "Settlement").
public struct SettlementRecord: Sendable {
    public var period: Period
    public var version: Int
    public var seq: Int64
    public var reports: [ReportRecord]
    public var payouts: [Payout]
    public var goalOutcomes: [GoalOutcome]
    /// The contract run state before this period was settled.
    public var runStateBefore: ContractRunState
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
    package var memberIndexByName: [String: Int] = [:]
    package var memberNameByKeyID: [String: String] = [:]
    /// Every key id ever registered (roster, rotations, and joiners from their proposal on); a key
    /// may never be registered twice.
    package var registeredKeyIDs: Set<String> = []
    var contractIndexByHash: [String: Int] = [:]

    // MARK: Contract lifecycle (SPEC.md, part 3)

    /// The period of the entry that completed consent to the genesis contract; nil before.
    public internal(set) var activationPeriod: Period?
    /// Reports for periods not settled yet, by period then metric name.
    public internal(set) var openReports: [Period: [String: ReportRecord]] = [:]
    /// The run state after the last settled period (history functions, once rules, goals, ratings).
    public internal(set) var runState = ContractRunState()
    /// Recent settlements, oldest first; at most `settlementWindow` are kept.
    public internal(set) var recentSettlements: [SettlementRecord] = []
    /// Total paid to each member over all settlements (minor units), by member name.
    public internal(set) var totalsPaid: [String: Int64] = [:]
    public internal(set) var settlementCount = 0
    /// Every dispute, in the order opened.
    public internal(set) var disputes: [DisputeRecord] = []

    public init() {}

    public var isActive: Bool { activationPeriod != nil }
    public var lastSettledPeriod: Period? { runState.lastSettled }

    public var isEmpty: Bool { headSeq == 0 }

    public func member(named name: String) -> MemberRecord? {
        memberIndexByName[name].map { members[$0] }
    }

    /// The member whose *current* key has this id.
    public func memberName(forKeyID keyID: String) -> String? { memberNameByKeyID[keyID] }

    public func contract(withHash hash: String) -> ContractVersion? {
        contractIndexByHash[hash].map { contracts[$0] }
    }

    public var activeMembers: [MemberRecord] { members.filter(\.active) }

    /// How many members may ever be registered on one ledger (SPEC.md §1.5), so the state stays bounded.
    public static let maximumRegisteredMembers = 1000

    /// Members registered so far: the roster ever (active or not) and the joiners of every
    /// proposal that was not adopted (adopted joiners are on the roster).
    public var registeredMemberCount: Int {
        members.count + contracts.filter { $0.status != .adopted }.reduce(0) { $0 + $1.joiners.count }
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

    package mutating func addContract(_ version: ContractVersion) {
        contractIndexByHash[version.hash] = contracts.count
        contracts.append(version)
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
        assert(recentSettlements.count <= LedgerState.settlementWindow, "settlement window exceeded")
        #endif
    }
}
