import ContractLanguage
import Ledger

/// `emc page`: a static site about one EMC — no network, no scripts. Pure: it returns the files
/// (name and text); the command decides where they may be written.
public struct LedgerPage: Sendable {
    public var state: LedgerState
    public var histories: [PeriodHistory]
    public var audit: AuditExport.Export
    /// The latest checkpoint as written in a file (name, text), shown as read.
    public var checkpoint: (name: String, text: String)?

    public init(state: LedgerState, histories: [PeriodHistory], audit: AuditExport.Export, checkpoint: (name: String, text: String)?) {
        self.state = state
        self.histories = histories
        self.audit = audit
        self.checkpoint = checkpoint
    }

    public static let indexFile = "index.html"
    public static let csvFile = "audit.csv"
    public static let beancountFile = "audit.beancount"

    /// Every file of the site, in writing order.
    public func files() throws(LedgerError) -> [(name: String, text: String)] {
        [(Self.indexFile, try index()), (Self.csvFile, AuditExport.csv(audit)), (Self.beancountFile, AuditExport.beancount(audit))]
    }

    var inForce: ContractVersion { StatusReport.versionInForce(state) }
    var currency: Currency { inForce.contract.currency }
    func money(_ minor: Int64) -> String { formatMinorUnits(minor, currency: currency) }

    /// The members the page lists: the roster, then anyone else the audit paid.
    var memberNames: [String] {
        var names = state.members.map(\.name)
        for row in audit.rows where !names.contains(row.member) { names.append(row.member) }
        return names
    }

    func index() throws(LedgerError) -> String {
        let name = inForce.contract.name
        var body = "<h1>\(HTML.escape(name))</h1>\n"
        body += "<p class=\"muted\">Ledger <span class=\"hash\">\(state.ledgerID)</span>, \(state.headSeq) entries, head <span class=\"hash\">\(state.headHash)</span>. "
        body += "Written by <code>emc page</code> from a verified ledger; amounts in \(HTML.escape(currency.code)).</p>\n"
        body += "<nav><a href=\"#glance\">At a glance</a><a href=\"#payouts\">Payouts</a><a href=\"#periods\">Periods</a>"
        body += "<a href=\"#contract\">Contract</a><a href=\"#proposals\">Proposals</a><a href=\"#files\">Files</a></nav>\n"
        body += try glance()
        body += try payouts()
        body += try periods()
        body += versions()
        body += try proposals()
        body += checkpointSection()
        body += "<h2 id=\"files\">Files</h2>\n<ul>\n<li><a href=\"\(Self.csvFile)\">\(Self.csvFile)</a> — every payout and adjustment (<code>emc audit</code>)</li>\n"
        body += "<li><a href=\"\(Self.beancountFile)\">\(Self.beancountFile)</a> — the same as a Beancount ledger</li>\n</ul>\n"
        return HTML.document(title: name, body: body)
    }

    func glance() throws(LedgerError) -> String {
        let contract = inForce.contract
        var rows = [["member", "name", "role", "share", "rating", "status", "total paid (\(currency.code))"]]
        for member in state.members {
            let declared = contract.members.first { $0.name == member.name }
            let share = contract.shareBasisPoints(of: member.name).map { StatusReport.percentText(basisPoints: $0) + "%" } ?? "—"
            let rating = declared.map { "\(state.runState.rating(of: $0)) of 5" } ?? "—"
            rows.append([member.name, declared?.displayName ?? "", member.role, share, rating, member.active ? "active" : "former member",
                         money(state.totalsPaid[member.name] ?? 0)])
        }
        var all: Int64 = 0
        for member in state.members { all = try checkedSum(all, state.totalsPaid[member.name] ?? 0, what: "all members' totals") }
        rows.append(["total", "", "", "", "", "", money(all)])
        var out = "<h2 id=\"glance\">At a glance</h2>\n"
        out += "<p>Contract version \(inForce.number) is in force (hash <span class=\"hash\">\(inForce.hash.prefix(16))</span>)"
        out += state.activationPeriod.map { ", active since \($0)" } ?? ", not active yet"
        out += state.lastSettledPeriod.map { "; last settled period \($0), \(state.settlementCount) settlements." } ?? "; nothing settled yet."
        out += "</p>\n"
        let waiting = StatusReport.notAccepted(state)
        if !waiting.isEmpty { out += "<p>Not accepted yet: \(HTML.escape(waiting.joined(separator: ", "))).</p>\n" }
        return out + HTML.table(rows, numeric: [6], caption: "Members, shares, ratings and totals paid")
    }

    /// Paid per member and period, from the audit rows (payouts in effect, adjustments included).
    func paidByPeriod() throws(LedgerError) -> (periods: [Period], amounts: [String: [Period: Int64]]) {
        var amounts: [String: [Period: Int64]] = [:]
        var periods: [Period] = []
        for row in audit.rows {
            if !periods.contains(row.period) { periods.append(row.period) }
            let before = amounts[row.member]?[row.period] ?? 0
            amounts[row.member, default: [:]][row.period] = try checkedSum(before, row.amountMinor, what: "\(row.member)'s payouts in \(row.period)")
        }
        return (periods.sorted(), amounts)
    }

