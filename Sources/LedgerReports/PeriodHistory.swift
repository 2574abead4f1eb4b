import Ledger
import ContractLanguage

/// Everything the log says about one settled period: the settlement and every adjustment of it,
/// each recomputed from the state just before its entry (SPEC.md §3.8).
public struct PeriodHistory: Sendable {
    public struct Settled: Sendable {
        public var seq: Int64
        public var hash: String
        public var signer: String
        public var computed: LedgerState.ComputedSettlement
        /// How the version came to govern: genesis, or the proposal and the entry that adopted it.
        public var version: ContractVersion
        /// The contract run state just before the period was settled.
        public var runStateBefore: ContractRunState
    }

    public struct Adjusted: Sendable {
        public var seq: Int64
        public var hash: String
        public var signer: String
        public var dispute: DisputeRecord
        public var period: LedgerState.AdjustedPeriod
    }

    public var period: Period
    public var currency: Currency
    public var settlement: Settled?
    public var adjustments: [Adjusted] = []

    /// The payouts in effect now: those of the last adjustment, else of the settlement.
    public var currentPayouts: [Payout] {
        adjustments.last?.period.settlement.payouts ?? settlement?.computed.settlement.payouts ?? []
    }

    /// Reads the ledger (verifying it) and collects the history of `period`.
    public static func read(source: some LedgerReplaying, period: Period) throws(LedgerError) -> PeriodHistory {
        guard let history = try collect(source: source, period: period).history else {
            throw LedgerError(.usage, "period \(period) has not been settled on this ledger", file: source.name)
        }
        return history
    }

    /// One verifying read of the ledger: the history of `period` (nil when it was never settled)
    /// and the state at the head.
    public static func collect(source: some LedgerReplaying, period: Period) throws(LedgerError) -> (history: PeriodHistory?, state: LedgerState) {
        var history: PeriodHistory? = nil
        var failure: LedgerError? = nil
        let state = try source.replay(willApply: { decoded, state in
            guard failure == nil else { return }
            let entry = decoded.entry
            let signer = EntrySummary.signer(of: entry, in: state)
            do throws(LedgerError) {
                if entry.kind == SettleKind.name, case .object(let body) = entry.body, body["period"] == .string(period.description) {
                    let computed = try state.computeSettlement(of: period)
                    history = PeriodHistory(period: period, currency: computed.version.contract.currency)
                    history?.settlement = Settled(seq: entry.seq, hash: decoded.hash, signer: signer, computed: computed,
                                                  version: computed.version, runStateBefore: state.runState)
                } else if entry.kind == AdjustKind.name, history != nil, case .object(let body) = entry.body,
                          case .integer(let disputeSeq)? = body["dispute"] {
                    let computed = try state.computeAdjustment(for: disputeSeq)
                    if let adjusted = computed.periods.first(where: { $0.record.period == period }) {
                        history?.adjustments.append(Adjusted(seq: entry.seq, hash: decoded.hash, signer: signer,
                                                             dispute: computed.dispute, period: adjusted))
                    }
                }
            } catch {
                failure = error
            }
        })
        if let failure { throw failure }
        return (history, state)
    }

    /// One verifying read of the ledger: the history of every settled period, in period order, and
    /// the state at the head (what `emc page` explains).
    public static func collectAll(source: some LedgerReplaying) throws(LedgerError) -> (histories: [PeriodHistory], state: LedgerState) {
        var histories: [Period: PeriodHistory] = [:]
        var failure: LedgerError? = nil
        let state = try source.replay(willApply: { decoded, state in
            guard failure == nil else { return }
            let entry = decoded.entry
            do throws(LedgerError) {
                if entry.kind == SettleKind.name, case .object(let body) = entry.body, case .string(let text)? = body["period"],
                   let period = Period(text) {
                    let computed = try state.computeSettlement(of: period)
                    var history = PeriodHistory(period: period, currency: computed.version.contract.currency)
                    history.settlement = Settled(seq: entry.seq, hash: decoded.hash, signer: EntrySummary.signer(of: entry, in: state),
                                                 computed: computed, version: computed.version, runStateBefore: state.runState)
                    histories[period] = history
                } else if entry.kind == AdjustKind.name, case .object(let body) = entry.body, case .integer(let disputeSeq)? = body["dispute"] {
                    let computed = try state.computeAdjustment(for: disputeSeq)
                    let signer = EntrySummary.signer(of: entry, in: state)
                    for adjusted in computed.periods {
                        histories[adjusted.record.period]?.adjustments.append(
                            Adjusted(seq: entry.seq, hash: decoded.hash, signer: signer, dispute: computed.dispute, period: adjusted))
                    }
                }
            } catch {
                failure = error
            }
        })
        if let failure { throw failure }
        return (histories.values.sorted { $0.period < $1.period }, state)
    }
}
