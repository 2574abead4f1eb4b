import ContractLanguage
import LedgerCrypto

/// The on-disk form of a verified `LedgerState` (a cache, not part of the log format): appends
/// load it instead of re-verifying the whole log, after checking it against the file's head.
package struct StateSnapshot {
    struct Member { var name, role, key: String; var active: Bool }
    struct Vote { var member: String; var approve: Bool; var seq: Int64 }
    struct Version {
        var number: Int; var text, hash: String; var introducedAt: Int64; var acceptedBy: [String]
        var status, proposer, reason: String; var effective: Period?; var joiners: [Member]; var votes: [Vote]; var closedAt: Int64?
    }
    struct Report { var period: Period?; var metric: String; var value: Value; var reporter: String; var seq: Int64; var superseded: [Int64] }
    /// Payouts and goal outcomes are not stored: they are recomputed from the reports and the
    /// run state before (the interpreter is deterministic), which keeps the snapshot small.
    struct Settlement {
        var period: Period; var version: Int; var seq: Int64; var reports: [Report]; var runStateBefore: ContractRunState
    }
    struct Correction { var metric: String; var value: Value }
    struct Dispute {
        var seq: Int64; var disputer: String; var period: Period; var corrections: [Correction]; var reason: String
        var votes: [Vote]; var status: String; var closedAt: Int64?
    }

    var ledgerID: String
    var headSeq: Int64
    var headHash: String
    var lastTime: String?
    var founder: String
    var members: [Member]
    var registeredKeyIDs: [String]
    var contracts: [Version]
    var activationPeriod: Period?
    var openReports: [Report]
    var runState: ContractRunState
    var recentSettlements: [Settlement]
    var totalsPaid: [String: Int64]
    var settlementCount: Int
    var disputes: [Dispute]
}

extension LedgerState {
    package var snapshot: StateSnapshot {
        func member(_ record: MemberRecord) -> StateSnapshot.Member {
            .init(name: record.name, role: record.role, key: Hex.encode(record.key.rawRepresentation), active: record.active)
        }
        func report(_ record: ReportRecord, _ period: Period?) -> StateSnapshot.Report {
            .init(period: period, metric: record.metric, value: record.value, reporter: record.reporter, seq: record.seq, superseded: record.superseded)
        }
        func votes(_ list: [(member: String, approve: Bool, seq: Int64)]) -> [StateSnapshot.Vote] {
            list.map { .init(member: $0.member, approve: $0.approve, seq: $0.seq) }
        }
        return StateSnapshot(
            ledgerID: ledgerID, headSeq: headSeq, headHash: headHash, lastTime: lastTime?.text, founder: founder,
            members: members.map(member), registeredKeyIDs: registeredKeyIDs.sorted(),
            contracts: contracts.map { version in
                .init(number: version.number, text: version.text, hash: version.hash, introducedAt: version.introducedAt,
                      acceptedBy: version.acceptedBy, status: version.status.rawValue, proposer: version.proposer, reason: version.reason,
                      effective: version.effective, joiners: version.joiners.map(member), votes: votes(version.votes), closedAt: version.closedAt)
            },
            activationPeriod: activationPeriod,
            openReports: openReports.keys.sorted().flatMap { period in
                openReports[period]!.keys.sorted().map { report(openReports[period]![$0]!, period) }
            },
            runState: runState,
            recentSettlements: recentSettlements.map { record in
                .init(period: record.period, version: record.version, seq: record.seq, reports: record.reports.map { report($0, nil) },
                      runStateBefore: record.runStateBefore)
            },
            totalsPaid: totalsPaid, settlementCount: settlementCount,
            disputes: disputes.map { dispute in
                .init(seq: dispute.seq, disputer: dispute.disputer, period: dispute.period,
                      corrections: dispute.corrections.map { .init(metric: $0.metric, value: $0.value) }, reason: dispute.reason,
                      votes: votes(dispute.votes), status: dispute.status.rawValue, closedAt: dispute.closedAt)
            })
    }

