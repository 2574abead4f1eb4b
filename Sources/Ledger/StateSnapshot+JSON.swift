import ContractLanguage
import LedgerFormat

/// The snapshot as the project's canonical JSON (`JSONValue`), written and read without Foundation:
/// the same fields and shapes as its `Codable` form (SPEC.md §1.9), keys sorted, no whitespace.
/// Integers must fit ±(2^53−1) as everywhere in the format; a state holding a larger one is not
/// cached (`json` is nil) and costs a full verification instead.
extension StateSnapshot {
    struct OutOfRange: Error {}
    struct Malformed: Error {}

    package var json: JSONValue? { try? encodeJSON() }

    package init?(json: JSONValue) {
        guard let snapshot = try? StateSnapshot.decodeJSON(json) else { return nil }
        self = snapshot
    }

    // MARK: Writing

    static func integer<T: BinaryInteger>(_ number: T) throws(OutOfRange) -> JSONValue {
        guard let wide = Int64(exactly: number), wide.magnitude <= JSONValue.maximumInteger.magnitude else { throw OutOfRange() }
        return .integer(wide)
    }
    static func optional<T>(_ item: T?, _ encode: (T) throws(OutOfRange) -> JSONValue) throws(OutOfRange) -> JSONValue? {
        guard let item else { return nil }
        return try encode(item)
    }
    static func period(_ period: Period) throws(OutOfRange) -> JSONValue { .object(["monthIndex": try integer(period.monthIndex)]) }
    /// `Value` as its synthesized `Codable` form: {"money":{"_0":123}}.
    static func value(_ value: Value) throws(OutOfRange) -> JSONValue {
        switch value {
        case .money(let minor): return .object(["money": .object(["_0": try integer(minor)])])
        case .count(let count): return .object(["count": .object(["_0": try integer(count)])])
        case .percent(let percent):
            return .object(["percent": .object(["_0": .object(["numerator": try integer(percent.numerator),
                                                               "denominator": try integer(percent.denominator)])])])
        }
    }
    static func values(_ map: [String: Value]) throws(OutOfRange) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for (key, item) in map { members[key] = try value(item) }
        return .object(members)
    }
    static func integers(_ map: [String: Int]) throws(OutOfRange) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for (key, item) in map { members[key] = try integer(item) }
        return .object(members)
    }
    static func runState(_ state: ContractRunState) throws(OutOfRange) -> JSONValue {
        var members: [String: JSONValue] = [
            "previousValues": try values(state.previousValues), "totals": try values(state.totals),
            "firedOnce": .array(state.firedOnce.sorted().map(JSONValue.string)),
            "forfeited": .array(state.forfeited.sorted().map(JSONValue.string)),
            "decidedGoals": .object(state.decidedGoals.mapValues(JSONValue.bool)),
            "goalMetCounts": try integers(state.goalMetCounts), "ratingChanges": try integers(state.ratingChanges)]
        members["lastSettled"] = try optional(state.lastSettled, period)
        return .object(members)
    }
    static func strings(_ list: [String]) -> JSONValue { .array(list.map(JSONValue.string)) }
    static func member(_ item: Member) -> JSONValue {
        .object(["name": .string(item.name), "role": .string(item.role), "key": .string(item.key), "active": .bool(item.active)])
    }
    static func vote(_ item: Vote) throws(OutOfRange) -> JSONValue {
        .object(["member": .string(item.member), "approve": .bool(item.approve), "seq": try integer(item.seq)])
    }
    static func array<T>(_ list: [T], _ encode: (T) throws(OutOfRange) -> JSONValue) throws(OutOfRange) -> JSONValue {
        var items: [JSONValue] = []
        items.reserveCapacity(list.count)
        for item in list { items.append(try encode(item)) }
        return .array(items)
    }
    static func report(_ item: Report) throws(OutOfRange) -> JSONValue {
        var members: [String: JSONValue] = ["metric": .string(item.metric), "value": try value(item.value),
                                            "reporter": .string(item.reporter), "seq": try integer(item.seq),
                                            "superseded": try array(item.superseded, integer)]
        members["period"] = try optional(item.period, period)
        return .object(members)
    }
    static func version(_ item: Version) throws(OutOfRange) -> JSONValue {
        var members: [String: JSONValue] = [
            "number": try integer(item.number), "text": .string(item.text), "hash": .string(item.hash),
            "introducedAt": try integer(item.introducedAt), "acceptedBy": strings(item.acceptedBy), "status": .string(item.status),
            "proposer": .string(item.proposer), "reason": .string(item.reason), "joiners": .array(item.joiners.map(member)),
            "votes": try array(item.votes, vote)]
        members["effective"] = try optional(item.effective, period)
        members["closedAt"] = try optional(item.closedAt, integer)
        return .object(members)
    }
    static func settlement(_ item: Settlement) throws(OutOfRange) -> JSONValue {
        .object(["period": try period(item.period), "version": try integer(item.version), "seq": try integer(item.seq),
                 "reports": try array(item.reports, report), "runStateBefore": try runState(item.runStateBefore)])
    }
    static func dispute(_ item: Dispute) throws(OutOfRange) -> JSONValue {
        var members: [String: JSONValue] = [
            "seq": try integer(item.seq), "disputer": .string(item.disputer), "period": try period(item.period),
            "corrections": try array(item.corrections) { (correction) throws(OutOfRange) in
                .object(["metric": .string(correction.metric), "value": try value(correction.value)]) },
            "reason": .string(item.reason), "votes": try array(item.votes, vote), "status": .string(item.status)]
        members["closedAt"] = try optional(item.closedAt, integer)
        return .object(members)
    }

    func encodeJSON() throws(OutOfRange) -> JSONValue {
        var totals: [String: JSONValue] = [:]
        for (key, amount) in totalsPaid { totals[key] = try Self.integer(amount) }
        var members: [String: JSONValue] = [
            "ledgerID": .string(ledgerID), "headSeq": try Self.integer(headSeq), "headHash": .string(headHash),
            "founder": .string(founder), "members": .array(self.members.map(Self.member)),
            "registeredKeyIDs": Self.strings(registeredKeyIDs), "contracts": try Self.array(contracts, Self.version),
            "openReports": try Self.array(openReports, Self.report), "runState": try Self.runState(runState),
            "recentSettlements": try Self.array(recentSettlements, Self.settlement), "totalsPaid": .object(totals),
            "settlementCount": try Self.integer(settlementCount), "disputes": try Self.array(disputes, Self.dispute)]
        members["lastTime"] = lastTime.map(JSONValue.string)
        members["activationPeriod"] = try Self.optional(activationPeriod, Self.period)
        return .object(members)
    }
}

