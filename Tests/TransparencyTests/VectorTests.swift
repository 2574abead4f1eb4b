import Foundation
import LedgerCrypto
import Testing
@testable import LedgerTransparency

/// SPEC Part 4's worked example: tree values from `make_tree_vectors.py` (Python hashlib), signed
/// parts from `make_note_vectors.sh` (Go's x/mod note and crypto/ed25519), checked here.
@Suite struct VectorTests {
    struct Tree: Decodable {
        struct Proof: Decodable { var index: UInt64?; var tree_size: UInt64?; var old_size: UInt64?; var new_size: UInt64?; var hashes_base64: [String] }
        var lines: [String]
        var leaf_hashes_hex: [String]
        var roots_base64: [String]
        var inclusion: Proof
        var consistency: Proof
        var interop_roots_base64: [String: String]
    }

    static let tree = try! JSONDecoder().decode(Tree.self, from: Data(fixtureData("tree.json")))
    static let exampleOrigin = "emc.ledger/v1/3f8db1efa883c4467c78c0d8f0a8736ef482e0ff246a0d0a21d33a3d69ef94a9"
    static let alice = try! PrivateKey(seed: Hex.decode("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")!)
    static let bob = try! PrivateKey(seed: Hex.decode("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f")!)
    static let members = [CheckpointPolicy.Member(name: "alice", publicKey: alice.publicKey),
                          CheckpointPolicy.Member(name: "bob", publicKey: bob.publicKey)]

    static func exampleStore() -> TreeHashStore {
        let store = TreeHashStore(origin: exampleOrigin)
        for line in tree.lines { store.append(line: Array(line.utf8)) }
        return store
    }

    @Test func treeValuesMatchThePythonComputation() throws {
        let store = Self.exampleStore()
        for (index, hex) in Self.tree.leaf_hashes_hex.enumerated() {
            #expect(try store.leafHash(index: UInt64(index)).bytes == Hex.decode(hex))
        }
        for (size, root) in Self.tree.roots_base64.enumerated() {
            #expect(try store.root(size: UInt64(size)).base64 == root)
        }
        let inclusion = try store.inclusionProof(index: 3, treeSize: 7)
        #expect(inclusion.hashes.map(\.base64) == Self.tree.inclusion.hashes_base64)
        let consistency = try store.consistencyProof(oldSize: 3, newSize: 7)
        #expect(consistency.hashes.map(\.base64) == Self.tree.consistency.hashes_base64)
        for (size, root) in Self.tree.interop_roots_base64 {
            #expect(TransparencyTests.store(size: Int(size)!).root.base64 == root, "size \(size)")
        }
    }

    @Test func theSwiftSignaturesAreByteIdenticalToGos() throws {
        let goBytes = try fixtureData("example-7.checkpoint")
        var signed = try SignedCheckpoint(Checkpoint(origin: Self.exampleOrigin, size: 7, root: Self.exampleStore().root),
                                          signer: NoteSigner(name: "alice", privateKey: Self.alice))
        try signed.cosign(with: NoteSigner(name: "bob", privateKey: Self.bob, type: .cosignatureV1), timestamp: 1_700_000_000)
        #expect(signed.encoded == goBytes)
        let keys = String(decoding: try fixtureData("example.keys"), as: UTF8.self)
        #expect(keys.contains("vkey " + (try NoteVerifier(name: "alice", publicKey: Self.alice.publicKey)).verifierKey + "\n"))
    }

    @Test func theExampleProofsVerify() throws {
        let policy = CheckpointPolicy(origin: Self.exampleOrigin)
        let proof = try TlogProof(parsing: fixtureData("example.tlog-proof"))
        #expect(try proof.verify(line: fixtureData("example-entry-3.line"), policy: policy, activeMembers: Self.members) == ["alice", "bob"])
        let old = try SignedCheckpoint(parsing: fixtureData("example-3.checkpoint"))
        _ = try policy.check(old, activeMembers: Self.members)
        let update = try CheckpointUpdate(parsing: fixtureData("example.update"))
        _ = try policy.check(update.checkpoint, activeMembers: Self.members)
        try update.verify(extending: old.checkpoint)
        #expect(proof.encoded == (try fixtureData("example.tlog-proof")))
        #expect(update.encoded == (try fixtureData("example.update")))
    }

    /// SPEC §4.10 shows the fixture files verbatim.
    @Test func theSpecShowsTheFixtures() throws {
        let spec = try String(contentsOf: repositoryRoot.appendingPathComponent("SPEC.md"), encoding: .utf8)
        for name in ["example-7.checkpoint", "example.tlog-proof", "example.update"] {
            #expect(spec.contains("```\n" + String(decoding: try fixtureData(name), as: UTF8.self) + "```"), "\(name)")
        }
        #expect(spec.contains(Self.tree.roots_base64[7]) && spec.contains(Self.tree.leaf_hashes_hex[0]))
    }
}
