import ContractLanguage
import Foundation
@testable import Ledger
@testable import LedgerFormat
import LedgerCrypto

/// Tampered ledgers for the rendering binding (SPEC.md §2.14, §3.2, §3.4): an `accept` or a
/// `propose` that claims the rendering of another contract is rejected.
extension FixtureFactory {
    static func renderingHash(_ text: String) -> String {
        Entry.renderingHash(checkContract(source: text).contract!.plainLanguage().text)
    }

    static func tamperedRenderingLedgers() throws -> [Tampered] {
        let genesis = try lifecycleScript(upTo: 1)
        let acceptOther = try genesis.crafted("accept", ["contract_hash": .string(Entry.contractHash(contract)),
                                                         "rendering": .string(renderingHash(contractV2))],
                                              at: "2020-05-02T09:00:00Z", by: "yu")
        let settled = try lifecycleScript(upTo: 8)
        let proposeOther = try settled.crafted("propose", [
            "contract": .string(contractV2), "contract_hash": .string(Entry.contractHash(contractV2)),
            "effective": .string("2020-07"), "reason": .string("the chef's recipes drive sales"), "joiners": .array([]),
            "rendering": .string(renderingHash(contract)),
        ], at: "2020-06-03T09:00:00Z", by: "yu")
        return [
            Tampered(name: "accept-with-another-rendering", lines: genesis.lines + [acceptOther], seq: 2,
                     reason: "is not the plain-language rendering of contract version 1"),
            Tampered(name: "propose-with-another-rendering", lines: settled.lines + [proposeOther], seq: 9,
                     reason: "is not the plain-language rendering of the proposed contract"),
        ]
    }
}
