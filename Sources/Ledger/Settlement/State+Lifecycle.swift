import ContractLanguage
import LedgerCrypto

extension Timestamp {
    /// The settlement period (calendar month, UTC) this time falls in.
    public var period: Period { Period(String(text.prefix(7)))! }
}

extension LedgerState {
    /// How many settled periods a dispute may reach back (SPEC.md, "Disputes"); it also bounds
    /// the settlement records the state keeps, so memory does not grow with the log.
    public static let settlementWindow = 12

    /// The latest adopted version: its roster is the current roster.
    public var latestAdoptedVersion: ContractVersion {
        contracts.last { $0.status == .genesis || $0.status == .adopted }!
    }

    /// The version that governs `period`: the last adopted version whose effective period is at or before it.
    public func governingVersion(for period: Period) -> ContractVersion {
        var governing = contracts[0]
        for version in contracts where version.status == .adopted {
            if let effective = version.effective, effective <= period { governing = version }
        }
        return governing
    }

    /// The open (pending) proposal, if any; at most one exists at a time.
    public var pendingProposal: ContractVersion? {
        contracts.last { $0.status == .pending }
    }

    /// The next period to settle, once the contract is active.
    public var nextPeriodToSettle: Period? {
        if let last = lastSettledPeriod { return last.next }
        return activationPeriod
    }

    public func version(number: Int) -> ContractVersion? {
        (1...contracts.count).contains(number) ? contracts[number - 1] : nil
    }

    public func recentSettlement(for period: Period) -> SettlementRecord? {
        recentSettlements.last { $0.period == period }
    }

    func activeMember(signing entry: Entry) throws(LedgerError) -> MemberRecord {
        let signer = try soleSigner(of: entry)
        guard signer.active else { throw rejected("\"\(signer.name)\" is no longer a member (removed by an amendment)") }
        return signer
    }

    func requireActive(_ what: String) throws(LedgerError) {
        guard isActive else {
            let missing = contracts[0].contract.members.map(\.name).filter { !contracts[0].acceptedBy.contains($0) }
            throw rejected("\(what) before the contract is active: waiting for acceptance by \(missing.joined(separator: ", "))")
        }
    }

    // MARK: Settlement computation — shared by `emc settle` (writer) and the settle kind (verifier)

    /// A settlement recomputed from the contract in force and the reports.
    public struct ComputedSettlement: Sendable {
        public var version: ContractVersion
        public var reports: [ReportRecord]
        public var settlement: PeriodSettlement
        /// The exact body a valid settle entry for this period carries, as canonical JSON.
        public var bodyBytes: [UInt8]
        /// The same body as a value.
        public var body: JSONValue { EntryBody.canonical(bodyBytes).value }
        /// Each paid member's total paid after this settlement (checked sums).
        public var totalsAfter: [String: Int64]
    }

    /// `totals` with `amounts` added, each sum checked: a total that cannot be recorded refuses the
    /// entry that would cause it (SPEC.md §3.5 step 6, §3.7 step 4), instead of trapping later.
    package static func adding(_ amounts: [(member: String, amountMinor: Int64)], to totals: [String: Int64],
                       what: String) throws(LedgerError) -> [String: Int64] {
        var result = totals
        for (member, amount) in amounts {
            let (sum, overflow) = (result[member] ?? 0).addingReportingOverflow(amount)
            guard !overflow else { throw rejected("member \(member)'s \(what) would overflow (more than 64-bit minor units)") }
            result[member] = sum
        }
        return result
    }

