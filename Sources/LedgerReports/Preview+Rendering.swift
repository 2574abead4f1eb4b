import ContractLanguage
import Ledger

extension Preview {
    func money(_ minor: Int64) -> String { formatMinorUnits(minor, currency: currency) }
    func signed(_ minor: Int64) -> String { (minor > 0 ? "+" : "") + money(minor) }

    public var heading: String {
        "proposal \(proposal.introducedAt) (contract version \(proposal.number), \(proposal.status.rawValue), hash \(proposal.hash.prefix(16)), effective \(proposal.effective.map(\.description) ?? "?"))"
    }

    /// Rows of one table: period, member, paid, would have been paid, difference; then the totals.
    public var tableRows: [[String]] {
        var rows = [["period", "member", "paid", "would have been paid", "difference"]]
        for period in periods {
            for row in period.rows {
                rows.append([period.period.description, row.member, money(row.paidMinor), period.error == nil ? money(row.wouldBeMinor) : "—",
                             period.error == nil ? signed(row.differenceMinor) : "—"])
            }
        }
        for row in totals + [total] {
            rows.append(["total", row.member, money(row.paidMinor), money(row.wouldBeMinor), signed(row.differenceMinor)])
        }
        return rows
    }

    public var text: String {
        var out = "preview of \(heading)\n"
        out += "the last \(periods.count) settled period\(periods.count == 1 ? "" : "s") under the proposed contract, from the same reports and run state; nothing is written\n"
        let rows = tableRows
        var widths = [Int](repeating: 0, count: 5)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        for (number, row) in rows.enumerated() {
            if number == rows.count - totals.count - 1 { out += "\n" }
            let cells = row.enumerated().map { index, cell in index < 2 ? cell.padded(widths[index]) : cell.leftPadded(widths[index]) }
            out += cells.joined(separator: "  ").trailingSpacesTrimmed + "\n"
        }
        for period in periods {
            if let error = period.error { out += "\(period.period): the proposed contract cannot settle it: \(error)\n" }
        }
        return out
    }

    public var json: JSONValue {
        func row(_ row: Row) -> JSONValue {
            .object(["member": .string(row.member), "paid": .string(money(row.paidMinor)),
                     "would_be": .string(money(row.wouldBeMinor)), "difference": .string(money(row.differenceMinor))])
        }
        return .object([
            "proposal": .integer(proposal.introducedAt), "version": .integer(Int64(proposal.number)),
            "status": .string(proposal.status.rawValue), "contract_hash": .string(proposal.hash),
            "effective": proposal.effective.map { .string($0.description) } ?? .null, "currency": .string(currency.code),
            "periods": .array(periods.map { period in
                var fields: [String: JSONValue] = ["period": .string(period.period.description), "settled_version": .integer(Int64(period.settledVersion)),
                                                   "members": .array(period.rows.map(row))]
                fields["error"] = period.error.map { .string($0) } ?? .null
                return .object(fields)
            }),
            "totals": .array(totals.map(row)), "total": row(total),
        ])
    }
}

extension String {
    var trailingSpacesTrimmed: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
