import LedgerFormat

/// Who may create ledgers on this server (`--allow-create any|none|FILE`).
public enum CreatePolicy: Sendable, Equatable {
    case anyKey
    case noKey
    /// Only these emc key ids (SPEC §1.2).
    case keys(Set<String>)

    public func allows(keyID: String) -> Bool {
        switch self {
        case .anyKey: return true
        case .noKey: return false
        case .keys(let keys): return keys.contains(keyID)
        }
    }

    /// `any`, `none`, or a file of key ids, one per line (blank lines and `#` comments ignored).
    public static func parse(_ argument: String, readFile: (String) throws -> String) throws -> CreatePolicy {
        switch argument {
        case "any": return .anyKey
        case "none": return .noKey
        default:
            var keys: Set<String> = []
            for (number, raw) in try readFile(argument).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingCharacters(in: " \t\r")
                if line.isEmpty || line.hasPrefix("#") { continue }
                guard line.utf8.count == 16, line.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                    throw LedgerError(.usage, "line \(number + 1): not an emc key id (16 lowercase hex digits)", file: argument)
                }
                keys.insert(line)
            }
            return .keys(keys)
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var text = self
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
