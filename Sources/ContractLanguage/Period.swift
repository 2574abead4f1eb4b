/// A monthly settlement period, written "YYYY-MM" (years 1000...9999).
public struct Period: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// Months since year 0: year * 12 + (month - 1).
    public let monthIndex: Int

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-") else { return nil }
        var year = 0, month = 0
        for (offset, byte) in bytes.enumerated() where offset != 4 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let digit = Int(byte - UInt8(ascii: "0"))
            if offset < 4 { year = year * 10 + digit } else { month = month * 10 + digit }
        }
        guard (1000...9999).contains(year), (1...12).contains(month) else { return nil }
        monthIndex = year * 12 + month - 1
    }

    init(monthIndex: Int) { self.monthIndex = monthIndex }

    /// The period `monthIndex` months after January of year 0, if it can be written (years 1000-9999).
    package init?(checkedMonthIndex monthIndex: Int) {
        guard Self.validMonthIndices.contains(monthIndex) else { return nil }
        self.monthIndex = monthIndex
    }

    /// The first and last periods that can be written (1000-01 and 9999-12).
    static let validMonthIndices = (1000 * 12)...(9999 * 12 + 11)

    private enum CodingKeys: String, CodingKey { case monthIndex }

    /// Decodes only a period that can be written YYYY-MM with year 1000-9999.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let index = try container.decode(Int.self, forKey: .monthIndex)
        guard Self.validMonthIndices.contains(index) else {
            throw DecodingError.dataCorruptedError(forKey: .monthIndex, in: container, debugDescription: "period out of range")
        }
        monthIndex = index
    }

    public var year: Int { monthIndex / 12 }
    public var month: Int { monthIndex % 12 + 1 }
    public var next: Period { Period(monthIndex: monthIndex + 1) }
    public var previous: Period { Period(monthIndex: monthIndex - 1) }

    public var description: String {
        let monthText = month < 10 ? "0\(month)" : "\(month)"
        return "\(year)-\(monthText)"
    }

    public static func < (lhs: Period, rhs: Period) -> Bool { lhs.monthIndex < rhs.monthIndex }
}
