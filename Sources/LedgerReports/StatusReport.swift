import Ledger
import ContractLanguage

/// The state of a ledger as members read it: `emc status`, and `emc replay --at` for any entry.
public enum StatusReport {
    public static func percentText(basisPoints: Int) -> String {
        let whole = basisPoints / 100, fraction = basisPoints % 100
        if fraction == 0 { return "\(whole)" }
        return fraction % 10 == 0 ? "\(whole).\(fraction / 10)" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// The version governing the next period to settle (the genesis version before activation).
    public static func versionInForce(_ state: LedgerState) -> ContractVersion {
        state.nextPeriodToSettle.map { state.governingVersion(for: $0) } ?? state.contracts[0]
    }

    /// Adopted versions that govern a later period than the next one to settle (SPEC §3.6).
    public static func scheduledVersions(_ state: LedgerState) -> [ContractVersion] {
        let inForce = versionInForce(state)
        return state.contracts.filter { $0.status == .adopted && $0.number > inForce.number }
    }

    public static func json(_ state: LedgerState) -> JSONValue {
        let inForce = versionInForce(state)
        let contract = inForce.contract
        let currency = contract.currency
        var fields: [String: JSONValue] = [
            "ledger": .string(state.ledgerID), "entries": .integer(state.headSeq), "head": .string(state.headHash),
            "active": .bool(state.isActive), "currency": .string(currency.code),
            "contract": versionJSON(inForce),
            "versions": .array(state.contracts.map(versionJSON)),
            "scheduled": .array(scheduledVersions(state).map(versionJSON)),
            "members": .array(state.members.map { memberJSON($0, contract: contract, state: state) }),
            "not_accepted": .array(notAccepted(state).map { .string($0) }),
            "open_periods": .array(openPeriods(state).map { periodJSON($0, state: state) }),
            "settlements": .integer(Int64(state.settlementCount)),
            "recent_settlements": .array(state.recentSettlements.map { record in
                .object(["period": .string(record.period.description), "entry": .integer(record.seq), "version": .integer(Int64(record.version)),
                         "payouts": .array(record.payouts.map { .object(["member": .string($0.member), "rule": .string($0.rule),
                                                                         "amount": .string(formatMinorUnits($0.amountMinor, currency: currency))]) })])
            }),
            "disputes": .array(state.disputes.map { dispute in
                .object(["entry": .integer(dispute.seq), "disputer": .string(dispute.disputer), "period": .string(dispute.period.description),
                         "status": .string(dispute.status.rawValue), "reason": .string(dispute.reason),
                         "corrections": .array(dispute.corrections.map { .object(["metric": .string($0.metric), "value": .string($0.value.canonicalText(currency: currency))]) }),
                         "votes": .array(dispute.votes.map { .object(["member": .string($0.member), "approve": .bool($0.approve), "entry": .integer($0.seq)]) }),
                         "closed_at": dispute.closedAt.map { .integer($0) } ?? .null])
            }),
            "totals": .array(state.members.map { member in
                .object(["member": .string(member.name),
                         "amount": .string(formatMinorUnits(state.totalsPaid[member.name] ?? 0, currency: currency))])
            }),
        ]
        fields["activation_period"] = state.activationPeriod.map { .string($0.description) } ?? .null
        fields["last_settled"] = state.lastSettledPeriod.map { .string($0.description) } ?? .null
        return .object(fields)
    }

    static func versionJSON(_ version: ContractVersion) -> JSONValue {
        var fields: [String: JSONValue] = [
            "version": .integer(Int64(version.number)), "hash": .string(version.hash), "status": .string(version.status.rawValue),
            "name": .string(version.contract.name), "entry": .integer(version.introducedAt),
            "accepted_by": .array(version.acceptedBy.map { .string($0) }),
        ]
        if version.status != .genesis {
            fields["proposer"] = .string(version.proposer)
            fields["reason"] = .string(version.reason)
            fields["effective"] = version.effective.map { .string($0.description) } ?? .null
            fields["votes"] = .array(version.votes.map { .object(["member": .string($0.member), "approve": .bool($0.approve), "entry": .integer($0.seq)]) })
            fields["joiners"] = .array(version.joiners.map { .string($0.name) })
            fields["closed_at"] = version.closedAt.map { .integer($0) } ?? .null
        }
        return .object(fields)
    }

    static func memberJSON(_ member: MemberRecord, contract: Contract, state: LedgerState) -> JSONValue {
        let declared = contract.members.first { $0.name == member.name }
        var fields: [String: JSONValue] = [
            "name": .string(member.name), "role": .string(member.role), "active": .bool(member.active),
            "key": .string(member.key.keyID),
            "share": .string(percentText(basisPoints: contract.shareBasisPoints(of: member.name) ?? 0)),
        ]
        fields["display_name"] = declared.map { .string($0.displayName) } ?? .null
        fields["rating"] = declared.map { .integer(Int64(state.runState.rating(of: $0))) } ?? .null
        return .object(fields)
    }

    /// Members who still have to accept: genesis members before activation, joiners of the open proposal.
    public static func notAccepted(_ state: LedgerState) -> [String] {
        if !state.isActive {
            return state.contracts[0].contract.members.map(\.name).filter { !state.contracts[0].acceptedBy.contains($0) }
        }
        guard let pending = state.pendingProposal else { return [] }
        return pending.joiners.map(\.name).filter { !pending.acceptedBy.contains($0) }
    }

    /// Periods with reports, plus the next period to settle, in order.
    public static func openPeriods(_ state: LedgerState) -> [Period] {
        var periods = Set(state.openReports.keys)
        if let next = state.nextPeriodToSettle { periods.insert(next) }
        return periods.sorted()
    }

    static func periodJSON(_ period: Period, state: LedgerState) -> JSONValue {
        let contract = state.governingVersion(for: period).contract
        let reports = state.openReports[period] ?? [:]
        let reported: [JSONValue] = contract.metrics.compactMap { metric in
            guard let report = reports[metric.name] else { return nil }
            return .object(["metric": .string(metric.name), "value": .string(report.value.canonicalText(currency: contract.currency)),
                            "reporter": .string(report.reporter), "entry": .integer(report.seq),
                            "superseded": .array(report.superseded.map { .integer($0) })])
        }
        let missing: [JSONValue] = missingMetrics(period, state: state).map { item in
            .object(["metric": .string(item.metric), "reporters": .array(item.reporters.map { .string($0) })])
        }
        return .object(["period": .string(period.description), "reported": .array(reported), "missing": .array(missing)])
    }

    /// Metrics the settlement of `period` reads that are not reported yet, with who must report them.
    static func missingMetrics(_ period: Period, state: LedgerState) -> [(metric: String, reporters: [String])] {
        let contract = state.governingVersion(for: period).contract
        let reports = state.openReports[period] ?? [:]
        return contract.metricsRequired(for: period).filter { reports[$0] == nil }.map { name in
            (name, contract.metrics.first { $0.name == name }?.reporters ?? [])
        }
    }

    /// The readable form.
    public static func text(_ state: LedgerState) -> String {
        let inForce = versionInForce(state)
        let contract = inForce.contract
        let currency = contract.currency
        var out = "\(contract.name) — ledger \(state.ledgerID.prefix(16))…, \(state.headSeq) entries\n"
        out += "contract in force: version \(inForce.number) (\(inForce.hash.prefix(16))…)"
        out += state.isActive ? ", active since \(state.activationPeriod!)\n" : ", NOT ACTIVE yet\n"
        for version in scheduledVersions(state) {
            out += "adopted, takes effect \(version.effective!): version \(version.number) (\(version.hash.prefix(16))…), proposal \(version.introducedAt) by \(version.proposer): \(version.reason)\n"
        }
        let waiting = notAccepted(state)
        if !waiting.isEmpty { out += "waiting for acceptance by: \(waiting.joined(separator: ", "))\n" }
        for version in state.contracts where version.status == .pending {
            let approvals = version.votes.filter(\.approve).map(\.member)
            let missing = state.activeMembers.map(\.name).filter { !approvals.contains($0) }
            out += "pending proposal \(version.introducedAt) (version \(version.number), effective \(version.effective!)) by \(version.proposer): \(version.reason)\n"
            out += "  approved by \(approvals.joined(separator: ", ")); waiting for \(missing.isEmpty ? "nobody" : missing.joined(separator: ", "))\n"
        }
        for dispute in state.disputes where dispute.status == .pending || dispute.status == .adopted {
            let approvals = dispute.votes.filter(\.approve).map(\.member)
            out += "\(dispute.status.rawValue) dispute \(dispute.seq) on \(dispute.period) by \(dispute.disputer): \(dispute.reason)\n"
            out += "  approved by \(approvals.joined(separator: ", "))\n"
        }
        if let last = state.disputes.last, last.status != .pending, last.status != .adopted {
            out += "last dispute: \(last.seq) on \(last.period), \(last.status.rawValue)\n"
        }
        out += "members:\n"
        for member in state.members {
            let declared = contract.members.first { $0.name == member.name }
            let share = percentText(basisPoints: contract.shareBasisPoints(of: member.name) ?? 0)
            let stars = declared.map { String(repeating: "★", count: state.runState.rating(of: $0)) } ?? ""
            let paid = formatMinorUnits(state.totalsPaid[member.name] ?? 0, currency: currency)
            out += "  \(member.name.padded(10)) \(member.role.padded(17)) share \((share + "%").padded(6)) \(stars.padded(5)) key \(member.key.keyID)  paid \(paid) \(currency.code)\(member.active ? "" : "  (left)")\n"
        }
        out += "last settled period: \(state.lastSettledPeriod?.description ?? "none")\n"
        for period in openPeriods(state) {
            let missing = missingMetrics(period, state: state)
            out += "open period \(period): \(state.openReports[period]?.count ?? 0) reported"
            if missing.isEmpty {
                out += ", ready to settle\n"
            } else {
                let list = missing.map { "\($0.metric) (by \($0.reporters.joined(separator: "/")))" }
                out += "; missing \(list.joined(separator: ", "))\n"
            }
        }
        return out
    }
}

extension String {
    public func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }

    public func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