// MARK: Reading (total: anything unexpected throws `Malformed`, which the caller turns into nil)

extension StateSnapshot {
    /// One JSON object's members, read as if a stranger wrote them.
    struct Fields {
        let members: [String: JSONValue]
        init(_ value: JSONValue) throws(Malformed) {
            guard case .object(let members) = value else { throw Malformed() }
            self.members = members
        }
        func value(_ key: String) throws(Malformed) -> JSONValue {
            guard let value = members[key] else { throw Malformed() }
            return value
        }
        func present(_ key: String) -> JSONValue? {
            guard let value = members[key], value != .null else { return nil }
            return value
        }
        func string(_ key: String) throws(Malformed) -> String { try StateSnapshot.string(try value(key)) }
        func int64(_ key: String) throws(Malformed) -> Int64 { try StateSnapshot.int64(try value(key)) }
        func int(_ key: String) throws(Malformed) -> Int { try StateSnapshot.int(try value(key)) }
        func bool(_ key: String) throws(Malformed) -> Bool {
            guard case .bool(let flag) = try value(key) else { throw Malformed() }
            return flag
        }
        func array<T>(_ key: String, _ decode: (JSONValue) throws(Malformed) -> T) throws(Malformed) -> [T] {
            guard case .array(let items) = try value(key) else { throw Malformed() }
            var decoded: [T] = []
            decoded.reserveCapacity(items.count)
            for item in items { decoded.append(try decode(item)) }
            return decoded
        }
        func optional<T>(_ key: String, _ decode: (JSONValue) throws(Malformed) -> T) throws(Malformed) -> T? {
            try present(key).map { (item) throws(Malformed) in try decode(item) }
        }
    }

