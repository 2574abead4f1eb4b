import ContractLanguage
import Ledger

/// `emc preview`: what a proposed contract version would have paid over the last settled periods,
/// had it governed them — the same reports, the same run state to start from — beside what was
/// paid. Nothing is written.
public struct Preview: Sendable {
    public struct Row: Sendable {
        public var member: String
        public var paidMinor: Int64
        public var wouldBeMinor: Int64
        public var differenceMinor: Int64
    }

    public struct PeriodRow: Sendable {
        public var period: Period
        /// The version that settled the period.
        public var settledVersion: Int
        /// Every member paid in either column, in `Preview.members` order.
        public var rows: [Row]
        /// Why the proposed version could not settle the period (then `rows` hold only what was paid).
        public var error: String?
    }

    public var proposal: ContractVersion
    public var currency: Currency
    /// The roster then the proposal's new members, in order.
    public var members: [String]
    public var periods: [PeriodRow]
    public var totals: [Row]
    public var total: Row

    /// Settles the last `periods` settled periods (at most the 12 the state keeps) under proposal
    /// `seq`'s contract: from the run state before the first of them, threaded through; a period
    /// the proposal cannot settle (a metric it reads was not reported) shows the reason, and the next
    /// one starts again from the ledger's own run state.
    public static func compute(state: LedgerState, proposal seq: Int64, periods count: Int) throws(LedgerError) -> Preview {
        guard let proposal = state.contracts.first(where: { $0.introducedAt == seq && $0.number > 1 }) else {
            throw LedgerError(.usage, "entry \(seq) is not a proposal; `emc status` lists the versions and their entries")
        }
        guard count >= 1 else { throw LedgerError(.usage, "--periods must be 1 or more") }
        let contract = proposal.contract
        let records = Array(state.recentSettlements.suffix(count))
        var members = state.members.map(\.name)
        for member in contract.members where !members.contains(member.name) { members.append(member.name) }
        var periods: [PeriodRow] = []
        var runState: ContractRunState? = nil
        for record in records {
            let paid = try WhatIf.sumsByMember(record.payouts)
            var wouldBe: [String: Int64] = [:]
            var error: String? = nil
            switch settle(contract, record: record, from: runState ?? record.runStateBefore) {
            case .success(let settlement):
                wouldBe = try WhatIf.sumsByMember(settlement.payouts)
                runState = settlement.nextState
            case .failure(let reason):
                error = reason.description
                runState = nil
            }
            for name in Set(paid.keys).union(wouldBe.keys).sorted() where !members.contains(name) { members.append(name) }
            var rows: [Row] = []
            for name in members {
                let before = paid[name] ?? 0, after = wouldBe[name] ?? 0
                guard before != 0 || after != 0 else { continue }
                rows.append(Row(member: name, paidMinor: before, wouldBeMinor: after,
                                differenceMinor: try checkedDifference(after, before, what: "\(name)'s difference in \(record.period)")))
            }
            periods.append(PeriodRow(period: record.period, settledVersion: record.version, rows: rows, error: error))
        }
        return try totalled(Preview(proposal: proposal, currency: contract.currency, members: members, periods: periods,
                                    totals: [], total: Row(member: "total", paidMinor: 0, wouldBeMinor: 0, differenceMinor: 0)))
    }

    /// The proposed contract settling `record`'s period with the reports it used (those the
    /// proposal declares with the same type).
    static func settle(_ contract: Contract, record: SettlementRecord, from runState: ContractRunState) -> Result<PeriodSettlement, EvaluationError> {
        var metrics: [String: Value] = [:]
        for report in record.reports {
            if let declared = contract.metrics.first(where: { $0.name == report.metric }), declared.type == report.value.type {
                metrics[report.metric] = report.value
            }
        }
        do {
            return .success(try ContractLanguage.settle(contract: contract, period: record.period, metrics: metrics, state: runState))
        } catch {
            return .failure(error)
        }
    }

    /// Adds the per-member and grand totals, every sum checked.
    static func totalled(_ preview: Preview) throws(LedgerError) -> Preview {
        var result = preview
        var sums: [String: (paid: Int64, wouldBe: Int64)] = [:]
        for period in preview.periods {
            for row in period.rows {
                let sum = sums[row.member] ?? (0, 0)
                sums[row.member] = (try checkedSum(sum.paid, row.paidMinor, what: "\(row.member)'s payouts"),
                                    try checkedSum(sum.wouldBe, row.wouldBeMinor, what: "\(row.member)'s previewed payouts"))
            }
        }
        var paid: Int64 = 0, wouldBe: Int64 = 0
        for name in preview.members {
            guard let sum = sums[name] else { continue }
            paid = try checkedSum(paid, sum.paid, what: "all payouts")
            wouldBe = try checkedSum(wouldBe, sum.wouldBe, what: "all previewed payouts")
            result.totals.append(Row(member: name, paidMinor: sum.paid, wouldBeMinor: sum.wouldBe,
                                     differenceMinor: try checkedDifference(sum.wouldBe, sum.paid, what: "\(name)'s total difference")))
        }
        result.total = Row(member: "total", paidMinor: paid, wouldBeMinor: wouldBe,
                           differenceMinor: try checkedDifference(wouldBe, paid, what: "the total difference"))
        return result
    }
}
