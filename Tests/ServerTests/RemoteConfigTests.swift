import Foundation
import LedgerClient
import Testing

/// The remote configuration file of SPEC §5.12.1, from the hand-written files in Fixtures/remote/.
@Suite struct RemoteConfigTests {
    static let folder = packageRoot.appendingPathComponent("Fixtures/remote")

    static func files(_ kind: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(kind).path)) ?? []
        return names.filter { $0.hasSuffix(".emc-remote") }.sorted()
    }

    @Test func fixturesArePresent() {
        #expect(Self.files("valid").count >= 2)
        #expect(Self.files("invalid").count >= 7)
    }

    @Test(arguments: files("valid")) func validFileReadsAndWritesBackByteForByte(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: Self.folder.appendingPathComponent("valid/\(name)")))
        let config = try RemoteConfig(parsing: bytes, file: name)
        #expect(config.encoded == bytes)
        #expect(config.origin == "emc.ledger/v1/" + config.ledgerID)
    }

    @Test(arguments: files("invalid")) func invalidFileIsRefused(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: Self.folder.appendingPathComponent("invalid/\(name)")))
        #expect(throws: ClientError.self) { try RemoteConfig(parsing: bytes, file: name) }
    }
}
