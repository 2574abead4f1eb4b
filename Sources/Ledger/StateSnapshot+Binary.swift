import ContractLanguage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The snapshot as compact bytes, the `state` line of a state cache (SPEC.md §1.9, format v3):
/// written and read field by field in declaration order, with no tree in between. Integers are
/// zigzag LEB128 varints (any `Int64`), strings and lists are a count and then their items, maps
/// are lists of pairs sorted by key (so one state has one encoding), optionals a 0/1 byte first.
/// Reading is total: anything unexpected (a short input, a count larger than the bytes left,
/// invalid UTF-8, a duplicate key, a period or percentage out of range, bytes left over) gives nil.
extension StateSnapshot {
    package var binary: [UInt8] {
        var out = SnapshotWriter()
        out.bytes.reserveCapacity(4096)
        out.string(ledgerID); out.int(headSeq); out.string(headHash); out.optional(lastTime) { $0.string($1) }
        out.string(founder)
        out.list(members) { $0.member($1) }
        out.list(registeredKeyIDs) { $0.string($1) }
        out.list(contracts) { out, version in
            out.int(version.number); out.string(version.text); out.string(version.hash); out.int(version.introducedAt)
            out.list(version.acceptedBy) { $0.string($1) }
            out.string(version.status); out.string(version.proposer); out.string(version.reason)
            out.optional(version.effective) { $0.period($1) }
            out.list(version.joiners) { $0.member($1) }
            out.list(version.votes) { $0.vote($1) }
            out.optional(version.closedAt) { $0.int($1) }
        }
        out.optional(activationPeriod) { $0.period($1) }
        out.list(openReports) { $0.report($1) }
        out.runState(runState)
        out.list(recentSettlements) { out, settlement in
            out.period(settlement.period); out.int(settlement.version); out.int(settlement.seq)
            out.list(settlement.reports) { $0.report($1) }
            out.runState(settlement.runStateBefore)
        }
        out.map(totalsPaid) { $0.int($1) }
        out.int(settlementCount)
        out.list(disputes) { out, dispute in
            out.int(dispute.seq); out.string(dispute.disputer); out.period(dispute.period)
            out.list(dispute.corrections) { out, correction in out.string(correction.metric); out.value(correction.value) }
            out.string(dispute.reason)
            out.list(dispute.votes) { $0.vote($1) }
            out.string(dispute.status)
            out.optional(dispute.closedAt) { $0.int($1) }
        }
        return out.bytes
    }

    package init?(binary bytes: [UInt8]) {
        var input = SnapshotReader(bytes: bytes)
        do throws(SnapshotReader.Malformed) {
            self = try input.snapshot()
            guard input.isAtEnd else { return nil }
        } catch {
            return nil
        }
    }
}

/// Whether `first` comes strictly before `second` in the byte order of their UTF-8: with `memcmp`
/// where both are contiguous (a snapshot sorts a member's hundred key ids on every save).
private func utf8Precedes(_ first: String, _ second: String) -> Bool {
    let order = first.utf8.withContiguousStorageIfAvailable { a in
        second.utf8.withContiguousStorageIfAvailable { b -> Bool in
            let common = min(a.count, b.count)
            let compared = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
            return compared < 0 || (compared == 0 && a.count < b.count)
        }
    }
    return (order ?? nil) ?? first.utf8.lexicographicallyPrecedes(second.utf8)
}

struct SnapshotWriter {
    var bytes: [UInt8] = []

