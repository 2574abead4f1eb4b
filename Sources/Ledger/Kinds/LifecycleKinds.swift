import ContractLanguage
import LedgerCrypto

/// `report`: a metric value for one period, signed by a reporter the governing contract names.
package enum ReportKind: EntryKind {
    package static let name = "report"

    static func authorize(_ decoded: DecodedEntry, in state: LedgerState) throws(LedgerError) -> Authorization {
        let entry = decoded.entry
        let period: Period, metricName: String, valueText: String
        // The body every report has: three plain strings, read from its canonical bytes without
        // building values. Any other body is read as values, which says what is wrong.
        if let fields = EntryScanner.plainStrings(decoded.bodyBytes, keys: ["metric", "period", "value"]) {
            period = try parsePeriod(fields[1], context: "report body", key: "period")
            (metricName, valueText) = (fields[0], fields[2])
            guard isValidMemberName(metricName) else { throw malformed("report body field \"metric\" is not a metric name") }
        } else {
            let reader = try JSONReader(entry.body, context: "report body", allowed: ["period", "metric", "value"])
            period = try readPeriod(reader, "period")
            metricName = try reader.string("metric")
            guard isValidMemberName(metricName) else { throw malformed("report body field \"metric\" is not a metric name") }
            valueText = try reader.string("value")
        }
        try state.requireActive("a metric report")
        let signer = try state.soleSigner(of: entry)
        if let activation = state.activationPeriod, period < activation {
            throw rejected("period \(period) is before the contract became active (\(activation))")
        }
        if let last = state.lastSettledPeriod, period <= last {
            throw rejected("period \(period) is already settled (last settled: \(last)); a correction needs a dispute")
        }
        guard period <= entry.time.period else {
            throw rejected("period \(period) has not begun at the entry's time \(entry.time)")
        }
        let contract = state.governingVersion(for: period).contract
        guard let metric = contract.metric(named: metricName) else {
            throw rejected("unknown metric \"\(metricName)\" (the contract for \(period) declares \(contract.metrics.map(\.name).joined(separator: ", ")))")
        }
        guard metric.reporters.contains(signer.name) else {
            throw rejected("\"\(signer.name)\" may not report \(metricName); its reporters are \(metric.reporters.joined(separator: ", "))")
        }
        guard let value = metric.type.parseValue(valueText, currency: contract.currency) else {
            let problem = metric.type.valueProblem(valueText, currency: contract.currency).map { ": \($0)" } ?? ""
            throw rejected("value \"\(valueText)\" is not a \(metric.type.rawValue) value for \(metricName)\(problem)")
        }
        guard value.canonicalText(currency: contract.currency) == valueText else {
            throw rejected("value \"\(valueText)\" is not written canonically; write \"\(value.canonicalText(currency: contract.currency))\"")
        }
        return Authorization(signers: [signer.key]) { state in
            var record = ReportRecord(metric: metricName, value: value, reporter: signer.name, seq: entry.seq)
            if let earlier = state.openReports[period]?[metricName] {
                record.superseded = earlier.superseded + [earlier.seq]
            }
            state.openReports[period, default: [:]][metricName] = record
        }
    }
}

func readPeriod(_ reader: JSONReader, _ key: String) throws(LedgerError) -> Period {
    try parsePeriod(try reader.string(key), context: reader.context, key: key)
}

func parsePeriod(_ text: String, context: String, key: String) throws(LedgerError) -> Period {
    guard let period = Period(text), period.description == text else {
        throw malformed("\(context) field \"\(key)\" must be a period YYYY-MM, got \"\(text)\"")
    }
    return period
}

/// Rules shared by proposals, votes and joiners' acceptances (SPEC.md, "Amendments").
enum ProposalRules {
    /// A proposal whose effective period has been settled can never take effect.
    static func requireNotLapsed(_ version: ContractVersion, in state: LedgerState) throws(LedgerError) {
        if let effective = version.effective, let last = state.lastSettledPeriod, effective <= last {
            throw rejected("proposal \(version.introducedAt) has lapsed: its effective period \(effective) is already settled")
        }
    }

