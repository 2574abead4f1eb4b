import ContractLanguage
import LedgerCrypto

/// What a member asks the ledger to record. An action is planned against a verified state into the
/// signed entries that carry it out, in one durable write. The policies that decide *which* entries
/// (which version an `accept` targets, the canonical text of a reported value, the adjustment that
/// goes with an adopting vote) live here, so that the CLI and a server run the same code; whether
/// the entries are valid is still decided only by `LedgerState.apply`.
public enum Action: Sendable {
    /// Accept a contract version: the one named by `contractHash` (a unique prefix of at least
    /// 8 hex digits), else the pending proposal the signer joins with, else version 1.
    case accept(contractHash: String?)
    case report(period: Period, metric: String, value: String)
    case propose(contract: String, effective: Period, reason: String, joiners: [EntryBuilder.RosterMember])
    case vote(proposal: Int64, approve: Bool)
    case withdraw(proposal: Int64)
    case settle(period: Period)
    case dispute(period: Period, corrections: [(metric: String, value: String)], reason: String)
    case adjust(dispute: Int64)
    case rotateKey(newKey: any EntrySigner)
}

/// The entries an action became, and what a person wants to be told about them.
public struct PlannedAction: Sendable {
    public enum Outcome: Sendable {
        case accepted(member: String, version: Int)
        case reported(metric: String, value: String, period: Period)
        case proposed(seq: Int64, contractHash: String, effective: Period)
        /// `status` is the proposal's or dispute's status after the vote.
        case voted(proposal: Int64, approve: Bool, status: String)
        case withdrew(proposal: Int64)
        case settled(LedgerState.ComputedSettlement)
        case disputed(seq: Int64, period: Period, status: String)
        case rotated(member: String, keyID: String)
        case adjusted
    }

    /// Signed entries extending the state's head, in order; appended all or nothing.
    public var entries: [Entry]
    public var outcome: Outcome
    /// The adjustment appended with an adopting vote (or a dispute adopted at once), if any.
    public var adjustment: LedgerState.ComputedAdjustment?
}

extension LedgerState {
    /// Plans `action` signed by `signer` at `time`. Each planned entry is applied here, in order,
    /// so an entry the state machine would refuse is reported now, naming the reason.
    public func plan(_ action: Action, time: Timestamp, signer: any EntrySigner) throws -> PlannedAction {
        switch action {
        case .accept(let hash):
            let (member, version) = try acceptTarget(signer: signer.publicKey, hash: hash)
            return PlannedAction(entries: [try EntryBuilder.accept(after: self, contractHash: version.hash, time: time, key: signer)],
                                 outcome: .accepted(member: member, version: version.number))
        case .report(let period, let metric, let value):
            let text = canonicalReportValue(value, metric: metric, period: period)
            return PlannedAction(entries: [try EntryBuilder.report(after: self, period: period, metric: metric, value: text, time: time, key: signer)],
                                 outcome: .reported(metric: metric, value: text, period: period))
        case .propose(let contract, let effective, let reason, let joiners):
            // Refused before anything is signed; `apply` checks the same rule on the entry.
            try ProposeKind.requireChange(contract, hash: Entry.contractHash(contract), from: latestAdoptedVersion)
            let entry = try EntryBuilder.propose(after: self, contract: contract, effective: effective, reason: reason,
                                                 joiners: joiners, time: time, key: signer)
            return PlannedAction(entries: [entry], outcome: .proposed(seq: headSeq + 1, contractHash: Entry.contractHash(contract), effective: effective))
        case .vote(let proposal, let approve):
            let entry = try EntryBuilder.vote(after: self, proposal: proposal, approve: approve, time: time, key: signer)
            return try withAdjustmentIfAdopted(entry, dispute: proposal, time: time, signer: signer) { after in
                let status = after.dispute(at: proposal)?.status.rawValue
                    ?? after.contracts.first { $0.introducedAt == proposal }.map { $0.status.rawValue } ?? "?"
                return .voted(proposal: proposal, approve: approve, status: status)
            }
        case .withdraw(let proposal):
            return PlannedAction(entries: [try EntryBuilder.withdraw(after: self, proposal: proposal, time: time, key: signer)],
                                 outcome: .withdrew(proposal: proposal))
        case .settle(let period):
            let computed = try computeSettlement(of: period)
            return PlannedAction(entries: [try EntryBuilder.settle(after: self, computed: computed, time: time, key: signer)],
                                 outcome: .settled(computed))
        case .dispute(let period, let corrections, let reason):
            let version = governingVersion(for: period)
            let canonical = corrections.map { ($0.metric, Self.canonicalValue($0.value, metric: $0.metric, contract: version.contract)) }
            let seq = headSeq + 1
            let entry = try EntryBuilder.dispute(after: self, period: period, corrections: canonical, reason: reason, time: time, key: signer)
            // In an EMC where the disputer is the only active member the dispute is adopted at once.
            return try withAdjustmentIfAdopted(entry, dispute: seq, time: time, signer: signer) { after in
                .disputed(seq: seq, period: period, status: after.dispute(at: seq)?.status.rawValue ?? "?")
            }
        case .adjust(let dispute):
            let computed = try computeAdjustment(for: dispute)
            var planned = PlannedAction(entries: [try EntryBuilder.adjust(after: self, computed: computed, time: time, key: signer)],
                                        outcome: .adjusted)
            planned.adjustment = computed
            return planned
        case .rotateKey(let newKey):
            guard let name = memberName(forKeyID: signer.publicKey.keyID) else {
                throw LedgerError(.rejected, "key \(signer.publicKey.keyID) is not the current key of any member")
            }
            return PlannedAction(entries: [try EntryBuilder.rotateKey(after: self, member: name, oldKey: signer, newKey: newKey, time: time)],
                                 outcome: .rotated(member: name, keyID: newKey.publicKey.keyID))
        }
    }