    mutating func int<T: BinaryInteger>(_ number: T) {
        let value = Int64(number)  // every integer of a state is an Int or an Int64
        var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while zigzag >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: zigzag) | 0x80)
            zigzag >>= 7
        }
        bytes.append(UInt8(zigzag))
    }
    mutating func bool(_ flag: Bool) { bytes.append(flag ? 1 : 0) }
    mutating func string(_ text: String) {
        int(text.utf8.count)
        bytes.append(contentsOf: text.utf8)
    }
    mutating func optional<T>(_ item: T?, _ encode: (inout Self, T) -> Void) {
        bool(item != nil)
        if let item { encode(&self, item) }
    }
    mutating func list<T>(_ items: [T], _ encode: (inout Self, T) -> Void) {
        int(items.count)
        for item in items { encode(&self, item) }
    }
    /// A map as its pairs in the byte order of the keys.
    mutating func map<T>(_ items: [String: T], _ encode: (inout Self, T) -> Void) {
        int(items.count)
        for (key, item) in items.sorted(by: { utf8Precedes($0.key, $1.key) }) {
            string(key)
            encode(&self, item)
        }
    }
    /// A set as a list of its strings in byte order.
    mutating func set(_ items: Set<String>) { list(items.sorted(by: utf8Precedes)) { $0.string($1) } }
    mutating func period(_ period: Period) { int(period.monthIndex) }
    mutating func value(_ value: Value) {
        switch value {
        case .money(let minor): bytes.append(0); int(minor)
        case .count(let count): bytes.append(1); int(count)
        case .percent(let percent): bytes.append(2); int(percent.numerator); int(percent.denominator)
        }
    }
    mutating func member(_ item: StateSnapshot.Member) { string(item.name); string(item.role); string(item.key); bool(item.active) }
    mutating func vote(_ item: StateSnapshot.Vote) { string(item.member); bool(item.approve); int(item.seq) }
    mutating func report(_ item: StateSnapshot.Report) {
        optional(item.period) { $0.period($1) }
        string(item.metric); value(item.value); string(item.reporter); int(item.seq)
        list(item.superseded) { $0.int($1) }
    }
    mutating func runState(_ state: ContractRunState) {
        optional(state.lastSettled) { $0.period($1) }
        map(state.previousValues) { $0.value($1) }
        map(state.totals) { $0.value($1) }
        set(state.firedOnce)
        set(state.forfeited)
        map(state.decidedGoals) { $0.bool($1) }
        map(state.goalMetCounts) { $0.int($1) }
        map(state.ratingChanges) { $0.int($1) }
    }
}

struct SnapshotReader {
    struct Malformed: Error {}

    let bytes: [UInt8]
    var index = 0

    var isAtEnd: Bool { index == bytes.count }