    static func string(_ value: JSONValue) throws(Malformed) -> String {
        guard case .string(let text) = value else { throw Malformed() }
        return text
    }
    static func int64(_ value: JSONValue) throws(Malformed) -> Int64 {
        guard case .integer(let number) = value else { throw Malformed() }
        return number
    }
    static func int(_ value: JSONValue) throws(Malformed) -> Int {
        guard let number = Int(exactly: try int64(value)) else { throw Malformed() }
        return number
    }
    static func period(_ value: JSONValue) throws(Malformed) -> Period {
        // Period's own decoding checks the range (years 1000-9999).
        guard try Fields(value).members.count == 1, let period = try? JSONValueDecoder.decode(Period.self, from: value) else { throw Malformed() }
        return period
    }
    static func value(_ json: JSONValue) throws(Malformed) -> Value {
        let fields = try Fields(json)
        guard fields.members.count == 1 else { throw Malformed() }
        if let money = fields.present("money") { return .money(try Fields(money).int64("_0")) }
        if let count = fields.present("count") { return .count(try Fields(count).int64("_0")) }
        guard let percent = fields.present("percent") else { throw Malformed() }
        let parts = try Fields(try Fields(percent).value("_0"))
        let numerator = try parts.int64("numerator"), denominator = try parts.int64("denominator")
        // Only a reduced fraction with a positive denominator, as Percent's own decoding demands.
        guard denominator > 0, let reduced = Percent(numerator: Int128(numerator), denominator: Int128(denominator)),
              reduced.numerator == numerator, reduced.denominator == denominator else { throw Malformed() }
        return .percent(reduced)
    }
    static func runState(_ json: JSONValue) throws(Malformed) -> ContractRunState {
        do { return try JSONValueDecoder.decode(ContractRunState.self, from: json) } catch { throw Malformed() }
    }
    static func member(_ json: JSONValue) throws(Malformed) -> Member {
        let fields = try Fields(json)
        return Member(name: try fields.string("name"), role: try fields.string("role"), key: try fields.string("key"), active: try fields.bool("active"))
    }
    static func vote(_ json: JSONValue) throws(Malformed) -> Vote {
        let fields = try Fields(json)
        return Vote(member: try fields.string("member"), approve: try fields.bool("approve"), seq: try fields.int64("seq"))
    }
    static func report(_ json: JSONValue) throws(Malformed) -> Report {
        let fields = try Fields(json)
        return Report(period: try fields.optional("period", period), metric: try fields.string("metric"), value: try value(try fields.value("value")),
                      reporter: try fields.string("reporter"), seq: try fields.int64("seq"), superseded: try fields.array("superseded", int64))
    }
    static func version(_ json: JSONValue) throws(Malformed) -> Version {
        let fields = try Fields(json)
        return Version(number: try fields.int("number"), text: try fields.string("text"), hash: try fields.string("hash"),
                       introducedAt: try fields.int64("introducedAt"), acceptedBy: try fields.array("acceptedBy", string),
                       status: try fields.string("status"), proposer: try fields.string("proposer"), reason: try fields.string("reason"),
                       effective: try fields.optional("effective", period), joiners: try fields.array("joiners", member),
                       votes: try fields.array("votes", vote), closedAt: try fields.optional("closedAt", int64))
    }
    static func settlement(_ json: JSONValue) throws(Malformed) -> Settlement {
        let fields = try Fields(json)
        return Settlement(period: try period(try fields.value("period")), version: try fields.int("version"), seq: try fields.int64("seq"),
                          reports: try fields.array("reports", report), runStateBefore: try runState(try fields.value("runStateBefore")))
    }
    static func dispute(_ json: JSONValue) throws(Malformed) -> Dispute {
        let fields = try Fields(json)
        return Dispute(seq: try fields.int64("seq"), disputer: try fields.string("disputer"), period: try period(try fields.value("period")),
                       corrections: try fields.array("corrections") { (item) throws(Malformed) in
                           let correction = try Fields(item)
                           return Correction(metric: try correction.string("metric"), value: try value(try correction.value("value")))
                       },
                       reason: try fields.string("reason"), votes: try fields.array("votes", vote), status: try fields.string("status"),
                       closedAt: try fields.optional("closedAt", int64))
    }

    static func decodeJSON(_ json: JSONValue) throws(Malformed) -> StateSnapshot {
        let fields = try Fields(json)
        guard case .object(let totals) = try fields.value("totalsPaid") else { throw Malformed() }
        var totalsPaid: [String: Int64] = [:]
        for (key, amount) in totals { totalsPaid[key] = try int64(amount) }
        return StateSnapshot(
            ledgerID: try fields.string("ledgerID"), headSeq: try fields.int64("headSeq"), headHash: try fields.string("headHash"),
            lastTime: try fields.optional("lastTime", string), founder: try fields.string("founder"),
            members: try fields.array("members", member), registeredKeyIDs: try fields.array("registeredKeyIDs", string),
            contracts: try fields.array("contracts", version), activationPeriod: try fields.optional("activationPeriod", period),
            openReports: try fields.array("openReports", report), runState: try runState(try fields.value("runState")),
            recentSettlements: try fields.array("recentSettlements", settlement), totalsPaid: totalsPaid,
            settlementCount: try fields.int("settlementCount"), disputes: try fields.array("disputes", dispute))
    }
}