    /// `entry`, plus the adjustment of dispute `seq` when `entry` adopts it: adoption and
    /// adjustment always go into one durable write (SPEC §3.7).
    private func withAdjustmentIfAdopted(_ entry: Entry, dispute seq: Int64, time: Timestamp, signer: any EntrySigner,
                                         outcome: (LedgerState) -> PlannedAction.Outcome) throws -> PlannedAction {
        let after = try applying(DecodedEntry(entry: entry))
        var planned = PlannedAction(entries: [entry], outcome: outcome(after))
        if let dispute = after.dispute(at: seq), dispute.status == .adopted {
            let computed = try after.computeAdjustment(for: seq)
            planned.adjustment = computed
            planned.entries.append(try EntryBuilder.adjust(after: after, computed: computed, time: time, key: signer))
        }
        return planned
    }

    /// Which version an `accept` by `key` targets, and the name it accepts as.
    public func acceptTarget(signer key: PublicKey, hash: String?) throws(LedgerError) -> (member: String, version: ContractVersion) {
        let keyID = key.keyID
        // A member joining through a pending amendment accepts that proposal.
        if memberName(forKeyID: keyID) == nil, let pending = pendingProposal,
           let joiner = pending.joiners.first(where: { $0.key.keyID == keyID }) {
            if let hash, try contractVersion(matching: hash).number != pending.number {
                throw LedgerError(.rejected, "\(joiner.name) joins with proposal \(pending.introducedAt); accept its contract \(pending.hash.prefix(16))…")
            }
            return (joiner.name, pending)
        }
        guard let name = memberName(forKeyID: keyID) else {
            throw LedgerError(.rejected, "key \(keyID) is not the current key of any member or joining member")
        }
        if let hash { return (name, try contractVersion(matching: hash)) }
        guard let version = contracts.last(where: { !$0.acceptedBy.contains(name) && $0.status == .genesis }) else {
            throw LedgerError(.rejected, "\(name) has already accepted the contract; amendments are approved with `emc vote`")
        }
        return (name, version)
    }

    /// The newest version whose hash is `text` or starts with it (at least 8 hex digits, unique).
    /// A hash as `emc` prints it, shortened with a trailing "…" (or "..."), is such a prefix.
    public func contractVersion(matching text: String) throws(LedgerError) -> ContractVersion {
        var prefix = Substring(text.lowercased())
        if prefix.hasSuffix("…") { prefix = prefix.dropLast() } else if prefix.hasSuffix("...") { prefix = prefix.dropLast(3) }
        guard prefix.utf8.count >= 8, prefix.utf8.count <= 64, prefix.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw LedgerError(.usage, "contract hash \"\(text)\" must be 8 to 64 hex digits")
        }
        let matches = Set(contracts.filter { $0.hash.utf8.starts(with: prefix.utf8) }.map(\.hash))
        guard let hash = matches.first else { throw LedgerError(.rejected, "no contract version with hash \(text) on this ledger") }
        guard matches.count == 1 else { throw LedgerError(.usage, "contract hash prefix \(text) is ambiguous; give more digits") }
        return contract(withHash: hash)!
    }

    /// The canonical text of a reported value for the metric as `period`'s governing version declares it.
    public func canonicalReportValue(_ value: String, metric: String, period: Period) -> String {
        Self.canonicalValue(value, metric: metric, contract: governingVersion(for: period).contract)
    }

    /// The canonical text of `value` for `metric` when it parses; otherwise the text as given (the
    /// state machine then names the problem).
    static func canonicalValue(_ value: String, metric: String, contract: Contract) -> String {
        guard let declared = contract.metric(named: metric),
              let parsed = declared.type.parseValue(value, currency: contract.currency) else { return value }
        return parsed.canonicalText(currency: contract.currency)
    }
}