    /// Adopts the proposal once every member of the version in force approved and every joiner accepted.
    static func adoptIfComplete(versionNumber: Int, at seq: Int64, in state: inout LedgerState) {
        let index = versionNumber - 1
        let version = state.contracts[index]
        let approvals = Set(version.votes.filter(\.approve).map(\.member))
        guard state.activeMembers.allSatisfy({ approvals.contains($0.name) }),
              version.joiners.allSatisfy({ version.acceptedBy.contains($0.name) }) else { return }
        state.contracts[index].status = .adopted
        state.contracts[index].closedAt = seq
        let names = Set(version.contract.members.map(\.name))
        for member in state.members where !names.contains(member.name) {
            state.members[state.memberIndexByName[member.name]!].active = false
        }
        for joiner in version.joiners { state.addMember(joiner) }
    }
}

/// `propose`: a new contract version, effective from a future period, with members joining.
package enum ProposeKind: EntryKind {
    package static let name = "propose"
    static let maximumReasonBytes = 1000

    static func authorize(_ decoded: DecodedEntry, in state: LedgerState) throws(LedgerError) -> Authorization {
        let entry = decoded.entry
        let reader = try JSONReader(entry.body, context: "propose body",
                                    allowed: ["contract", "contract_hash", "effective", "reason", "joiners", "rendering"])
        let text = try reader.string("contract")
        guard text.utf8.count <= GenesisKind.maximumContractBytes else {
            throw rejected("contract text is \(text.utf8.count) bytes, the limit is \(GenesisKind.maximumContractBytes)")
        }
        let hash = try reader.hash("contract_hash")
        guard hash == Entry.contractHash(text) else { throw rejected("contract_hash does not match the contract text") }
        let effective = try readPeriod(reader, "effective")
        let reason = try reader.string("reason")
        guard (1...maximumReasonBytes).contains(reason.utf8.count) else {
            throw rejected("a proposal needs a reason of 1 to \(maximumReasonBytes) bytes")
        }
        let joiners = try reader.array("joiners").map { value throws(LedgerError) in try GenesisKind.parseMember(value) }
        try state.requireActive("an amendment")
        let proposer = try state.activeMember(signing: entry)
        if let pending = state.pendingProposal, (try? ProposalRules.requireNotLapsed(pending, in: state)) != nil {
            throw rejected("proposal \(pending.introducedAt) is still open; it must be adopted, rejected or withdrawn first")
        }
        let contract = try GenesisKind.checkedContract(text, context: "the proposed contract")
        try RenderingBinding.check(reader, contract: contract, what: "the proposed contract")
        let inForce = state.latestAdoptedVersion
        try requireChange(text, hash: hash, from: inForce)
        guard contract.currency == inForce.contract.currency else {
            throw rejected("an amendment cannot change the currency (\(inForce.contract.currency.code) \(inForce.contract.currency.minorDigits))")
        }
        if let last = state.lastSettledPeriod, effective <= last {
            throw rejected("amendments are never retroactive: effective period \(effective) must be after the last settled period \(last)")
        }
        if let activation = state.activationPeriod, effective < activation {
            throw rejected("effective period \(effective) is before the contract became active (\(activation))")
        }
        if let previous = inForce.effective, effective < previous {
            throw rejected("effective period \(effective) is before that of the version in force (\(previous))")
        }
        try checkJoiners(joiners, contract: contract, state: state)
        return Authorization(signers: [proposer.key]) { state in
            var version = ContractVersion(number: state.contracts.count + 1, text: text, hash: hash, contract: contract,
                                          introducedAt: entry.seq, acceptedBy: [], status: .pending)
            version.proposer = proposer.name
            version.reason = reason
            version.effective = effective
            version.joiners = joiners
            // A joiner's key is registered from now on, whatever becomes of the proposal.
            for joiner in joiners { state.registeredKeyIDs.insert(joiner.key.keyID) }
            // Proposing is the proposer's approval.
            version.votes = [(proposer.name, true, entry.seq)]
            state.addContract(version)
            ProposalRules.adoptIfComplete(versionNumber: version.number, at: entry.seq, in: &state)
        }
    }

    /// An amendment changes the contract (SPEC §3.4): a text that is the latest adopted version's
    /// token for token (only whitespace, line breaks or comments differ) is "no change".
    package static func requireChange(_ text: String, hash: String, from inForce: ContractVersion) throws(LedgerError) {
        guard hash != inForce.hash else { throw rejected("the proposed contract is identical to the version in force") }
        guard !sameTokens(text, inForce.text) else {
            throw rejected("no change: the proposed contract differs from version \(inForce.number) only in whitespace, line breaks or comments")
        }
    }

    /// Joiners have new names and keys nobody ever registered (SPEC.md §1.2, §3.4): a joiner's key
    /// counts as registered from its proposal on, whatever becomes of the proposal. The new roster
    /// = active members kept by the contract + joiners; roles must match the contract.
    static func checkJoiners(_ joiners: [MemberRecord], contract: Contract, state: LedgerState) throws(LedgerError) {
        var joinerNames: Set<String> = [], joinerKeys: Set<String> = []
        for joiner in joiners {
            guard state.member(named: joiner.name) == nil else {
                throw rejected("\"\(joiner.name)\" is or was already a member; a name identifies one member, ever")
            }
            guard joinerNames.insert(joiner.name).inserted else {
                throw rejected("joining member \"\(joiner.name)\" is listed twice")
            }
            guard !state.registeredKeyIDs.contains(joiner.key.keyID) else {
                throw rejected("joining member \"\(joiner.name)\" needs a fresh key: key \(joiner.key.keyID) has already been registered on this ledger")
            }
            guard joinerKeys.insert(joiner.key.keyID).inserted else {
                throw rejected("joining members share key \(joiner.key.keyID); one key is one member")
            }
        }
        let registered = state.registeredMemberCount + joiners.count
        guard registered <= LedgerState.maximumRegisteredMembers else {
            throw rejected("\(registered) members would have been registered on this ledger, the limit is \(LedgerState.maximumRegisteredMembers)")
        }
        let roster = state.activeMembers.filter { member in contract.members.contains { $0.name == member.name } } + joiners
        guard roster.count <= GenesisKind.maximumMembers else {
            throw rejected("the new roster has \(roster.count) members, the limit is \(GenesisKind.maximumMembers)")
        }
        try GenesisKind.checkRoster(roster, matches: contract)
    }
}

