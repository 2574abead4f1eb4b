/// A problem in a metrics file, with the position where it was found.
public struct MetricsFileError: Error, Sendable, CustomStringConvertible, Equatable {
    public let line: Int
    public let column: Int
    public let message: String
    public var description: String { "\(line):\(column): error: \(message)" }
}

/// Parses a metrics file: a JSON object whose keys are periods ("2020-09", strictly increasing)
/// and whose values are objects from metric name to value (a string in the metric's text form,
/// or a JSON number without exponent). See SPEC.md, "Metrics files".
public func parseMetricsFile(_ text: String, contract: Contract) throws(MetricsFileError) -> [(Period, [String: Value])] {
    var reader = MetricsFileReader(bytes: Array(text.utf8))
    guard reader.bytes.count <= Limits.maxMetricsFileBytes else {
        throw MetricsFileError(line: 1, column: 1, message: "metrics file is larger than \(Limits.maxMetricsFileBytes) bytes")
    }
    return try reader.parse(contract: contract)
}

struct MetricsFileReader {
    let bytes: [UInt8]
    var offset = 0
    var line = 1
    var lineStart = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String, at position: (Int, Int)? = nil) -> MetricsFileError {
        let (errorLine, column) = position ?? (line, offset - lineStart + 1)
        return MetricsFileError(line: errorLine, column: column, message: message)
    }

    var position: (Int, Int) { (line, offset - lineStart + 1) }

    mutating func skipSpace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: "\n"): offset += 1; line += 1; lineStart = offset
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): offset += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(MetricsFileError) {
        skipSpace()
        guard offset < bytes.count, bytes[offset] == byte else { throw error("expected \(what)") }
        offset += 1
    }

    /// Reads `{ key: value, ... }`, calling `body` for each key after its ':'.
    mutating func object(_ body: (inout MetricsFileReader, String, (Int, Int)) throws(MetricsFileError) -> Void) throws(MetricsFileError) {
        try expect(UInt8(ascii: "{"), "'{'")
        skipSpace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { offset += 1; return }
        while true {
            skipSpace()
            let keyPosition = position
            let key = try string()
            try expect(UInt8(ascii: ":"), "':' after \"\(key)\"")
            try body(&self, key, keyPosition)
            skipSpace()
            guard offset < bytes.count else { throw error("expected ',' or '}', found end of file") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "}") { offset += 1; return }
            throw error("expected ',' or '}'")
        }
    }

    mutating func string() throws(MetricsFileError) -> String {
        skipSpace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a string") }
        offset += 1
        let start = offset
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\"") {
            guard bytes[offset] != UInt8(ascii: "\\"), bytes[offset] >= 0x20 else {
                throw error("escapes and control characters are not allowed in metrics-file strings")
            }
            offset += 1
            guard offset - start <= 200 else { throw error("string longer than 200 bytes") }
        }
        guard offset < bytes.count else { throw error("unterminated string") }
        offset += 1
        return String(decoding: bytes[start..<offset - 1], as: UTF8.self)
    }

    /// A value: a string, or a bare JSON number (digits, '-', '.').
    mutating func valueText() throws(MetricsFileError) -> String {
        skipSpace()
        guard offset < bytes.count else { throw error("expected a value, found end of file") }
        if bytes[offset] == UInt8(ascii: "\"") { return try string() }
        let start = offset
        while offset < bytes.count, bytes[offset] == UInt8(ascii: "-") || bytes[offset] == UInt8(ascii: ".")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) {
            offset += 1
        }
        guard offset > start, offset - start <= 40 else { throw error("expected a value (a string or a number)") }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    mutating func parse(contract: Contract) throws(MetricsFileError) -> [(Period, [String: Value])] {
        var result: [(Period, [String: Value])] = []
        try object { (reader, key, keyPosition) throws(MetricsFileError) in
            guard let period = Period(key) else {
                throw reader.error("\"\(key)\" is not a period like \"2020-09\"", at: keyPosition)
            }
            if let last = result.last?.0, period <= last {
                throw reader.error("period \(period) must come after \(last) (periods in increasing order, no duplicates)", at: keyPosition)
            }
            guard result.count < Limits.maxPeriodsPerFile else {
                throw reader.error("more than \(Limits.maxPeriodsPerFile) periods", at: keyPosition)
            }
            var values: [String: Value] = [:]
            try reader.object { (reader, name, namePosition) throws(MetricsFileError) in
                let valuePosition: (Int, Int)
                reader.skipSpace()
                valuePosition = reader.position
                let text = try reader.valueText()
                guard let index = contract.metricNames.position(of: name) else {
                    let known = contract.metrics.map(\.name)
                    throw reader.error("unknown metric '\(name)' in period \(period)\(didYouMean(name, known))", at: namePosition)
                }
                if values[name] != nil { throw reader.error("duplicate metric '\(name)' in period \(period)", at: namePosition) }
                let type = contract.metrics[index].type
                guard let value = type.parseValue(text, currency: contract.currency) else {
                    let problem = type.valueProblem(text, currency: contract.currency) ?? "found '\(text)'"
                    throw reader.error("metric '\(name)' in period \(period) is \(type.rawValue): \(problem)", at: valuePosition)
                }
                values[name] = value
            }
            result.append((period, values))
        }
        skipSpace()
        guard offset == bytes.count else { throw error("unexpected text after the closing '}'") }
        return result
    }
}
