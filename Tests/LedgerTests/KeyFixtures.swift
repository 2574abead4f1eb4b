import Foundation
@testable import Ledger
@testable import LedgerFormat
import LedgerCrypto

/// Tampered ledgers that try the keyless forgery of issue 11 (SPEC.md §1.2): a key nobody holds a
/// private key for, "signed" with R = identity, S = 0, which OpenSSL accepts for such keys.
extension FixtureFactory {
    /// The identity point, a point of order 8, and a non-canonical y = p + 2.
    static let identityKey = [0x01] + [UInt8](repeating: 0, count: 31)
    static let orderEightKey: [UInt8] = Hex.decode("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")!
    static let nonCanonicalKey: [UInt8] = [0xef] + [UInt8](repeating: 0xff, count: 30) + [0x7f]
    /// R = the identity (01 00…00), S = 0.
    static let identitySignature = [0x01] + [UInt8](repeating: 0, count: 63)

    static func keyID(ofRaw raw: [UInt8]) -> String {
        Hex.encode(SHA256.hash(prefix: PublicKey.keyIDPrefix, raw).prefix(8))
    }

    static func forgedSignature(_ raw: [UInt8]) -> EntrySignature {
        EntrySignature(keyID: keyID(ofRaw: raw), signature: identitySignature)
    }

    static func rosterJSON(_ members: [(name: String, role: String, key: [UInt8])]) -> JSONValue {
        .array(members.map { .object(["name": .string($0.name), "role": .string($0.role), "key": .string(Hex.encode($0.key))]) })
    }

    static func tamperedKeyLedgers() throws -> [Tampered] {
        var cases: [Tampered] = []
        // 1. The founder registers the identity point and "signs" genesis and its acceptance.
        let body = JSONValue.object([
            "contract": .string(contract), "contract_hash": .string(Entry.contractHash(contract)),
            "members": rosterJSON([("yu", "micro-enterprise", identityKey),
                                   ("chef", "external-partner", key("chef").publicKey.rawRepresentation),
                                   ("farm", "external-partner", key("farm").publicKey.rawRepresentation)]),
            "nonce": .string(String(repeating: "04", count: 16)),
        ])
        var genesis = Entry(ledgerID: Entry.ledgerID(genesisBody: body), seq: 1, previousHash: Entry.zeroHash,
                            kind: GenesisKind.name, time: time(1), body: body)
        genesis.signatures = [forgedSignature(identityKey)]
        var accept = Entry(ledgerID: genesis.ledgerID, seq: 2, previousHash: Entry.hash(lineBytes: genesis.lineBytes),
                           kind: AcceptKind.name, time: time(2), body: .object(["contract_hash": .string(Entry.contractHash(contract))]))
        accept.signatures = [forgedSignature(identityKey)]
        cases.append(Tampered(name: "genesis-founder-identity-key", lines: [genesis.lineBytes, accept.lineBytes],
                              seq: 1, reason: "is a small-order point (nobody holds its private key)"))

        // 2. chef rotates to a point of order 8; anyone could then sign as chef.
        let valid = try basicLedger()
        let state4 = try valid.prefix(4).reduce(LedgerState()) { try $0.applying($1) }
        var rotate = try EntryBuilder.next(after: state4, kind: RotateKeyKind.name,
                                           body: ["member": .string("chef"), "new_key": .string(Hex.encode(orderEightKey))],
                                           time: time(6), signers: [key("chef")])
        rotate.signatures.append(forgedSignature(orderEightKey))
        cases.append(Tampered(name: "rotate-key-to-small-order-key", lines: valid.prefix(4).map(\.lineBytes) + [rotate.lineBytes],
                              seq: 5, reason: "is a small-order point (nobody holds its private key)"))

        // 3. A proposal brings in a joiner whose key is a non-canonical encoding (y = p + 2).
        let script = try lifecycleScript(upTo: 8)
        let joinContract = try fixtureText("ledgers/contracts/fixture-v3-join.emc")
        let joiner = JSONValue.object(["name": .string("oven"), "role": .string("micro-enterprise"), "key": .string(Hex.encode(nonCanonicalKey))])
        let propose = try script.crafted("propose", ["contract": .string(joinContract), "contract_hash": .string(Entry.contractHash(joinContract)),
                                                     "effective": .string("2020-07"), "reason": .string("the oven joins"),
                                                     "joiners": .array([joiner])],
                                         at: "2020-06-03T09:00:00Z", by: "yu")
        cases.append(Tampered(name: "joiner-non-canonical-key", lines: script.lines + [propose],
                              seq: 9, reason: "is not canonically encoded"))
        return cases
    }
}