    mutating func byte() throws(Malformed) -> UInt8 {
        guard index < bytes.count else { throw Malformed() }
        defer { index += 1 }
        return bytes[index]
    }
    mutating func int64() throws(Malformed) -> Int64 {
        var zigzag: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            // The tenth byte may carry only the top bit; a varint is at most ten bytes.
            guard shift < 63 || next <= 1 else { throw Malformed() }
            zigzag |= UInt64(next & 0x7f) << shift
            if next < 0x80 { break }
            shift += 7
        }
        return Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
    }
    mutating func int() throws(Malformed) -> Int {
        guard let number = Int(exactly: try int64()) else { throw Malformed() }
        return number
    }
    /// A count of items that follow, each at least one byte: never more than the bytes left.
    mutating func count() throws(Malformed) -> Int {
        let count = try int64()
        guard count >= 0, count <= Int64(bytes.count - index) else { throw Malformed() }
        return Int(count)
    }
    mutating func bool() throws(Malformed) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw Malformed()
        }
    }
    mutating func string() throws(Malformed) -> String {
        let count = try count()
        defer { index += count }
        guard let text = String(validating: bytes[index..<index + count], as: UTF8.self) else { throw Malformed() }
        return text
    }
    mutating func optional<T>(_ decode: (inout Self) throws(Malformed) -> T) throws(Malformed) -> T? {
        try bool() ? try decode(&self) : nil
    }
    mutating func list<T>(_ decode: (inout Self) throws(Malformed) -> T) throws(Malformed) -> [T] {
        let count = try count()
        var items: [T] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try decode(&self)) }
        return items
    }
    mutating func map<T>(_ decode: (inout Self) throws(Malformed) -> T) throws(Malformed) -> [String: T] {
        let count = try count()
        var items: [String: T] = [:]
        items.reserveCapacity(count)
        for _ in 0..<count {
            let key = try string()
            guard items.updateValue(try decode(&self), forKey: key) == nil else { throw Malformed() }
        }
        return items
    }
    mutating func set() throws(Malformed) -> Set<String> {
        var items = Set<String>()
        for item in try list({ (input) throws(Malformed) in try input.string() }) {
            guard items.insert(item).inserted else { throw Malformed() }
        }
        return items
    }
    mutating func period() throws(Malformed) -> Period {
        guard let period = Period(checkedMonthIndex: try int()) else { throw Malformed() }
        return period
    }
    mutating func value() throws(Malformed) -> Value {
        switch try byte() {
        case 0: return .money(try int64())
        case 1: return .count(try int64())
        case 2:
            let numerator = try int64(), denominator = try int64()
            // Only a reduced fraction with a positive denominator, as Percent's own decoding demands.
            guard denominator > 0, let reduced = Percent(numerator: Int128(numerator), denominator: Int128(denominator)),
                  reduced.numerator == numerator, reduced.denominator == denominator else { throw Malformed() }
            return .percent(reduced)
        default: throw Malformed()
        }
    }
    mutating func member() throws(Malformed) -> StateSnapshot.Member {
        StateSnapshot.Member(name: try string(), role: try string(), key: try string(), active: try bool())
    }
    mutating func vote() throws(Malformed) -> StateSnapshot.Vote {
        StateSnapshot.Vote(member: try string(), approve: try bool(), seq: try int64())
    }
    mutating func report() throws(Malformed) -> StateSnapshot.Report {
        StateSnapshot.Report(period: try optional { (input) throws(Malformed) in try input.period() }, metric: try string(),
                             value: try value(), reporter: try string(), seq: try int64(),
                             superseded: try list { (input) throws(Malformed) in try input.int64() })
    }
    mutating func runState() throws(Malformed) -> ContractRunState {
        ContractRunState(lastSettled: try optional { (input) throws(Malformed) in try input.period() },
                         previousValues: try map { (input) throws(Malformed) in try input.value() },
                         totals: try map { (input) throws(Malformed) in try input.value() },
                         firedOnce: try set(), forfeited: try set(),
                         decidedGoals: try map { (input) throws(Malformed) in try input.bool() },
                         goalMetCounts: try map { (input) throws(Malformed) in try input.int() },
                         ratingChanges: try map { (input) throws(Malformed) in try input.int() })
    }

    mutating func snapshot() throws(Malformed) -> StateSnapshot {
        StateSnapshot(
            ledgerID: try string(), headSeq: try int64(), headHash: try string(),
            lastTime: try optional { (input) throws(Malformed) in try input.string() }, founder: try string(),
            members: try list { (input) throws(Malformed) in try input.member() },
            registeredKeyIDs: try list { (input) throws(Malformed) in try input.string() },
            contracts: try list { (input) throws(Malformed) in
                StateSnapshot.Version(
                    number: try input.int(), text: try input.string(), hash: try input.string(), introducedAt: try input.int64(),
                    acceptedBy: try input.list { (input) throws(Malformed) in try input.string() },
                    status: try input.string(), proposer: try input.string(), reason: try input.string(),
                    effective: try input.optional { (input) throws(Malformed) in try input.period() },
                    joiners: try input.list { (input) throws(Malformed) in try input.member() },
                    votes: try input.list { (input) throws(Malformed) in try input.vote() },
                    closedAt: try input.optional { (input) throws(Malformed) in try input.int64() })
            },
            activationPeriod: try optional { (input) throws(Malformed) in try input.period() },
            openReports: try list { (input) throws(Malformed) in try input.report() },
            runState: try runState(),
            recentSettlements: try list { (input) throws(Malformed) in
                StateSnapshot.Settlement(period: try input.period(), version: try input.int(), seq: try input.int64(),
                                         reports: try input.list { (input) throws(Malformed) in try input.report() },
                                         runStateBefore: try input.runState())
            },
            totalsPaid: try map { (input) throws(Malformed) in try input.int64() },
            settlementCount: try int(),
            disputes: try list { (input) throws(Malformed) in
                StateSnapshot.Dispute(
                    seq: try input.int64(), disputer: try input.string(), period: try input.period(),
                    corrections: try input.list { (input) throws(Malformed) in
                        StateSnapshot.Correction(metric: try input.string(), value: try input.value())
                    },
                    reason: try input.string(), votes: try input.list { (input) throws(Malformed) in try input.vote() },
                    status: try input.string(), closedAt: try input.optional { (input) throws(Malformed) in try input.int64() })
            })
    }
}
