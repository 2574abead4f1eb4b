import ContractLanguage
import Foundation
import LedgerCrypto

/// The on-disk form of a verified `LedgerState` (a cache, not part of the log format): appends
/// load it instead of re-verifying the whole log, after checking it against the file's head.
package struct StateSnapshot: Codable {
    struct Member: Codable { var name, role, key: String; var active: Bool }
    struct Vote: Codable { var member: String; var approve: Bool; var seq: Int64 }
    struct Version: Codable {
        var number: Int; var text, hash: String; var introducedAt: Int64; var acceptedBy: [String]
        var status, proposer, reason: String; var effective: Period?; var joiners: [Member]; var votes: [Vote]; var closedAt: Int64?
    }
    struct Report: Codable { var period: Period?; var metric: String; var value: Value; var reporter: String; var seq: Int64; var superseded: [Int64] }
    /// Payouts and goal outcomes are not stored: they are recomputed from the reports and the
    /// run state before (the interpreter is deterministic), which keeps the snapshot small.
    struct Settlement: Codable {
        var period: Period; var version: Int; var seq: Int64; var reports: [Report]; var runStateBefore: ContractRunState
    }
    struct Correction: Codable { var metric: String; var value: Value }
    struct Dispute: Codable {
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

    /// Rebuilds a state from a snapshot; nil when anything in it does not make sense.
    package init?(snapshot: StateSnapshot) {
        self.init()
        func member(_ item: StateSnapshot.Member) -> MemberRecord? {
            guard let raw = Hex.decode(item.key), let key = try? PublicKey(rawRepresentation: raw) else { return nil }
            var record = MemberRecord(name: item.name, role: item.role, key: key)
            record.active = item.active
            return record
        }
        func report(_ item: StateSnapshot.Report) -> ReportRecord {
            ReportRecord(metric: item.metric, value: item.value, reporter: item.reporter, seq: item.seq, superseded: item.superseded)
        }
        ledgerID = snapshot.ledgerID
        headSeq = snapshot.headSeq
        headHash = snapshot.headHash
        lastTime = snapshot.lastTime.flatMap(Timestamp.init)
        founder = snapshot.founder
        for item in snapshot.members {
            guard let record = member(item) else { return nil }
            memberIndexByName[record.name] = members.count
            memberNameByKeyID[record.key.keyID] = record.name
            members.append(record)
        }
        registeredKeyIDs = Set(snapshot.registeredKeyIDs)
        for item in snapshot.contracts {
            guard let contract = checkContract(source: item.text).contract, let status = ContractVersion.Status(rawValue: item.status) else { return nil }
            var version = ContractVersion(number: item.number, text: item.text, hash: item.hash, contract: contract,
                                          introducedAt: item.introducedAt, acceptedBy: item.acceptedBy, status: status)
            version.proposer = item.proposer
            version.reason = item.reason
            version.effective = item.effective
            version.joiners = item.joiners.compactMap(member)
            version.votes = item.votes.map { ($0.member, $0.approve, $0.seq) }
            version.closedAt = item.closedAt
            addContract(version)
        }
        activationPeriod = snapshot.activationPeriod
        for item in snapshot.openReports {
            guard let period = item.period else { return nil }
            openReports[period, default: [:]][item.metric] = report(item)
        }
        runState = snapshot.runState
        for item in snapshot.recentSettlements {
            guard (1...contracts.count).contains(item.version) else { return nil }
            let reports = item.reports.map(report)
            let metrics = Dictionary(uniqueKeysWithValues: reports.map { ($0.metric, $0.value) })
            guard let settlement = try? ContractLanguage.settle(contract: contracts[item.version - 1].contract, period: item.period,
                                                                metrics: metrics, state: item.runStateBefore) else { return nil }
            recentSettlements.append(SettlementRecord(period: item.period, version: item.version, seq: item.seq, reports: reports,
                                                      payouts: settlement.payouts, goalOutcomes: settlement.goalOutcomes,
                                                      runStateBefore: item.runStateBefore))
        }
        totalsPaid = snapshot.totalsPaid
        settlementCount = snapshot.settlementCount
        for item in snapshot.disputes {
            guard let status = DisputeRecord.Status(rawValue: item.status) else { return nil }
            disputes.append(DisputeRecord(seq: item.seq, disputer: item.disputer, period: item.period,
                                          corrections: item.corrections.map { ($0.metric, $0.value) }, reason: item.reason,
                                          votes: item.votes.map { ($0.member, $0.approve, $0.seq) }, status: status, closedAt: item.closedAt))
        }
    }
}