/// `vote`: a member of the version in force approves or rejects the open proposal.
package enum VoteKind: EntryKind {
    package static let name = "vote"

    static func authorize(_ decoded: DecodedEntry, in state: LedgerState) throws(LedgerError) -> Authorization {
        let entry = decoded.entry
        let reader = try JSONReader(entry.body, context: "vote body", allowed: ["proposal", "approve"])
        let proposalSeq = try reader.integer("proposal")
        let approve = try reader.bool("approve")
        let voter = try state.activeMember(signing: entry)
        if let dispute = state.dispute(at: proposalSeq) {
            return try authorizeDisputeVote(entry, dispute: dispute, voter: voter, approve: approve, in: state)
        }
        guard let version = state.contracts.first(where: { $0.introducedAt == proposalSeq && $0.status != .genesis }) else {
            throw rejected("entry \(proposalSeq) is not a proposal or a dispute")
        }
        guard version.status == .pending else {
            throw rejected("proposal \(proposalSeq) is already \(version.status.rawValue)")
        }
        try ProposalRules.requireNotLapsed(version, in: state)
        guard !version.votes.contains(where: { $0.member == voter.name }) else {
            throw rejected("\"\(voter.name)\" has already voted on proposal \(proposalSeq)")
        }
        return Authorization(signers: [voter.key]) { state in
            let index = version.number - 1
            state.contracts[index].votes.append((voter.name, approve, entry.seq))
            if approve {
                ProposalRules.adoptIfComplete(versionNumber: version.number, at: entry.seq, in: &state)
            } else {
                state.contracts[index].status = .rejected
                state.contracts[index].closedAt = entry.seq
            }
        }
    }
}

extension VoteKind {
    static func authorizeDisputeVote(_ entry: Entry, dispute: DisputeRecord, voter: MemberRecord, approve: Bool,
                                     in state: LedgerState) throws(LedgerError) -> Authorization {
        guard dispute.status == .pending else { throw rejected("dispute \(dispute.seq) is already \(dispute.status.rawValue)") }
        try state.requireInWindow(dispute.period)
        guard !dispute.votes.contains(where: { $0.member == voter.name }) else {
            throw rejected("\"\(voter.name)\" has already voted on dispute \(dispute.seq)")
        }
        if approve {
            let approvals = Set(dispute.votes.filter(\.approve).map(\.member)).union([voter.name])
            try state.requireAdjustableIfAdopted(dispute, approvals: approvals)
        }
        return Authorization(signers: [voter.key]) { state in
            let index = state.disputes.firstIndex { $0.seq == dispute.seq }!
            state.disputes[index].votes.append((voter.name, approve, entry.seq))
            if approve {
                state.adoptDisputeIfComplete(at: index, seq: entry.seq)
            } else {
                state.disputes[index].status = .rejected
                state.disputes[index].closedAt = entry.seq
            }
        }
    }
}

