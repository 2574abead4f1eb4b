import ContractLanguage
import LedgerCrypto

extension LedgerState {
    /// The pending dispute, if any; at most one exists at a time.
    public var pendingDispute: DisputeRecord? { disputes.last { $0.status == .pending } }

    /// An adopted dispute whose adjustment has not been appended yet; it blocks new settlements.
    public var disputeAwaitingAdjustment: DisputeRecord? { disputes.last { $0.status == .adopted } }

    public func dispute(at seq: Int64) -> DisputeRecord? { disputes.first { $0.seq == seq } }

    /// A dispute lapses when its period has left the dispute window.
    func requireInWindow(_ period: Period) throws(LedgerError) {
        guard recentSettlement(for: period) != nil else {
            if let last = lastSettledPeriod, period <= last {
                throw rejected("period \(period) is outside the dispute window (the last \(Self.settlementWindow) settled periods)")
            }
            throw rejected("period \(period) is not settled; report the right value instead")
        }
    }

    // MARK: Adjustment computation — shared by the writer and the verifier

    /// One period re-settled with the corrected reports, and what changes for each member.
    public struct AdjustedPeriod: Sendable {
        public var record: SettlementRecord
        public var version: ContractVersion
        public var settlement: PeriodSettlement
        /// New minus old amount per member (non-zero only), in roster order.
        public var differences: [(member: String, amountMinor: Int64)]
    }

    public struct ComputedAdjustment: Sendable {
        public var dispute: DisputeRecord
        public var periods: [AdjustedPeriod]
        public var differences: [(member: String, amountMinor: Int64)]
        public var body: JSONValue
        /// Each member's total paid after the adjustment (checked sums).
        public var totalsAfter: [String: Int64]
    }

    /// Re-settles the disputed period with the corrected values and every later settled period
    /// (whose history functions may read them), from the run state before the disputed period.
    public func computeAdjustment(for disputeSeq: Int64) throws(LedgerError) -> ComputedAdjustment {
        guard let dispute = dispute(at: disputeSeq) else { throw rejected("entry \(disputeSeq) is not a dispute") }
        guard dispute.status == .adopted else {
            throw rejected("dispute \(disputeSeq) is \(dispute.status.rawValue); only an adopted dispute is adjusted")
        }
        return try computeAdjustment(of: dispute)
    }

    /// The adjustment `dispute` would make if adopted now: `vote` and `dispute` compute it before
    /// they adopt, so an adopted dispute can always be adjusted (SPEC.md §3.7).
    func computeAdjustment(of dispute: DisputeRecord) throws(LedgerError) -> ComputedAdjustment {
        try requireInWindow(dispute.period)
        let affected = recentSettlements.filter { $0.period >= dispute.period }
        var run = affected[0].runStateBefore
        var periods: [AdjustedPeriod] = []
        var totals: [String: Int64] = [:]
        for original in affected {
            let version = contracts[original.version - 1]
            var reports = original.reports
            if original.period == dispute.period {
                for correction in dispute.corrections {
                    let superseded = reports.first { $0.metric == correction.metric }.map { $0.superseded + [$0.seq] } ?? []
                    reports.removeAll { $0.metric == correction.metric }
                    reports.append(ReportRecord(metric: correction.metric, value: correction.value, reporter: dispute.disputer,
                                                seq: dispute.seq, superseded: superseded))
                }
                let order = version.contract.metrics.map(\.name)
                reports.sort { order.firstIndex(of: $0.metric)! < order.firstIndex(of: $1.metric)! }
            }
            let metrics = Dictionary(uniqueKeysWithValues: reports.map { ($0.metric, $0.value) })
            let settlement: PeriodSettlement
            do {
                settlement = try ContractLanguage.settle(contract: version.contract, period: original.period, metrics: metrics, state: run)
            } catch {
                throw rejected("the corrected values cannot be settled: \(error.description)")
            }
            var sums = try Self.adding(settlement.payouts.map { ($0.member, $0.amountMinor) }, to: [:], what: "payouts in \(original.period)")
            sums = try Self.adding(original.payouts.map { ($0.member, -$0.amountMinor) }, to: sums, what: "difference in \(original.period)")
            let differences = members.map(\.name).compactMap { name in sums[name].flatMap { $0 == 0 ? nil : (name, $0) } }
            totals = try Self.adding(differences, to: totals, what: "adjustment difference")
            var record = original
            record.reports = reports
            record.payouts = settlement.payouts
            record.goalOutcomes = settlement.goalOutcomes
            record.runStateBefore = run
            periods.append(AdjustedPeriod(record: record, version: version, settlement: settlement, differences: differences))
            run = settlement.nextState
        }
        let totalDifferences = members.map(\.name).compactMap { name in totals[name].flatMap { $0 == 0 ? nil : (name, $0) } }
        let totalsAfter = try Self.adding(totalDifferences, to: totalsPaid, what: "total paid")
        let body = Self.adjustmentBody(dispute: dispute, periods: periods, differences: totalDifferences,
                                       currency: contracts[0].contract.currency)
        return ComputedAdjustment(dispute: dispute, periods: periods, differences: totalDifferences, body: body,
                                  totalsAfter: totalsAfter)
    }

