import Ledger
/// One-line, human descriptions of entries for `emc log`.
public enum EntrySummary {
    /// The member who signed `entry` (its first signature), judged against the state before it.
    public static func signer(of entry: Entry, in state: LedgerState) -> String {
        guard let keyID = entry.signatures.first?.keyID else { return "?" }
        if let name = state.memberName(forKeyID: keyID) { return name }
        if entry.kind == GenesisKind.name, let body = try? GenesisKind.parse(entry.body),
           let founder = body.members.first(where: { $0.key.keyID == keyID }) {
            return founder.name
        }
        return "key:\(keyID)"
    }

    public static func text(of entry: Entry, in state: LedgerState) -> String {
        guard case .object(let body) = entry.body else { return "" }
        func string(_ key: String) -> String { field(key, of: body) }
        switch entry.kind {
        case GenesisKind.name:
            let count: Int
            if case .array(let members)? = body["members"] { count = members.count } else { count = 0 }
            return "ledger created: \(counted(count, "member")), contract \(string("contract_hash").prefix(16))…"
        case AcceptKind.name:
            let hash = string("contract_hash")
            let version = state.contract(withHash: hash).map { "version \($0.number)" } ?? "unknown version"
            return "accepts contract \(version) (\(hash.prefix(16))…)"
        case RotateKeyKind.name:
            return "\(string("member")) rotates to a new key"
        default:
            return summaryOfLifecycleEntry(kind: entry.kind, body: body, state: state)
        }
    }

    static func summaryOfLifecycleEntry(kind: String, body: [String: JSONValue], state: LedgerState) -> String {
        func string(_ key: String) -> String { field(key, of: body) }
        switch kind {
        case ReportKind.name:
            return "\(string("metric")) = \(string("value")) for \(string("period"))"
        case ProposeKind.name:
            return "proposes version \(state.contracts.count + 1), effective \(string("effective")): \(string("reason"))"
        case VoteKind.name:
            let approve: Bool
            if case .bool(let flag)? = body["approve"] { approve = flag } else { approve = false }
            // A vote names a proposal or a dispute by its entry number (SPEC §3.4, §3.7).
            var subject = "proposal"
            if case .integer(let seq)? = body["proposal"], state.dispute(at: seq) != nil { subject = "dispute" }
            return "\(approve ? "approves" : "rejects") \(subject) \(string("proposal"))"
        case WithdrawKind.name:
            return "withdraws proposal \(string("proposal"))"
        case DisputeKind.name:
            var metrics: [String] = []
            if case .array(let items)? = body["corrections"] {
                for case .object(let item) in items {
                    if case .string(let metric)? = item["metric"], case .string(let value)? = item["value"] { metrics.append("\(metric) = \(value)") }
                }
            }
            return "disputes \(string("period")): \(metrics.joined(separator: ", ")) (\(string("reason")))"
        case AdjustKind.name:
            var count = 0
            if case .array(let periods)? = body["periods"] { count = periods.count }
            return "adjusts dispute \(string("dispute")): \(counted(count, "period")) re-settled"
        case SettleKind.name:
            var count = 0
            if case .array(let payouts)? = body["payouts"] { count = payouts.count }
            return "settles \(string("period")) under version \(string("version")): \(counted(count, "payout"))"
        default:
            return ""
        }
    }

    /// "1 payout", "2 payouts".
    public static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// A string or integer field as text, "?" when absent.
    static func field(_ key: String, of body: [String: JSONValue]) -> String {
        if case .string(let text)? = body[key] { return text }
        if case .integer(let number)? = body[key] { return String(number) }
        return "?"
    }
}
