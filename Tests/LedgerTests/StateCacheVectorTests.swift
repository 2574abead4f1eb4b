import Foundation
@testable import LedgerStorage
import LedgerCrypto
import Testing

/// `Fixtures/vectors/state-cache.json` (SPEC.md §1.9), made by `make_state_cache_vectors.py` from the
/// SPEC alone: the cache key of the fixture key yu for the worked example's ledger, a sealed cache
/// file, and which existing files a save may overwrite.
@Suite struct StateCacheVectorTests {
    struct Vectors: Decodable {
        struct Overwrite: Decodable {
            let name: String
            let content: String
            let may_overwrite: Bool
            let may_overwrite_as_temporary: Bool
        }
        let seed, key_id, ledger_id, signed_message, signature, cache_key, cache_file: String
        let overwrite: [Overwrite]
    }

    static func vectors() throws -> Vectors {
        try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: fixturesRoot.appendingPathComponent("vectors/state-cache.json")))
    }

    @Test func cacheKeyAndMACAreTheSpecs() throws {
        let vectors = try Self.vectors()
        let yu = try PrivateKey(seed: try #require(Hex.decode(vectors.seed)))
        #expect(yu.publicKey.keyID == vectors.key_id)
        #expect(Hex.encode(StateCacheKey.signedPrefix + Array(vectors.ledger_id.utf8)) == vectors.signed_message)
        #expect(Hex.encode(try yu.signature(for: try #require(Hex.decode(vectors.signed_message)))) == vectors.signature)
        let key = try StateCacheKey(member: yu, ledgerID: vectors.ledger_id)
        #expect(Hex.encode(key.secret) == vectors.cache_key)
        // The MAC line authenticates every byte before it.
        let file = Array(vectors.cache_file.utf8)
        let body = Array(file[...file.dropLast().lastIndex(of: 0x0a)!])
        #expect(StateCache.seal(body, key: key) == file)
    }

    @Test func aSaveOverwritesOnlyCachesOfTheSameLedger() throws {
        let vectors = try Self.vectors()
        #expect(vectors.overwrite.count >= 10)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emc-cache-vectors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, vector) in vectors.overwrite.enumerated() {
            let path = directory.appendingPathComponent("case-\(index)").path
            try Data(vector.content.utf8).write(to: URL(fileURLWithPath: path))
            let asCache = (try? StateCache.checkWritable(path, ledgerID: vectors.ledger_id)) != nil
            let asTemporary = (try? StateCache.checkWritable(path, ledgerID: vectors.ledger_id, allowEmpty: true)) != nil
            #expect(asCache == vector.may_overwrite, "\(vector.name)")
            #expect(asTemporary == vector.may_overwrite_as_temporary, "\(vector.name) (temporary name)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(vector.content.utf8), "checking writes nothing")
        }
        // A link is never written through, even to a cache of the same ledger; a missing file may be created.
        let target = directory.appendingPathComponent("case-0").path
        let link = directory.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect(throws: (any Error).self) { try StateCache.checkWritable(link, ledgerID: vectors.ledger_id, allowEmpty: true) }
        try StateCache.checkWritable(directory.appendingPathComponent("missing").path, ledgerID: vectors.ledger_id)
    }
}