/// `withdraw`: the proposer withdraws its open proposal (or the disputer its open dispute).
package enum WithdrawKind: EntryKind {
    package static let name = "withdraw"

    static func authorize(_ decoded: DecodedEntry, in state: LedgerState) throws(LedgerError) -> Authorization {
        let entry = decoded.entry
        let reader = try JSONReader(entry.body, context: "withdraw body", allowed: ["proposal"])
        let proposalSeq = try reader.integer("proposal")
        let signer = try state.activeMember(signing: entry)
        if let dispute = state.dispute(at: proposalSeq) {
            guard dispute.status == .pending else { throw rejected("dispute \(proposalSeq) is already \(dispute.status.rawValue)") }
            guard dispute.disputer == signer.name else {
                throw rejected("only the disputer (\(dispute.disputer)) can withdraw dispute \(proposalSeq)")
            }
            return Authorization(signers: [signer.key]) { state in
                let index = state.disputes.firstIndex { $0.seq == proposalSeq }!
                state.disputes[index].status = .withdrawn
                state.disputes[index].closedAt = entry.seq
            }
        }
        guard let version = state.contracts.first(where: { $0.introducedAt == proposalSeq && $0.status != .genesis }) else {
            throw rejected("entry \(proposalSeq) is not a proposal or a dispute")
        }
        guard version.status == .pending else { throw rejected("proposal \(proposalSeq) is already \(version.status.rawValue)") }
        guard version.proposer == signer.name else {
            throw rejected("only the proposer (\(version.proposer)) can withdraw proposal \(proposalSeq)")
        }
        return Authorization(signers: [signer.key]) { state in
            state.contracts[version.number - 1].status = .withdrawn
            state.contracts[version.number - 1].closedAt = entry.seq
        }
    }
}

/// `settle`: the payouts of one period. Its content is not trusted: the state machine recomputes
/// the settlement from the governing contract and the reports, and the body must equal it exactly.
package enum SettleKind: EntryKind {
    package static let name = "settle"

    static func authorize(_ decoded: DecodedEntry, in state: LedgerState) throws(LedgerError) -> Authorization {
        let entry = decoded.entry
        // A valid settle entry carries exactly the body recomputed for the next period to settle, so
        // compare bytes first, without reading the body into values. Any other entry takes the full
        // path below, which finds what is wrong; for one that matches, the checks left (signer,
        // time) are the ones the full path makes after its own, which the match implies.
        if let period = state.nextPeriodToSettle, let computed = try? state.computeSettlement(of: period, tracing: false),
           computed.bodyBytes.hasSameBytes(as: decoded.bodyBytes) {
            let signer = try state.activeMember(signing: entry)
            try requireOver(period, at: entry.time)
            return Authorization(signers: [signer.key]) { state in
                state.recordSettlement(computed, seq: entry.seq)
            }
        }
        let reader = try JSONReader(entry.body, context: "settle body",
                                    allowed: ["period", "version", "contract_hash", "currency", "reports", "payouts", "goals"])
        let period = try readPeriod(reader, "period")
        try state.requireActive("a settlement")
        let signer = try state.activeMember(signing: entry)
        try requireOver(period, at: entry.time)
        let computed = try state.computeSettlement(of: period, tracing: false)
        // Compare bytes, not values: Swift strings compare by Unicode canonical equivalence.
        guard computed.bodyBytes.hasSameBytes(as: decoded.bodyBytes) else {
            throw rejected("settlement of \(period) does not match the contract: \(settlementDifference(claimed: entry.body, expected: computed.body))")
        }
        return Authorization(signers: [signer.key]) { state in
            state.recordSettlement(computed, seq: entry.seq)
        }
    }

    static func requireOver(_ period: Period, at time: Timestamp) throws(LedgerError) {
        guard time.period > period else {
            throw rejected("period \(period) is not over at the entry's time \(time)")
        }
    }
}
