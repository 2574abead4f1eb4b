import Foundation
@testable import Ledger
@testable import LedgerFormat
@testable import LedgerStorage
@testable import LedgerReports
import LedgerCrypto
import TestSupport
import Testing

@Suite struct CanonicalJSONTests {
    static func vectors(_ group: String) throws -> [[String: JSONValue]] {
        let text = try fixtureText("vectors/canonical-json.json")
        guard case .object(let root) = try JSONValue.parse(Array(text.utf8)), case .array(let items)? = root[group] else {
            throw LedgerError(.malformed, "bad vector file")
        }
        return items.compactMap { if case .object(let fields) = $0 { return fields } else { return nil } }
    }

    static func input(_ fields: [String: JSONValue]) -> [UInt8] {
        if case .string(let hex)? = fields["input_hex"] { return Hex.decode(hex)! }
        if case .string(let text)? = fields["input"] { return Array(text.utf8) }
        return []
    }

    @Test func validVectorsEncodeCanonically() throws {
        let vectors = try Self.vectors("valid")
        #expect(vectors.count >= 7)
        for fields in vectors {
            guard case .string(let canonical)? = fields["canonical"] else { Issue.record("vector without canonical"); continue }
            let value = try JSONValue.parse(Self.input(fields))
            #expect(value.canonicalString == canonical)
            // Canonical form is a fixed point.
            #expect(try JSONValue.parse(Array(canonical.utf8)).canonicalBytes == Array(canonical.utf8))
        }
    }

    @Test func invalidVectorsAreRejected() throws {
        let vectors = try Self.vectors("invalid")
        #expect(vectors.count >= 15)
        for fields in vectors {
            guard case .string(let expected)? = fields["error"] else { Issue.record("vector without error"); continue }
            #expect { try JSONValue.parse(Self.input(fields)) } throws: { error in
                (error as? JSONError)?.message.contains(expected) == true
            }
        }
    }

    /// Law: parsing arbitrary bytes never crashes; whatever parses re-encodes to a fixed point.
    @Test func arbitraryBytesNeverCrash() throws {
        var generator = SeededGenerator(seed: 0x5eed)
        let alphabet = Array("{}[]\",:0123456789-.eEtrufalsn \\u\n".utf8) + [0xc3, 0xa9, 0xff, 0x00]
        for _ in 0..<20_000 {
            let count = Int(generator.next() % 24)
            let bytes = (0..<count).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            if let value = try? JSONValue.parse(bytes) {
                #expect(try JSONValue.parse(value.canonicalBytes) == value)
            }
        }
    }
}