    /// Rebuilds a state from a snapshot; nil when anything in it does not make sense. Total: no
    /// input traps (a snapshot is read back from a file, and a file is a stranger).
    package init?(snapshot: StateSnapshot) {
        self.init()
        func valid(_ period: Period?) -> Bool { period.map { (1000 * 12...9999 * 12 + 11).contains($0.monthIndex) } ?? true }
        func validSeq(_ seq: Int64?) -> Bool { seq.map { $0 >= 0 && $0 <= snapshot.headSeq } ?? true }
        func member(_ item: StateSnapshot.Member) -> MemberRecord? {
            guard let raw = Hex.decode(item.key), let key = try? PublicKey(rawRepresentation: raw) else { return nil }
            var record = MemberRecord(name: item.name, role: item.role, key: key)
            record.active = item.active
            return record
        }
        func report(_ item: StateSnapshot.Report) -> ReportRecord? {
            guard validSeq(item.seq), item.superseded.allSatisfy({ validSeq($0) }) else { return nil }
            return ReportRecord(metric: item.metric, value: item.value, reporter: item.reporter, seq: item.seq, superseded: item.superseded)
        }
        guard snapshot.headSeq >= 0, snapshot.settlementCount >= 0, valid(snapshot.activationPeriod),
              valid(snapshot.runState.lastSettled) else { return nil }
        ledgerID = snapshot.ledgerID
        headSeq = snapshot.headSeq
        headHash = snapshot.headHash
        if let text = snapshot.lastTime {
            guard let time = Timestamp(text) else { return nil }
            lastTime = time
        }
        founder = snapshot.founder
        for item in snapshot.members {
            guard let record = member(item), memberIndexByName[record.name] == nil,
                  memberNameByKeyID[record.key.keyID] == nil else { return nil }
            memberIndexByName[record.name] = members.count
            memberNameByKeyID[record.key.keyID] = record.name
            members.append(record)
        }
        registeredKeyIDs = Set(snapshot.registeredKeyIDs)
        for item in snapshot.contracts {
            guard item.number == contracts.count + 1, contractIndexByHash[item.hash] == nil, valid(item.effective),
                  validSeq(item.introducedAt), validSeq(item.closedAt), item.votes.allSatisfy({ validSeq($0.seq) }),
                  let contract = checkContract(source: item.text).contract,
                  let status = ContractVersion.Status(rawValue: item.status) else { return nil }
            var version = ContractVersion(number: item.number, text: item.text, hash: item.hash, contract: contract,
                                          introducedAt: item.introducedAt, acceptedBy: item.acceptedBy, status: status)
            version.proposer = item.proposer
            version.reason = item.reason
            version.effective = item.effective
            var joiners: [MemberRecord] = []
            for joiner in item.joiners {
                guard let record = member(joiner) else { return nil }
                joiners.append(record)
            }
            version.joiners = joiners
            version.votes = item.votes.map { ($0.member, $0.approve, $0.seq) }
            version.closedAt = item.closedAt
            addContract(version)
        }
        guard !contracts.isEmpty || snapshot.headSeq == 0 else { return nil }
        activationPeriod = snapshot.activationPeriod
        for item in snapshot.openReports {
            guard let period = item.period, valid(period), openReports[period]?[item.metric] == nil,
                  let record = report(item) else { return nil }
            openReports[period, default: [:]][item.metric] = record
        }
        runState = snapshot.runState
        for item in snapshot.recentSettlements {
            guard item.version >= 1, item.version <= contracts.count, valid(item.period), validSeq(item.seq),
                  valid(item.runStateBefore.lastSettled) else { return nil }
            var reports: [ReportRecord] = []
            var metrics: [String: Value] = [:]
            for reportItem in item.reports {
                guard let record = report(reportItem), metrics[record.metric] == nil else { return nil }
                reports.append(record)
                metrics[record.metric] = record.value
            }
            guard let settlement = try? ContractLanguage.settle(contract: contracts[item.version - 1].contract, period: item.period,
                                                                metrics: metrics, state: item.runStateBefore,
                                                                tracing: false) else { return nil }
            recentSettlements.append(SettlementRecord(period: item.period, version: item.version, seq: item.seq, reports: reports,
                                                      payouts: settlement.payouts, goalOutcomes: settlement.goalOutcomes,
                                                      runStateBefore: item.runStateBefore))
        }
        totalsPaid = snapshot.totalsPaid
        settlementCount = snapshot.settlementCount
        for item in snapshot.disputes {
            guard valid(item.period), validSeq(item.seq), validSeq(item.closedAt), item.votes.allSatisfy({ validSeq($0.seq) }),
                  let status = DisputeRecord.Status(rawValue: item.status) else { return nil }
            disputes.append(DisputeRecord(seq: item.seq, disputer: item.disputer, period: item.period,
                                          corrections: item.corrections.map { ($0.metric, $0.value) }, reason: item.reason,
                                          votes: item.votes.map { ($0.member, $0.approve, $0.seq) }, status: status, closedAt: item.closedAt))
        }
    }
}