    package static func differencesJSON(_ differences: [(member: String, amountMinor: Int64)], currency: Currency) -> JSONValue {
        .array(differences.map { .object(["member": .string($0.member), "amount": .string(formatMinorUnits($0.amountMinor, currency: currency))]) })
    }

    static func adjustmentBody(dispute: DisputeRecord, periods: [AdjustedPeriod],
                               differences: [(member: String, amountMinor: Int64)], currency: Currency) -> JSONValue {
        let periodValues: [JSONValue] = periods.map { adjusted in
            guard case .object(var fields) = settlementBody(period: adjusted.record.period, version: adjusted.version,
                                                            reports: adjusted.record.reports, settlement: adjusted.settlement) else {
                preconditionFailure("settlement body is an object")
            }
            fields["differences"] = differencesJSON(adjusted.differences, currency: currency)
            fields["currency"] = nil
            return .object(fields)
        }
        return .object(["dispute": .integer(dispute.seq), "currency": .string(currency.code),
                        "periods": .array(periodValues), "differences": differencesJSON(differences, currency: currency)])
    }

    mutating func recordAdjustment(_ computed: ComputedAdjustment, seq: Int64) {
        for adjusted in computed.periods {
            let index = recentSettlements.firstIndex { $0.period == adjusted.record.period }!
            recentSettlements[index] = adjusted.record
        }
        totalsPaid = computed.totalsAfter
        runState = computed.periods.last!.settlement.nextState
        let index = disputes.firstIndex { $0.seq == computed.dispute.seq }!
        disputes[index].status = .adjusted
        disputes[index].closedAt = seq
    }

    /// When `approvals` adopt `dispute` (every active member approved), its adjustment must compute
    /// now: an adopted dispute that cannot be adjusted would block every later settlement (SPEC.md §3.7).
    func requireAdjustableIfAdopted(_ dispute: DisputeRecord, approvals: Set<String>) throws(LedgerError) {
        guard activeMembers.allSatisfy({ approvals.contains($0.name) }) else { return }
        var adopted = dispute
        adopted.status = .adopted
        do {
            _ = try computeAdjustment(of: adopted)
        } catch {
            throw rejected("dispute \(dispute.seq) cannot be adopted: its adjustment cannot be computed (\(error.reason))")
        }
    }

    /// Adopts the dispute once every active member approved it.
    mutating func adoptDisputeIfComplete(at index: Int, seq: Int64) {
        let approvals = Set(disputes[index].votes.filter(\.approve).map(\.member))
        guard activeMembers.allSatisfy({ approvals.contains($0.name) }) else { return }
        disputes[index].status = .adopted
        disputes[index].closedAt = seq
    }
}

