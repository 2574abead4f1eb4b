import ContractLanguage
import Ledger

/// What-if simulations (SPEC §3.8): the payouts of one period had some reports been different,
/// side by side with what was (or would be) settled. Nothing is written.
public enum WhatIf {
    /// What the what-if starts from: the version, the reports and the run state of the period.
    public struct Basis: Sendable {
        public var label: String
        public var contract: Contract
        public var versionNumber: Int?
        public var metrics: [String: Value]
        public var runState: ContractRunState
        /// The payouts in effect (nil for an open period with missing reports).
        public var payouts: [Payout]?

        public init(label: String, contract: Contract, versionNumber: Int?, metrics: [String: Value],
                    runState: ContractRunState, payouts: [Payout]?) {
            self.label = label
            self.contract = contract
            self.versionNumber = versionNumber
            self.metrics = metrics
            self.runState = runState
            self.payouts = payouts
        }
    }

    /// The result: per member what was paid and what would have been, and the changes made.
    public struct Comparison: Sendable {
        public var basis: Basis
        public var changes: [(metric: String, from: String, to: String)]
        public var whatIf: PeriodSettlement
        /// Sums per member in minor units; `before` is nil when nothing was settled.
        public var before: [String: Int64]?
        public var after: [String: Int64]
    }

    /// The basis of `period` on a ledger: its settlement (with the latest adjustment) when settled,
    /// else the open reports and the current run state.
    public static func basis(source: some LedgerReplaying, period: Period) throws(LedgerError) -> Basis {
        let (found, state) = try PeriodHistory.collect(source: source, period: period)
        if let last = state.lastSettledPeriod, period <= last {
            guard let history = found, let settled = history.settlement else {
                throw LedgerError(.usage, "period \(period) has not been settled on this ledger", file: source.name)
            }
            var label = "settled at entry \(settled.seq)"
            var reports = settled.computed.reports
            var runState = settled.runStateBefore
            if let adjusted = history.adjustments.last {
                label += ", adjusted at entry \(adjusted.seq)"
                reports = adjusted.period.record.reports
                runState = adjusted.period.record.runStateBefore
            }
            var metrics: [String: Value] = [:]
            for report in reports { metrics[report.metric] = report.value }
            return Basis(label: label, contract: settled.computed.version.contract, versionNumber: settled.computed.version.number,
                         metrics: metrics, runState: runState, payouts: history.currentPayouts)
        }
        let version = state.governingVersion(for: period)
        let reports = state.openReports[period] ?? [:]
        let settled = try? state.computeSettlement(of: period)
        return Basis(label: settled == nil ? "not settled yet" : "not settled yet; as reported so far",
                     contract: version.contract, versionNumber: version.number,
                     metrics: reports.mapValues(\.value), runState: state.runState, payouts: settled?.settlement.payouts)
    }

    /// Settles `period` from `basis` with `overrides` replacing reports. Every sum is checked.
    public static func compare(_ basis: Basis, period: Period, overrides: [(metric: String, value: String)]) throws(LedgerError) -> Comparison {
        let contract = basis.contract
        let currency = contract.currency
        var metrics = basis.metrics
        var changes: [(metric: String, from: String, to: String)] = []
        for (name, text) in overrides {
            guard let declared = contract.metrics.first(where: { $0.name == name }) else {
                throw LedgerError(.rejected, "--set \(name): the contract for \(period) has no metric \"\(name)\"")
            }
            guard let value = declared.type.parseValue(text, currency: currency) else {
                throw LedgerError(.rejected, "--set \(name)=\(text): not a \(declared.type.rawValue) value")
            }
            changes.append((name, metrics[name].map { $0.canonicalText(currency: currency) } ?? "(not reported)", value.canonicalText(currency: currency)))
            metrics[name] = value
        }
        let whatIf: PeriodSettlement
        do {
            whatIf = try ContractLanguage.settle(contract: contract, period: period, metrics: metrics, state: basis.runState)
        } catch {
            throw LedgerError(.rejected, "what-if for \(period): \(error.description)")
        }
        let before = try basis.payouts.map { payouts throws(LedgerError) in try sumsByMember(payouts) }
        return Comparison(basis: basis, changes: changes, whatIf: whatIf, before: before, after: try sumsByMember(whatIf.payouts))
    }

    /// Payouts summed per member, checked (the state machine's own checked adder).
    public static func sumsByMember(_ payouts: [Payout]) throws(LedgerError) -> [String: Int64] {
        try LedgerState.adding(payouts.map { ($0.member, $0.amountMinor) }, to: [:], what: "payouts")
    }
}

/// `a + b`, or an error naming `what` when the sum does not fit 64 bits.
public func checkedSum(_ a: Int64, _ b: Int64, what: String) throws(LedgerError) -> Int64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    guard !overflow else { throw LedgerError(.rejected, "the sum of \(what) does not fit 64 bits") }
    return sum
}

/// `a - b`, or an error naming `what` when the difference does not fit 64 bits.
public func checkedDifference(_ a: Int64, _ b: Int64, what: String) throws(LedgerError) -> Int64 {
    let (difference, overflow) = a.subtractingReportingOverflow(b)
    guard !overflow else { throw LedgerError(.rejected, "\(what) does not fit 64 bits") }
    return difference
}
