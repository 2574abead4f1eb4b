import ContractLanguage
import Foundation
@testable import Ledger
@testable import LedgerFormat
import LedgerCrypto

/// Tampered ledgers for "one key, one member, ever" (issue 11 finding 7; SPEC.md §1.2, §3.4).
extension FixtureFactory {
    static let joinContract = try! fixtureText("ledgers/contracts/fixture-v3-join.emc")

    static func joinerJSON(_ name: String, key keyName: String, role: String = "micro-enterprise") -> JSONValue {
        .object(["name": .string(name), "role": .string(role), "key": .string(Hex.encode(key(keyName).publicKey.rawRepresentation))])
    }

    static func proposeBody(_ text: String, effective: String, joiners: [JSONValue]) -> [String: JSONValue] {
        ["contract": .string(text), "contract_hash": .string(Entry.contractHash(text)), "effective": .string(effective),
         "reason": .string("the oven joins"), "joiners": .array(joiners)]
    }

    /// The lifecycle ledger up to its first settlement, then yu proposes version 3 with the oven joining.
    static func ovenProposalScript() throws -> LedgerScript {
        var script = try lifecycleScript(upTo: 8)
        try script.add { try EntryBuilder.propose(after: $0, contract: joinContract, effective: Period("2020-07")!, reason: "the oven joins",
                                                  joiners: [EntryBuilder.RosterMember(name: "oven", role: "micro-enterprise", key: key("oven").publicKey)],
                                                  time: stamp("2020-06-03T09:00:00Z"), key: key("yu"), bindRendering: false) }
        return script
    }

    static func tamperedMembershipLedgers() throws -> [Tampered] {
        var cases: [Tampered] = []
        let settled = try lifecycleScript(upTo: 8)
        cases.append(Tampered(name: "two-joiners-one-key",
                              lines: settled.lines + [try settled.crafted("propose", proposeBody(joinContract, effective: "2020-07",
                                                                                                  joiners: [joinerJSON("oven", key: "oven"), joinerJSON("oven2", key: "oven")]),
                                                                          at: "2020-06-03T09:00:00Z", by: "yu")],
                              seq: 9, reason: "joining members share key \(key("oven").publicKey.keyID)"))

        let proposed = try ovenProposalScript()
        let rotate = try EntryBuilder.next(after: proposed.state, kind: RotateKeyKind.name,
                                           body: ["member": .string("chef"), "new_key": .string(Hex.encode(key("oven").publicKey.rawRepresentation))],
                                           time: stamp("2020-06-04T09:00:00Z"), signers: [key("chef"), key("oven")])
        cases.append(Tampered(name: "rotate-key-to-pending-joiner-key", lines: proposed.lines + [rotate.lineBytes],
                              seq: 10, reason: "key \(key("oven").publicKey.keyID) has already been registered on this ledger"))

        var rejectedProposal = try ovenProposalScript()
        try rejectedProposal.add { try EntryBuilder.vote(after: $0, proposal: 9, approve: false, time: stamp("2020-06-04T09:00:00Z"), key: key("chef")) }
        cases.append(Tampered(name: "joiner-key-of-rejected-proposal",
                              lines: rejectedProposal.lines + [try rejectedProposal.crafted("propose", proposeBody(joinContract, effective: "2020-07",
                                                                                                                    joiners: [joinerJSON("oven", key: "oven")]),
                                                                                            at: "2020-06-05T09:00:00Z", by: "yu")],
                              seq: 11, reason: "key \(key("oven").publicKey.keyID) has already been registered on this ledger"))

        // Version 3 is adopted (the farm leaves); the farm may not come back under its old name.
        var adopted = try ovenProposalScript()
        try adopted.add { try EntryBuilder.vote(after: $0, proposal: 9, approve: true, time: stamp("2020-06-04T09:00:00Z"), key: key("chef")) }
        try adopted.add { try EntryBuilder.vote(after: $0, proposal: 9, approve: true, time: stamp("2020-06-04T10:00:00Z"), key: key("farm")) }
        try adopted.add { try EntryBuilder.accept(after: $0, contractHash: Entry.contractHash(joinContract), time: stamp("2020-06-04T11:00:00Z"), key: key("oven"), bindRendering: false) }
        cases.append(Tampered(name: "former-member-name-rejoins",
                              lines: adopted.lines + [try adopted.crafted("propose", proposeBody(contractV2, effective: "2020-08",
                                                                                                  joiners: [joinerJSON("farm", key: "farm-2", role: "external-partner")]),
                                                                          at: "2020-06-05T09:00:00Z", by: "yu")],
                              seq: 13, reason: "\"farm\" is or was already a member; a name identifies one member, ever"))
        return cases
    }
}
