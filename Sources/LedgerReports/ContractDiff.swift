import Ledger
import ContractLanguage

/// What an amendment changed, declaration by declaration (members, shares, metrics, definitions,
/// goals, rules), compared on the canonical formatting of both versions.
public enum ContractDiff {
    public struct Change: Sendable {
        public enum Kind: String, Sendable { case added, removed, changed }
        public var section: String
        public var name: String
        public var kind: Kind
        public var from: String?
        public var to: String?
    }

    static let sections = ["contract", "currency", "settlement", "member", "share", "metric", "define", "goal", "rule"]

    /// Declarations keyed by their first two words ("rule bonus", "share yu"), in order.
    static func declarations(_ contract: Contract) -> [(key: String, section: String, name: String, text: String)] {
        var result: [(key: String, section: String, name: String, text: String)] = []
        for line in contract.formatted().split(separator: "\n", omittingEmptySubsequences: false) {
            let text = String(line)
            if text.hasPrefix(" ") || text.hasPrefix("\t") {
                if !result.isEmpty { result[result.count - 1].text += "\n" + text }
                continue
            }
            if text.isEmpty || text.hasPrefix("#") { continue }
            let words = text.split(separator: " ", maxSplits: 2).map(String.init)
            let section = words[0]
            let name = sections.prefix(3).contains(section) ? section : (words.count > 1 ? words[1] : "")
            result.append((section + " " + name, section, name, text))
        }
        return result
    }

    public static func changes(from old: Contract, to new: Contract) -> [Change] {
        let before = declarations(old), after = declarations(new)
        let beforeByKey = Dictionary(before.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let afterByKey = Dictionary(after.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [Change] = []
        for section in sections {
            for item in before where item.section == section {
                if let now = afterByKey[item.key] {
                    if now.text != item.text { changes.append(Change(section: section, name: item.name, kind: .changed, from: item.text, to: now.text)) }
                } else {
                    changes.append(Change(section: section, name: item.name, kind: .removed, from: item.text, to: nil))
                }
            }
            for item in after where item.section == section && beforeByKey[item.key] == nil {
                changes.append(Change(section: section, name: item.name, kind: .added, from: nil, to: item.text))
            }
        }
        return changes
    }

    public static func text(_ changes: [Change], from: ContractVersion, to: ContractVersion) -> String {
        var out = "contract version \(from.number) (\(from.hash.prefix(16))…, \(from.status.rawValue)) -> version \(to.number) (\(to.hash.prefix(16))…, \(to.status.rawValue))\n"
        if to.status != .genesis {
            out += "proposed by \(to.proposer) at entry \(to.introducedAt), effective \(to.effective.map(\.description) ?? "?"): \(to.reason)\n"
        }
        if changes.isEmpty {
            // Every declaration is the same, yet the texts may still order them differently (SPEC §3.4).
            let reordered = !sameTokens(from.text, to.text)
            return out + (reordered ? "no declaration changed; only their order differs\n" : "no differences\n")
        }
        for change in changes {
            switch change.kind {
            case .added: out += "+ \(change.section) \(change.name) added\n" + indent(change.to!, "    + ")
            case .removed: out += "- \(change.section) \(change.name) removed\n" + indent(change.from!, "    - ")
            case .changed:
                if !change.from!.contains("\n") && !change.to!.contains("\n") {
                    out += "~ \(change.section) \(change.name): \(change.from!)  ->  \(change.to!)\n"
                } else {
                    out += "~ \(change.section) \(change.name) changed\n"
                    let old = change.from!.split(separator: "\n").map(String.init), new = change.to!.split(separator: "\n").map(String.init)
                    for line in old where !new.contains(line) { out += "    - \(line.trimmingLeadingSpaces)\n" }
                    for line in new where !old.contains(line) { out += "    + \(line.trimmingLeadingSpaces)\n" }
                }
            }
        }
        return out
    }

    static func indent(_ text: String, _ prefix: String) -> String {
        text.split(separator: "\n").map { prefix + String($0).trimmingLeadingSpaces + "\n" }.joined()
    }

    public static func json(_ changes: [Change], from: ContractVersion, to: ContractVersion) -> JSONValue {
        .object(["from": .integer(Int64(from.number)), "to": .integer(Int64(to.number)),
                 "from_hash": .string(from.hash), "to_hash": .string(to.hash),
                 "changes": .array(changes.map { change in
                     .object(["section": .string(change.section), "name": .string(change.name), "change": .string(change.kind.rawValue),
                              "from": change.from.map { .string($0) } ?? .null, "to": change.to.map { .string($0) } ?? .null])
                 })])
    }
}

extension String {
    var trimmingLeadingSpaces: String { String(drop { $0 == " " }) }
}