    func payouts() throws(LedgerError) -> String {
        let (periods, amounts) = try paidByPeriod()
        var out = "<h2 id=\"payouts\">Payouts per member and period</h2>\n"
        guard !periods.isEmpty else { return out + "<p>Nothing has been paid yet.</p>\n" }
        var rows = [["member"] + periods.map(\.description) + ["total"]]
        var series: [(String, [Int64])] = []
        for name in memberNames {
            var total: Int64 = 0, cumulative: [Int64] = []
            var row = [name]
            for period in periods {
                let amount = amounts[name]?[period] ?? 0
                total = try checkedSum(total, amount, what: "\(name)'s payouts")
                cumulative.append(total)
                row.append(money(amount))
            }
            rows.append(row + [money(total)])
            series.append((name, cumulative))
        }
        out += HTML.table(rows, numeric: Set(1...periods.count + 1), caption: "Paid in \(currency.code), adjustments included")
        out += "<h3>Cumulative payouts</h3>\n" + SVGChart.cumulative(series: series, periods: periods, currency: currency)
        return out
    }

    func periods() throws(LedgerError) -> String {
        var out = "<h2 id=\"periods\">Each period explained</h2>\n"
        if histories.isEmpty { out += "<p>No period has been settled yet.</p>\n" }
        for history in histories.reversed() {
            var payouts: Int64 = 0
            for payout in history.currentPayouts { payouts = try checkedSum(payouts, payout.amountMinor, what: "the payouts of \(history.period)") }
            out += "<details><summary>\(history.period): \(money(payouts)) \(HTML.escape(currency.code)) paid"
            out += history.adjustments.isEmpty ? "" : " (adjusted)"
            out += "</summary>\n<pre>\(HTML.escape(ExplainReport.text(history, member: nil)))</pre>\n</details>\n"
        }
        return out
    }

    func versions() -> String {
        var out = "<h2 id=\"contract\">The contract, version by version</h2>\n"
        for (index, version) in state.contracts.enumerated().reversed() {
            out += "<section>\n<h3>Version \(version.number) — \(HTML.escape(version.status.rawValue))"
            out += version.effective.map { ", effective \($0)" } ?? ""
            out += "</h3>\n"
            if version.status != .genesis {
                out += "<p>Proposed by \(HTML.escape(version.proposer)) at entry \(version.introducedAt): \(HTML.escape(version.reason))</p>\n"
            }
            out += "<details\(version.number == inForce.number ? " open" : "")><summary>In plain language</summary>\n"
            out += ContractView(version).fragment(headingLevel: 4) + "</details>\n"
            if index > 0 {
                let previous = state.contracts[index - 1]
                let changes = ContractDiff.changes(from: previous.contract, to: version.contract)
                out += "<details><summary>Changes from version \(previous.number)</summary>\n"
                out += "<pre>\(HTML.escape(ContractDiff.text(changes, from: previous, to: version)))</pre>\n</details>\n"
            }
            out += "</section>\n"
        }
        return out
    }

    func proposals() throws(LedgerError) -> String {
        var out = "<h2 id=\"proposals\">Pending proposals</h2>\n"
        let pending = state.contracts.filter { $0.status == .pending }
        if pending.isEmpty { return out + "<p>No proposal is waiting for votes.</p>\n" }
        for version in pending {
            let votes = version.votes.map { "\($0.member) \($0.approve ? "approves" : "rejects")" }.joined(separator: ", ")
            out += "<h3>Proposal \(version.introducedAt) (version \(version.number))</h3>\n<p>\(HTML.escape(version.reason)). Votes so far: \(HTML.escape(votes)).</p>\n"
            if state.recentSettlements.isEmpty {
                out += "<p>Nothing settled yet, so there is nothing to preview.</p>\n"
            } else {
                let preview = try Preview.compute(state: state, proposal: version.introducedAt, periods: 12)
                out += HTML.table(preview.tableRows, numeric: [2, 3, 4], caption: "Had it governed the last \(preview.periods.count) settled periods (\(currency.code))")
                for period in preview.periods {
                    if let error = period.error { out += "<p>\(period.period): it cannot settle this period: \(HTML.escape(error))</p>\n" }
                }
            }
        }
        return out
    }

    func checkpointSection() -> String {
        guard let checkpoint else { return "" }
        let lines = checkpoint.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // A signed note (SPEC Part 4): body lines, an empty line, then "— NAME SIGNATURE" lines.
        let signers = lines.filter { $0.hasPrefix("\u{2014} ") }.compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) }
        var out = "<h2 id=\"checkpoint\">Latest checkpoint</h2>\n"
        out += "<p>As read from <code>\(HTML.escape(checkpoint.name))</code> (shown, not verified here). Signed by: "
        out += signers.isEmpty ? "nobody" : HTML.escape(signers.joined(separator: ", "))
        out += ".</p>\n<pre>\(HTML.escape(checkpoint.text))</pre>\n"
        return out
    }
}
