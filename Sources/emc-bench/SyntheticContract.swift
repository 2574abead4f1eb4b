/// A generated contract text of a chosen size, and the metric values its reporters send.
/// Deterministic: the same sizes and period index always give the same text and values.
struct SyntheticContract {
    struct Metric {
        let name: String
        let type: String
        let reporter: String
    }

    let memberCount: Int
    let ruleCount: Int
    let members: [(name: String, role: String)]
    let metrics: [Metric]
    let text: String

    /// The platform member (the founder and the receiver of fees).
    var platform: String { members[0].name }

    init(members memberCount: Int, rules ruleCount: Int, metrics metricCount: Int = 15) {
        precondition(memberCount >= 10 && 20_000 % memberCount == 0, "a member count dividing 20,000 keeps shares exact")
        precondition(metricCount >= 4 && metricCount < memberCount, "every metric has its own reporter")
        self.memberCount = memberCount
        self.ruleCount = ruleCount
        members = (0..<memberCount).map { index in
            let role = index == 0 ? "platform" : (index % 2 == 0 ? "micro-enterprise" : "external-partner")
            return (Self.memberName(index), role)
        }
        let fixed = [Metric(name: "revenue", type: "money", reporter: Self.memberName(1)),
                     Metric(name: "cost", type: "money", reporter: Self.memberName(2)),
                     Metric(name: "units", type: "count", reporter: Self.memberName(3)),
                     Metric(name: "market_growth", type: "percent", reporter: Self.memberName(0))]
        let types = ["money", "count", "percent"]
        metrics = fixed + (fixed.count..<metricCount).map { index in
            Metric(name: "metric_\(index)", type: types[index % 3], reporter: Self.memberName(index))
        }
        text = Self.render(members: members, metrics: metrics, ruleCount: ruleCount)
    }

    static func memberName(_ index: Int) -> String { "m" + String(index).leftZeroPadded(3) }

    static func render(members: [(name: String, role: String)], metrics: [Metric], ruleCount: Int) -> String {
        var lines = ["contract \"Synthetic benchmark EMC (\(members.count) members, \(ruleCount) rules)\"",
                     "currency CNY 2", "settlement monthly", ""]
        for (index, member) in members.enumerated() {
            lines.append("member \(member.name) \"Member \(index)\" \(member.role)\(index % 5 == 0 ? " rating 4" : "")")
        }
        // Alternating 0.75% / (200/n − 0.75)% shares add up to exactly 100% (n divides 20,000).
        let pairBasisPoints = 20_000 / members.count
        for (index, member) in members.enumerated() {
            let basisPoints = index % 2 == 0 ? 75 : pairBasisPoints - 75
            lines.append("share \(member.name) \(basisPoints / 100).\(String(basisPoints % 100).leftZeroPadded(2))%")
        }
        for metric in metrics {
            lines.append("metric \(metric.name) \(metric.type) reported by \(metric.reporter)")
        }
        lines.append("define profit = revenue - cost")
        lines.append("define healthy = profit > 0 and units >= 100")
        lines.append("")
        for index in 0..<ruleCount {
            lines += rule(index, members: members, metrics: metrics)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Rule `index`: a rotating mix of fee, split by shares, split by weights and pay, with
    /// conditions using comparisons, and/or/not, previous, total and growth.
    static func rule(_ index: Int, members: [(name: String, role: String)], metrics: [Metric]) -> [String] {
        let receiver = members[1 + (index * 7) % (members.count - 1)].name
        let extra = metrics[4 + index % (metrics.count - 4)]
        let extraCondition: String
        switch extra.type {
        case "money": extraCondition = "\(extra.name) >= previous(\(extra.name))"
        case "count": extraCondition = "total(\(extra.name)) > \(index * 10)"
        default: extraCondition = "\(extra.name) < 50%"
        }
        // Consecutive members from a rotating start: never the same member twice.
        let weights = (0..<min(12, members.count - 1)).map { offset in
            "\(members[(index * 3 + offset) % members.count].name) \(1 + (offset + index) % 4)"
        }
        switch index % 5 {
        case 0:
            return ["rule fee_\(index) every period", "  when revenue > 0", "  then",
                    "    fee 0.\(1 + index % 9)% of revenue to \(members[0].name)", ""]
        case 1:
            // Every other profit share is by shares, the rest by weights, so that the worst-case
            // settlement stays within the language's 1,000 payout lines (SPEC 2.11).
            let basis = index % 10 == 1 ? "shares" : "weights (\(weights.joined(separator: ", ")))"
            return ["rule profit_share_\(index) every period",
                    "  when profit > 0 and previous(revenue) > 0 and growth(revenue) > market_growth",
                    "  then", "    split 1% of profit by \(basis)", ""]
        case 2:
            return ["rule team_bonus_\(index) every period", "  when healthy or \(extraCondition)", "  then",
                    "    split 2500.00 by weights (\(weights.joined(separator: ", ")))", ""]
        case 3:
            return ["rule pay_\(index) every period", "  when not (cost > revenue) and (units > previous(units) or \(extraCondition))",
                    "  then", "    pay \(receiver) 0.5% of revenue", "    pay \(members[0].name) 100", ""]
        default:
            return ["rule milestone_\(index) once", "  when total(units) >= \(1_000 + index * 500) and revenue > 0", "  then",
                    "    pay \(receiver) 10000", "    split 5000 by weights (\(receiver) 2, \(members[0].name) 1)", ""]
        }
    }

    /// The canonical text of `metric` for period number `periodIndex` (0 = the first period).
    func value(of metric: Metric, periodIndex: Int) -> String {
        let seed = Self.mix(UInt64(periodIndex) &* 1_000_003 &+ metric.name.utf8.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) })
        switch (metric.name, metric.type) {
        case ("revenue", _):
            return Self.money(minor: 100_000_000 + Int64(periodIndex % 120) * 1_000_000 + Int64(seed % 5_000_000))
        case ("cost", _):
            return Self.money(minor: 80_000_000 + Int64(seed % 30_000_000))
        case (_, "money"):
            return Self.money(minor: Int64(seed % 10_000_000))
        case ("units", _):
            return String(50 + seed % 1_000)
        case (_, "count"):
            return String(seed % 500)
        default:
            // Percent written minimally: "3" or "3.5".
            let tenths = Int(seed % 200)
            return tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(tenths % 10)"
        }
    }

    static func money(minor: Int64) -> String {
        "\(minor / 100).\(String(minor % 100).leftZeroPadded(2))"
    }

    /// SplitMix64: a fixed, well-spread sequence.
    static func mix(_ input: UInt64) -> UInt64 {
        var z = input &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

extension String {
    func leftZeroPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