/// `dispute`: a member contests reports of a settled period and gives the corrected values.
package enum DisputeKind: EntryKind {
    package static let name = "dispute"

    static func authorize(_ decoded: DecodedEntry, in state: LedgerState) throws(LedgerError) -> Authorization {
        let entry = decoded.entry
        let reader = try JSONReader(entry.body, context: "dispute body", allowed: ["period", "corrections", "reason"])
        let period = try readPeriod(reader, "period")
        let reason = try reader.string("reason")
        guard (1...ProposeKind.maximumReasonBytes).contains(reason.utf8.count) else {
            throw rejected("a dispute needs a reason of 1 to \(ProposeKind.maximumReasonBytes) bytes")
        }
        try state.requireActive("a dispute")
        let disputer = try state.activeMember(signing: entry)
        if let waiting = state.disputeAwaitingAdjustment {
            throw rejected("dispute \(waiting.seq) was adopted; its adjustment must be appended first")
        }
        // A pending dispute blocks a new one until it lapses (its period left the window), as for proposals.
        if let pending = state.pendingDispute, state.recentSettlement(for: pending.period) != nil {
            throw rejected("dispute \(pending.seq) is still open; it must be decided (and adjusted) first")
        }
        try state.requireInWindow(period)
        let record = state.recentSettlement(for: period)!
        let contract = state.contracts[record.version - 1].contract
        let values = try reader.array("corrections")
        guard !values.isEmpty, values.count <= contract.metrics.count else {
            throw rejected("a dispute corrects 1 to \(contract.metrics.count) metrics")
        }
        var corrections: [(metric: String, value: Value)] = []
        for value in values {
            let item = try JSONReader(value, context: "correction", allowed: ["metric", "value"])
            let metricName = try item.string("metric"), text = try item.string("value")
            guard let metric = contract.metric(named: metricName) else {
                throw rejected("unknown metric \"\(metricName)\" for \(period)")
            }
            guard !corrections.contains(where: { $0.metric == metricName }) else { throw rejected("metric \(metricName) is corrected twice") }
            guard let parsed = metric.type.parseValue(text, currency: contract.currency),
                  parsed.canonicalText(currency: contract.currency) == text else {
                let problem = metric.type.valueProblem(text, currency: contract.currency).map { ": \($0)" } ?? ""
                throw rejected("corrected value \"\(text)\" is not a canonical \(metric.type.rawValue) value for \(metricName)\(problem)")
            }
            if let used = record.reports.first(where: { $0.metric == metricName }), used.value == parsed {
                throw rejected("the corrected value of \(metricName) equals the value settled")
            }
            corrections.append((metricName, parsed))
        }
        // Opening a dispute is the disputer's approval; alone on the roster, the disputer adopts it.
        let opened = DisputeRecord(seq: entry.seq, disputer: disputer.name, period: period, corrections: corrections,
                                   reason: reason, votes: [(disputer.name, true, entry.seq)])
        try state.requireAdjustableIfAdopted(opened, approvals: [disputer.name])
        return Authorization(signers: [disputer.key]) { state in
            state.disputes.append(opened)
            state.adoptDisputeIfComplete(at: state.disputes.count - 1, seq: entry.seq)
        }
    }
}

/// `adjust`: the adjustment settlement of an adopted dispute. Like `settle`, recomputed and compared.
package enum AdjustKind: EntryKind {
    package static let name = "adjust"

    static func authorize(_ decoded: DecodedEntry, in state: LedgerState) throws(LedgerError) -> Authorization {
        let entry = decoded.entry
        let reader = try JSONReader(entry.body, context: "adjust body", allowed: ["dispute", "currency", "periods", "differences"])
        let disputeSeq = try reader.integer("dispute")
        let signer = try state.activeMember(signing: entry)
        let computed = try state.computeAdjustment(for: disputeSeq)
        guard computed.body.canonicalBytes == decoded.bodyBytes else {
            throw rejected("adjustment for dispute \(disputeSeq) does not match the recomputation: \(settlementDifference(claimed: entry.body, expected: computed.body))")
        }
        return Authorization(signers: [signer.key]) { state in
            state.recordAdjustment(computed, seq: entry.seq)
        }
    }
}
