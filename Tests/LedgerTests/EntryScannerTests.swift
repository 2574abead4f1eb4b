import Foundation
@testable import Ledger
@_spi(Testing) @testable import LedgerFormat
import TestSupport
import Testing

/// The one-pass scanner is an optimisation of the general decoder, never a second definition:
/// whatever it accepts, the general path accepts with an equal result.
@Suite struct EntryScannerTests {
    static func fixtureLines() throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for directory in ["ledgers/valid", "ledgers/invalid"] {
            let folder = fixturesRoot.appendingPathComponent(directory)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".jsonl") {
                let data = try Data(contentsOf: folder.appendingPathComponent(name))
                lines += data.split(separator: 0x0a, omittingEmptySubsequences: false).map { Array($0) }
            }
        }
        return lines
    }

    /// Law: scanner accepts ⇒ the general path accepts, with the same entry, hash, signed bytes and body bytes.
    static func agree(_ line: [UInt8]) -> Bool { DecodedEntry.scannerAgreesWithGeneralPath(line) }

    /// Every line of the valid fixture ledgers takes the fast path, and agrees with the general one.
    @Test func validLedgersTakeTheScanner() throws {
        for name in ["basic", "lifecycle", "demo"] {
            let data = try Data(contentsOf: fixturesRoot.appendingPathComponent("ledgers/valid/\(name).jsonl"))
            let lines = data.split(separator: 0x0a).map { Array($0) }
            #expect(lines.count >= 5)
            for (index, line) in lines.enumerated() {
                #expect(EntryScanner.decode(line) != nil, "\(name) line \(index + 1) missed the scanner")
                #expect(Self.agree(line), "\(name) line \(index + 1)")
            }
        }
    }

    /// Every fixture line, and every single-byte change of a sample of them (each position, four
    /// replacement bytes chosen to hit JSON structure, escapes, digits and UTF-8), agree.
    @Test func mutatedLinesAgree() throws {
        let lines = try Self.fixtureLines()
        var generator = SeededGenerator(seed: 0xe5ca)
        var checked = 0, scanned = 0
        for line in lines {
            #expect(Self.agree(line))
        }
        let replacements: [UInt8] = [0x22, 0x5c, 0x30, 0x7d, 0x5d, 0x2c, 0x20, 0xc3, 0x80, 0x75, 0x0a, 0x31, 0x2d, 0x7f]
        for line in lines.filter({ $0.count < 3_000 }).prefix(40) {
            for position in 0..<line.count {
                var mutated = line
                mutated[position] = replacements[Int(generator.next() % UInt64(replacements.count))]
                if mutated == line { continue }
                checked += 1
                if EntryScanner.decode(mutated) != nil { scanned += 1 }
                #expect(Self.agree(mutated), "line \(String(decoding: mutated.prefix(80), as: UTF8.self))… position \(position)")
            }
        }
        #expect(checked > 10_000)
        // Some changes stay valid (a digit in a value, say): the law is exercised on both sides.
        #expect(scanned > 0)
    }

    /// Every proper prefix of a valid line is rejected by both paths, and none reads past the end
    /// (the debug build traps on an out-of-bounds read: CI's fuzzing found one after `"seq":`).
    @Test func truncatedLinesAreRejected() throws {
        let data = try Data(contentsOf: fixturesRoot.appendingPathComponent("ledgers/valid/lifecycle.jsonl"))
        let lines = data.split(separator: 0x0a).map { Array($0) }.prefix(6)
        #expect(lines.count == 6)
        for line in lines {
            for length in 0..<line.count {
                let prefix = Array(line[..<length])
                #expect(EntryScanner.decode(prefix) == nil, "prefix of \(length) bytes scanned")
                #expect(Self.agree(prefix), "prefix of \(length) bytes")
            }
        }
    }

    /// Canonical-form edge cases inside bodies: the scanner takes the canonical ones and leaves the
    /// rest to the general path (which rejects them, except a non-ASCII key: canonical, but left to
    /// the general path because byte order and UTF-16 order can differ there).
    @Test func bodyEdgeCases() throws {
        let line = try #require(Self.fixtureLines().first { $0.count < 600 && String(decoding: $0, as: UTF8.self).contains("\"kind\":\"report\"") })
        let text = String(decoding: line, as: UTF8.self)
        let bodyEnd = try #require(text.range(of: ",\"kind\":"))
        let prefix = "{\"body\":", suffix = String(text[bodyEnd.lowerBound...])
        let scanned = [#"{}"#, #"{"a":[1,-2,0,true,false,null,{}]}"#, "{\"a\":\"\\u001f\\n\\\"\\\\é😀\u{7f}\"}", #"{"a":1,"b":2}"#,
                         #"{"A":1,"a":2}"#, #"{"a":1,"ab":2}"#, #"{"n":9007199254740991}"#, #"{"n":-9007199254740991}"#]
        let leftToGeneralPath = [#"{"b":1,"a":2}"#, #"{"a":1,"a":1}"#, #"{"a":01}"#, #"{"a":-0}"#, #"{"a":1.0}"#, #"{"a":1e2}"#,
                            #"{"a":"\/"}"#, #"{"a":"\u0041"}"#, #"{"a":"\u000a"}"#, #"{"a":"\u001F"}"#, #"{ "a":1}"#,
                            #"{"a":9007199254740992}"#, #"{"é":1}"#, #"{"a":"\ud800"}"#, #"{"a":"\u007f"}"#, "{\"a\":\"\u{01}\"}"]
        for body in scanned + leftToGeneralPath {
            let candidate = Array((prefix + body + suffix).utf8)
            #expect(Self.agree(candidate), "\(body)")
            if leftToGeneralPath.contains(body) {
                #expect(EntryScanner.decode(candidate) == nil, "\(body) scanned")
            } else {
                #expect(EntryScanner.decode(candidate) != nil, "\(body) not scanned; general path: \(Result { try DecodedEntry(parsing: candidate) })")
            }
        }
    }

    /// The report kind reads its three strings from the body's bytes: whenever that succeeds the
    /// body, read as values, is an object of exactly those strings; every report of the fixtures
    /// takes that path; bodies of another shape are left to the values.
    @Test func plainStringBodiesReadAsTheirValues() throws {
        let keys: [StaticString] = ["metric", "period", "value"]
        func agrees(_ body: [UInt8]) -> Bool {
            guard let strings = EntryScanner.plainStrings(body, keys: keys) else { return true }
            guard case .object(let fields)? = try? JSONValue.parse(body), fields.count == 3 else { return false }
            return fields["metric"] == .string(strings[0]) && fields["period"] == .string(strings[1]) && fields["value"] == .string(strings[2])
        }
        var reports = 0
        for line in try Self.fixtureLines() {
            guard let decoded = try? DecodedEntry(line: line) else { continue }
            #expect(agrees(decoded.bodyBytes))
            if decoded.entry.kind == "report", case .object(let fields) = decoded.entry.body, fields.count == 3,
               fields.values.allSatisfy({ if case .string = $0 { true } else { false } }) {
                reports += 1
                #expect(EntryScanner.plainStrings(decoded.bodyBytes, keys: keys) != nil, "\(String(decoding: line, as: UTF8.self))")
            }
        }
        #expect(reports >= 10)
        let plain = #"{"metric":"revenue","period":"2026-01","value":"1.00"}"#
        #expect(EntryScanner.plainStrings(Array(plain.utf8), keys: keys) == ["revenue", "2026-01", "1.00"])
        let others = [#"{"metric":"rev\"x","period":"2026-01","value":"1.00"}"#, #"{"metric":"revenue","period":"2026-01","value":1}"#,
                      #"{"metric":"revenue","period":"2026-01"}"#, #"{"metric":"revenue","period":"2026-01","value":"1.00","x":"y"}"#,
                      #"{"a":"b","metric":"revenue","period":"2026-01","value":"1.00"}"#, #"{"metric":"é","period":"2026-01","value":"1"}"#,
                      #"{"metric":"revenue","period":"2026-01","value":"1.00"} "#, #"{"metric":"revenue","period":"2026-01","value":"1.00"#]
        for body in others {
            #expect(EntryScanner.plainStrings(Array(body.utf8), keys: keys) == nil, "\(body)")
        }
        var generator = SeededGenerator(seed: 0x9e9)
        let replacements: [UInt8] = [0x22, 0x5c, 0x2c, 0x7d, 0x7b, 0x3a, 0x20, 0xc3, 0x41, 0x00]
        for position in 0..<plain.utf8.count {
            var mutated = Array(plain.utf8)
            mutated[position] = replacements[Int(generator.next() % UInt64(replacements.count))]
            #expect(agrees(mutated), "\(String(decoding: mutated, as: UTF8.self))")
        }
    }

    /// The direct encoder writes exactly the canonical encoding of the entry as a JSON value.
    @Test func directEncodingMatchesTheJSONValueEncoding() throws {
        for line in try Self.fixtureLines() {
            guard let decoded = try? DecodedEntry(line: line) else { continue }
            #expect(decoded.entry.lineBytes == decoded.entry.jsonValue(signed: true).canonicalBytes)
            #expect(decoded.entry.unsignedBytes == decoded.entry.jsonValue(signed: false).canonicalBytes)
        }
    }
}