    /// Computes the settlement of `period` from the state; throws why it cannot be settled.
    /// With `tracing` false, `settlement.trace` is empty and everything else the same (see
    /// `ContractLanguage.settle`): the settle kind checks an entry with it.
    public func computeSettlement(of period: Period, tracing: Bool = true) throws(LedgerError) -> ComputedSettlement {
        try requireActive("settlement")
        if let waiting = disputeAwaitingAdjustment {
            throw rejected("dispute \(waiting.seq) was adopted; its adjustment must be appended before the next settlement")
        }
        if let last = lastSettledPeriod {
            guard period > last else { throw rejected("period \(period) is already settled (last settled: \(last))") }
            guard period == last.next else {
                throw rejected("periods settle in order: the next period to settle is \(last.next), not \(period)")
            }
        } else if let activation = activationPeriod, period < activation {
            throw rejected("period \(period) is before the contract became active (\(activation))")
        }
        let version = governingVersion(for: period)
        let contract = version.contract
        let reported = openReports[period] ?? [:]
        var metrics: [String: Value] = [:]
        var used: [ReportRecord] = []
        // A report made under a version that gave the metric another type is not used (SPEC.md §3.5).
        for metric in contract.metrics {
            if let report = reported[metric.name], report.value.type == metric.type {
                metrics[metric.name] = report.value
                used.append(report)
            }
        }
        let settlement: PeriodSettlement
        do {
            settlement = try ContractLanguage.settle(contract: contract, period: period, metrics: metrics, state: runState, tracing: tracing)
        } catch {
            throw rejected(error.description)
        }
        // Payouts are positive, so a total overflows payout by payout exactly when it overflows
        // summed per member first (one lookup per paid member); only then, payout by payout again,
        // for the message naming the first payout that overflows.
        let totals: [String: Int64]
        if let summed = try? Self.adding(settlement.totalsByMember(contract), to: totalsPaid, what: "total paid") {
            totals = summed
        } else {
            totals = try Self.adding(settlement.payouts.map { ($0.member, $0.amountMinor) }, to: totalsPaid, what: "total paid")
        }
        let body = Self.settlementBodyBytes(period: period, version: version, reports: used, settlement: settlement)
        return ComputedSettlement(version: version, reports: used, settlement: settlement, bodyBytes: body, totalsAfter: totals)
    }

    static func settlementBody(period: Period, version: ContractVersion, reports: [ReportRecord],
                               settlement: PeriodSettlement) -> JSONValue {
        let currency = version.contract.currency
        let payouts: [JSONValue] = settlement.payouts.map { payout in
            .object(["member": .string(payout.member), "rule": .string(payout.rule),
                     "amount": .string(formatMinorUnits(payout.amountMinor, currency: currency))])
        }
        let goals: [JSONValue] = settlement.goalOutcomes.map { outcome in
            .object(["goal": .string(outcome.goal), "met": .bool(outcome.met),
                     "ratings": .array(outcome.ratingChanges.map { .object(["member": .string($0.member), "delta": .integer(Int64($0.delta))]) }),
                     "forfeits": .array(outcome.forfeitedRules.map { .string($0) })])
        }
        return .object([
            "period": .string(period.description),
            "version": .integer(Int64(version.number)),
            "contract_hash": .string(version.hash),
            "currency": .string(currency.code),
            "reports": .array(reports.map { .integer($0.seq) }),
            "payouts": .array(payouts),
            "goals": .array(goals),
        ])
    }

    mutating func recordSettlement(_ computed: ComputedSettlement, seq: Int64) {
        let period = computed.settlement.period
        let record = SettlementRecord(period: period, version: computed.version.number, seq: seq,
                                      reports: computed.reports, payouts: computed.settlement.payouts,
                                      goalOutcomes: computed.settlement.goalOutcomes, runStateBefore: runState)
        recentSettlements.append(record)
        if recentSettlements.count > Self.settlementWindow { recentSettlements.removeFirst() }
        totalsPaid = computed.totalsAfter
        runState = computed.settlement.nextState
        openReports[period] = nil
        settlementCount += 1
    }
}

/// Explains how a settle entry's body differs from the recomputed one, naming the first difference.
func settlementDifference(claimed: JSONValue, expected: JSONValue) -> String {
    guard case .object(let claimedFields) = claimed, case .object(let expectedFields) = expected else {
        return "settlement body is not an object"
    }
    for key in JSONValue.sortedKeys(expectedFields) where claimedFields[key] != expectedFields[key] {
        if key == "payouts", case .array(let claimedPayouts)? = claimedFields[key], case .array(let expectedPayouts)? = expectedFields[key] {
            for (index, (mine, theirs)) in zip(claimedPayouts, expectedPayouts).enumerated() where mine != theirs {
                return "payout \(index + 1) is \(mine.canonicalString), recomputed \(theirs.canonicalString)"
            }
            return "it lists \(claimedPayouts.count) payouts, recomputed \(expectedPayouts.count)"
        }
        let claimedText = claimedFields[key]?.canonicalString ?? "nothing"
        return "\"\(key)\" is \(claimedText.prefix(120)), recomputed \(expectedFields[key]!.canonicalString.prefix(120))"
    }
    for key in claimedFields.keys.sorted() where expectedFields[key] == nil {
        return "it has an unexpected field \"\(key)\""
    }
    return "it differs from the recomputed settlement"
}
