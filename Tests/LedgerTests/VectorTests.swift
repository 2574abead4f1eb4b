import Foundation
@testable import Ledger
@testable import LedgerFormat
@testable import LedgerStorage
@testable import LedgerReports
import LedgerCrypto
import Testing

/// The worked example of SPEC.md §1.9: its bytes, hashes and signatures live in
/// `Fixtures/vectors/entries.json`. This test recomputes them from the primitives, the way an
/// independent implementation following SPEC.md would.
@Suite struct VectorTests {
    static func exampleVectors() throws -> JSONValue {
        let script = try FixtureFactory.lifecycleScript(upTo: 2)
        let keys: [JSONValue] = ["yu", "chef", "farm"].map { name in
            let key = FixtureFactory.key(name)
            return .object(["name": .string(name), "seed": .string(Hex.encode(SHA256.hash(Array("emc-fixture-key/\(name)".utf8)))),
                            "public_key": .string(Hex.encode(key.publicKey.rawRepresentation)), "key_id": .string(key.publicKey.keyID)])
        }
        let entries: [JSONValue] = script.entries.map { decoded in
            .object(["seq": .integer(decoded.entry.seq), "line": .string(String(decoding: decoded.lineBytes, as: UTF8.self)),
                     "unsigned": .string(String(decoding: decoded.entry.unsignedBytes, as: UTF8.self)),
                     "signature": .string(Hex.encode(decoded.entry.signatures[0].signature)), "hash": .string(decoded.hash)])
        }
        return .object(["keys": .array(keys), "contract_hash": .string(Entry.contractHash(FixtureFactory.contract)),
                        "ledger_id": .string(script.entries[0].entry.ledgerID), "entries": .array(entries)])
    }

    @Test func vectorsAreReproducedAndFollowTheSpec() throws {
        let vectors = try Self.exampleVectors()
        try checkGolden(vectors.canonicalBytes + [0x0a], "vectors/entries.json")
        guard case .object(let root) = vectors, case .array(let entries)? = root["entries"],
              case .array(let keys)? = root["keys"], case .object(let yu) = keys[0],
              case .string(let yuSeed)? = yu["seed"], case .string(let yuKeyID)? = yu["key_id"] else {
            Issue.record("vector shape"); return
        }
        let key = try PrivateKey(seed: Hex.decode(yuSeed)!)
        // §1.2: key id = first 8 bytes of SHA-256("emc-key-id-v1" 0x00 ‖ raw public key), hex.
        #expect(Hex.encode(SHA256.hash(Array("emc-key-id-v1".utf8) + [0] + key.publicKey.rawRepresentation).prefix(8)) == yuKeyID)
        // §1.4: contract hash = SHA-256("emc-v1/contract" 0x00 ‖ UTF-8 text).
        #expect(root["contract_hash"] == .string(Hex.encode(SHA256.hash(Array("emc-v1/contract".utf8) + [0] + Array(FixtureFactory.contract.utf8)))))
        var previous = String(repeating: "0", count: 64)
        for value in entries {
            guard case .object(let fields) = value, case .string(let line)? = fields["line"], case .string(let unsigned)? = fields["unsigned"],
                  case .string(let signature)? = fields["signature"], case .string(let hash)? = fields["hash"] else {
                Issue.record("entry vector shape"); return
            }
            // §1.6: signed message = "emc-v1/sign" 0x00 ‖ canonical entry without "sigs".
            let message = Array("emc-v1/sign".utf8) + [0] + Array(unsigned.utf8)
            #expect(key.publicKey.isValidSignature(Hex.decode(signature)!, for: message))
            #expect(Hex.encode(try key.signature(for: message)) == signature, "Ed25519 is deterministic")
            // §1.6: entry hash = SHA-256("emc-v1/entry" 0x00 ‖ line without newline).
            #expect(Hex.encode(SHA256.hash(Array("emc-v1/entry".utf8) + [0] + Array(line.utf8))) == hash)
            // §1.5: the unsigned form is the line with its "sigs" member removed.
            #expect(line.contains("\"prev\":\"\(previous)\""))
            let parsed = try JSONValue.parse(Array(line.utf8))
            guard case .object(var members) = parsed else { Issue.record("line is not an object"); return }
            members["sigs"] = nil
            #expect(JSONValue.object(members).canonicalString == unsigned)
            previous = hash
        }
        // §1.4: ledger id = SHA-256("emc-v1/ledger-id" 0x00 ‖ canonical genesis body).
        let genesis = try JSONValue.parse(Array(try fixtureText("ledgers/valid/lifecycle.jsonl").split(separator: "\n")[0].utf8))
        guard case .object(let genesisFields) = genesis, let body = genesisFields["body"] else { Issue.record("genesis shape"); return }
        #expect(root["ledger_id"] == .string(Hex.encode(SHA256.hash(Array("emc-v1/ledger-id".utf8) + [0] + body.canonicalBytes))))
    }
}
