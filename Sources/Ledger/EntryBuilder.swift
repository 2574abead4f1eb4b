import ContractLanguage
import LedgerCrypto

/// Builds and signs entries that extend a given state. Used by the CLI, the demo and tests.
public enum EntryBuilder {
    /// A member as listed on a roster.
    public struct RosterMember: Sendable {
        public var name: String
        public var role: String
        public var key: PublicKey

        public init(name: String, role: String, key: PublicKey) {
            self.name = name
            self.role = role
            self.key = key
        }

        var json: JSONValue {
            .object(["name": .string(name), "role": .string(role), "key": .string(Hex.encode(key.rawRepresentation))])
        }
    }

    /// The genesis entry. `nonce` (16 bytes) makes the ledger id unique; pass random bytes except in fixtures.
    public static func genesis(contract: String, members: [RosterMember], founder: any EntrySigner,
                               time: Timestamp, nonce: [UInt8]) throws -> Entry {
        let body = JSONValue.object([
            "contract": .string(contract),
            "contract_hash": .string(Entry.contractHash(contract)),
            "members": .array(members.map(\.json)),
            "nonce": .string(Hex.encode(nonce)),
        ])
        var entry = Entry(ledgerID: Entry.ledgerID(genesisBody: body), seq: 1, previousHash: Entry.zeroHash,
                          kind: GenesisKind.name, time: time, body: body)
        try entry.sign(with: founder)
        return entry
    }

    /// An entry that follows `state`'s head, signed by `signers` in order.
    public static func next(after state: LedgerState, kind: String, body: [String: JSONValue],
                            time: Timestamp, signers: [any EntrySigner]) throws -> Entry {
        var entry = Entry(ledgerID: state.ledgerID, seq: state.headSeq + 1, previousHash: state.headHash,
                          kind: kind, time: time, body: .object(body))
        for signer in signers { try entry.sign(with: signer) }
        return entry
    }

    /// Writers always bind the rendering of the accepted version (SPEC §3.2); `bindRendering: false`
    /// writes the older form without it, which stays valid (the golden ledgers of Fixtures use it).
    public static func accept(after state: LedgerState, contractHash: String, time: Timestamp, key: any EntrySigner,
                              bindRendering: Bool = true) throws -> Entry {
        var body: [String: JSONValue] = ["contract_hash": .string(contractHash)]
        if bindRendering, let version = state.contract(withHash: contractHash) {
            body[RenderingBinding.field] = .string(version.renderingHash)
        }
        return try next(after: state, kind: AcceptKind.name, body: body, time: time, signers: [key])
    }

    public static func rotateKey(after state: LedgerState, member: String, oldKey: any EntrySigner, newKey: any EntrySigner,
                                 time: Timestamp) throws -> Entry {
        try next(after: state, kind: RotateKeyKind.name,
                 body: ["member": .string(member), "new_key": .string(Hex.encode(newKey.publicKey.rawRepresentation))],
                 time: time, signers: [oldKey, newKey])
    }

    public static func report(after state: LedgerState, period: Period, metric: String, value: String,
                              time: Timestamp, key: any EntrySigner) throws -> Entry {
        try next(after: state, kind: ReportKind.name,
                 body: ["period": .string(period.description), "metric": .string(metric), "value": .string(value)],
                 time: time, signers: [key])
    }

    public static func propose(after state: LedgerState, contract: String, effective: Period, reason: String,
                               joiners: [RosterMember], time: Timestamp, key: any EntrySigner, bindRendering: Bool = true) throws -> Entry {
        var body: [String: JSONValue] = [
            "contract": .string(contract), "contract_hash": .string(Entry.contractHash(contract)),
            "effective": .string(effective.description), "reason": .string(reason), "joiners": .array(joiners.map(\.json)),
        ]
        // A text that does not check gets no rendering; the state machine then names its errors.
        if bindRendering, let checked = checkContract(source: contract).contract {
            body[RenderingBinding.field] = .string(RenderingBinding.hash(of: checked))
        }
        return try next(after: state, kind: ProposeKind.name, body: body, time: time, signers: [key])
    }

    public static func vote(after state: LedgerState, proposal: Int64, approve: Bool, time: Timestamp, key: any EntrySigner) throws -> Entry {
        try next(after: state, kind: VoteKind.name, body: ["proposal": .integer(proposal), "approve": .bool(approve)],
                 time: time, signers: [key])
    }

    public static func withdraw(after state: LedgerState, proposal: Int64, time: Timestamp, key: any EntrySigner) throws -> Entry {
        try next(after: state, kind: WithdrawKind.name, body: ["proposal": .integer(proposal)], time: time, signers: [key])
    }

    /// The settle entry for `period`, computed from the state exactly as the verifier will recompute it.
    public static func settle(after state: LedgerState, period: Period, time: Timestamp, key: any EntrySigner) throws -> Entry {
        try settle(after: state, computed: try state.computeSettlement(of: period), time: time, key: key)
    }

    /// The settle entry carrying `computed`, a settlement `state.computeSettlement` just returned.
    public static func settle(after state: LedgerState, computed: LedgerState.ComputedSettlement, time: Timestamp,
                              key: any EntrySigner) throws -> Entry {
        var entry = Entry(ledgerID: state.ledgerID, seq: state.headSeq + 1, previousHash: state.headHash,
                          kind: SettleKind.name, time: time, storedBody: .canonical(computed.bodyBytes), signatures: [])
        try entry.sign(with: key)
        return entry
    }

    public static func dispute(after state: LedgerState, period: Period, corrections: [(metric: String, value: String)],
                               reason: String, time: Timestamp, key: any EntrySigner) throws -> Entry {
        let items: [JSONValue] = corrections.map { .object(["metric": .string($0.metric), "value": .string($0.value)]) }
        return try next(after: state, kind: DisputeKind.name,
                        body: ["period": .string(period.description), "corrections": .array(items), "reason": .string(reason)],
                        time: time, signers: [key])
    }

    /// The adjustment entry of an adopted dispute, computed exactly as the verifier will recompute it.
    public static func adjust(after state: LedgerState, dispute: Int64, time: Timestamp, key: any EntrySigner) throws -> Entry {
        try adjust(after: state, computed: try state.computeAdjustment(for: dispute), time: time, key: key)
    }

    /// The adjustment entry carrying `computed`, which `state.computeAdjustment` just returned.
    public static func adjust(after state: LedgerState, computed: LedgerState.ComputedAdjustment, time: Timestamp,
                              key: any EntrySigner) throws -> Entry {
        guard case .object(let body) = computed.body else { preconditionFailure("adjustment body is an object") }
        return try next(after: state, kind: AdjustKind.name, body: body, time: time, signers: [key])
    }
}
