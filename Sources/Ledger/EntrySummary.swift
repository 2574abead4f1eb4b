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
        func string(_ key: String) -> String {
            if case .string(let text)? = body[key] { return text }
            return "?"
        }
        switch entry.kind {
        case GenesisKind.name:
            let count: Int
            if case .array(let members)? = body["members"] { count = members.count } else { count = 0 }
            return "ledger created: \(count) members, contract \(string("contract_hash").prefix(16))…"
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
        ""
    }
}
