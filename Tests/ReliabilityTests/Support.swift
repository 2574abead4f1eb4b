import Foundation
import FuzzTargets
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto
import Testing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh temporary directory; the caller removes it.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("emc-reliability-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func fileBytes(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
}

/// A seed from the environment (to reproduce a failure) or the fixed default.
func seed(_ variable: String, default value: UInt64) -> UInt64 {
    ProcessInfo.processInfo.environment[variable].flatMap { UInt64($0) } ?? value
}

/// The deterministic valid ledger the reliability tests build on (a checked contract whose members
/// are the roster): FuzzFixture's prefix, then key rotations of member yu.
enum ReliabilityLedger {
    static var contractHash: String { Entry.contractHash(FuzzFixture.contractText) }

    static func yuKey(_ rotations: Int) -> PrivateKey {
        rotations == 0 ? FuzzFixture.key("yu") : FuzzFixture.key("yu-rotation-\(rotations)")
    }

    /// The rotation of yu's key that follows `state` (yu's current key must be one of `yuKey`'s).
    static func nextRotation(after state: LedgerState) throws -> Entry {
        let current = try #require(state.member(named: "yu")).key
        let rotations = try #require((0..<100_000).first { yuKey($0).publicKey == current }, "yu's key is not a fixture key")
        return try EntryBuilder.rotateKey(after: state, member: "yu", oldKey: yuKey(rotations), newKey: yuKey(rotations + 1),
                                          time: Timestamp(secondsSinceEpoch: 1_600_000_000 + state.headSeq))
    }
}

import ContractLanguage

func checkContractDiagnostics(_ source: String) -> [String] {
    checkContract(source: source).diagnostics.map { "\($0)" }
}
