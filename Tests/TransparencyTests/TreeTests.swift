import Foundation
import Testing
import TestSupport
@testable import LedgerTransparency

@Suite struct TreeTests {
    @Test func rootsAgreeWithTheRecursiveDefinitionAndTheFrontier() throws {
        let tree = store(size: 600)
        let leaves = try (0..<600).map { try tree.leafHash(index: UInt64($0)) }
        var frontier = MerkleFrontier()
        for size in 0...600 {
            #expect(try tree.root(size: UInt64(size)) == referenceRoot(leaves.prefix(size)), "size \(size)")
            #expect(frontier.root == referenceRoot(leaves.prefix(size)))
            if size < 600 { frontier.append(leaves[size]) }
        }
        tree._checkInvariants()
    }

    /// The root of a growing tree (its cached frontier, extended leaf by leaf or rebuilt from the
    /// tiles after a long run of appends, and kept by a copy) is the recursive definition's.
    @Test func rootsOfAGrowingTreeAgreeWithTheRecursiveDefinition() throws {
        let full = store(size: 2_000)
        let leaves = try (0..<2_000).map { try full.leafHash(index: UInt64($0)) }
        let tree = TreeHashStore(origin: testOrigin)
        var size = 0
        var copy: TreeHashStore?
        // Steps of 1 (leaf by leaf), then 700 (a rebuild), then 1 again, then 255 at a tile edge.
        for step in [1, 1, 1, 5, 1, 700, 1, 1, 37, 255, 1, 1, 600] + Array(repeating: 1, count: 30) {
            for index in size..<size + step { tree.append(leafHash: leaves[index]) }
            size += step
            #expect(tree.root == referenceRoot(leaves.prefix(size)), "size \(size)")
            if size > 1_000 && copy == nil { copy = tree.copy() }
        }
        let copied = try #require(copy)
        let copiedSize = Int(copied.size)
        copied.append(leafHash: leaves[copiedSize])
        #expect(copied.root == referenceRoot(leaves.prefix(copiedSize + 1)), "a copy grows on its own")
        #expect(tree.root == referenceRoot(leaves.prefix(size)), "the original is unchanged by its copy")
    }

    /// The root a tree will have after some leaves (`root(appending:)`, what a server signs ahead)
    /// is the root after appending them, and asking it appends nothing.
    @Test func theRootAfterAppendingIsKnownWithoutAppending() throws {
        let full = store(size: 1_400)
        let leaves = try (0..<1_400).map { try full.leafHash(index: UInt64($0)) }
        let tree = TreeHashStore(origin: testOrigin)
        var random = SeededGenerator(seed: 29)
        var size = 0
        while size < 1_300 {
            let count = [0, 1, 1, 2, 3, 17, 256, 600].randomElement(using: &random)!
            let next = Array(leaves[size..<min(1_400, size + count)])
            let predicted = tree.root(appending: next)
            #expect(tree.size == UInt64(size), "asking appends nothing")
            for leaf in next { tree.append(leafHash: leaf) }
            size += next.count
            #expect(predicted == referenceRoot(leaves.prefix(size)), "size \(size)")
            #expect(tree.root == predicted)
        }
    }

    @Test func inclusionProofsVerifyForRandomSizesAndIndices() throws {
        var random = SeededGenerator(seed: 13)
        let tree = store(size: 70_000)
        for _ in 0..<300 {
            let size = UInt64.random(in: 1...70_000, using: &random)
            let index = UInt64.random(in: 0..<size, using: &random)
            let proof = try tree.inclusionProof(index: index, treeSize: size)
            let root = try tree.root(size: size)
            try proof.verify(leafHash: MerkleTree.leafHash(leafLine(Int(index))), root: root)
            // Any other leaf, index or size, or a changed hash, is refused.
            #expect(throws: TransparencyError.self) { try proof.verify(leafHash: MerkleTree.leafHash(leafLine(Int(index) + 1)), root: root) }
            var wrongIndex = proof
            wrongIndex.index = (index + 1) % size
            if wrongIndex.index != index && size > 1 {
                #expect(throws: TransparencyError.self) { try wrongIndex.verify(leafHash: MerkleTree.leafHash(leafLine(Int(index))), root: root) }
            }
            if !proof.hashes.isEmpty {
                var tampered = proof
                let position = Int.random(in: 0..<proof.hashes.count, using: &random)
                var bytes = tampered.hashes[position].bytes
                bytes[Int.random(in: 0..<32, using: &random)] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                tampered.hashes[position] = MerkleHash(bytes: bytes)!
                #expect(throws: TransparencyError.self) { try tampered.verify(leafHash: MerkleTree.leafHash(leafLine(Int(index))), root: root) }
            }
        }
    }

    @Test func consistencyProofsVerifyForRandomSizePairs() throws {
        var random = SeededGenerator(seed: 9162)
        let tree = store(size: 70_000)
        for _ in 0..<300 {
            let newSize = UInt64.random(in: 1...70_000, using: &random)
            let oldSize = UInt64.random(in: 0...newSize, using: &random)
            let proof = try tree.consistencyProof(oldSize: oldSize, newSize: newSize)
            let oldRoot = try tree.root(size: oldSize), newRoot = try tree.root(size: newSize)
            try proof.verify(oldRoot: oldRoot, newRoot: newRoot)
            if oldSize > 0 && oldSize < newSize {
                #expect(throws: TransparencyError.self) { try proof.verify(oldRoot: newRoot, newRoot: newRoot) }
                var tampered = proof
                var bytes = tampered.hashes[0].bytes
                bytes[0] ^= 0x80
                tampered.hashes[0] = MerkleHash(bytes: bytes)!
                #expect(throws: TransparencyError.self) { try tampered.verify(oldRoot: oldRoot, newRoot: newRoot) }
            }
        }
    }

    @Test func proofsOutsideTheTreeAreErrorsNotCrashes() throws {
        let tree = store(size: 10)
        #expect(throws: TransparencyError.self) { try tree.inclusionProof(index: 10, treeSize: 10) }
        #expect(throws: TransparencyError.self) { try tree.inclusionProof(index: 0, treeSize: 11) }
        #expect(throws: TransparencyError.self) { try tree.consistencyProof(oldSize: 5, newSize: 4) }
        let long = InclusionProof(index: 0, treeSize: 1, hashes: Array(repeating: MerkleTree.emptyRoot, count: 65))
        #expect(throws: TransparencyError.self) { try long.verify(leafHash: MerkleTree.emptyRoot, root: MerkleTree.emptyRoot) }
    }

    @Test func sidecarRoundTripsAndEveryDoubtIsARefusal() throws {
        let tree = store(size: 70_000)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emc-sidecar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ledger.tlog-hashes").path
        try tree.saveSidecar(path: path)
        let loaded = try TreeHashStore.loadSidecar(path: path, origin: tree.origin, size: tree.size, root: tree.root)
        #expect(loaded.root == tree.root)
        #expect(try loaded.inclusionProof(index: 12_345, treeSize: 69_999) == tree.inclusionProof(index: 12_345, treeSize: 69_999))
        loaded._checkInvariants()

        let bytes = tree.sidecarBytes()
        func refused(_ candidate: [UInt8], origin: String = testOrigin, size: UInt64 = 70_000, root: MerkleHash? = nil) -> Bool {
            do {
                _ = try TreeHashStore.loadSidecar(bytes: candidate, origin: origin, size: size, root: root ?? tree.root)
                return false
            } catch { return error.code == .sidecar }
        }
        #expect(refused(bytes, origin: Checkpoint.origin(ledgerID: String(repeating: "cd", count: 32))))
        #expect(refused(bytes, size: 69_999))
        #expect(refused(bytes, root: MerkleTree.emptyRoot))
        #expect(refused(Array(bytes.dropLast())))
        #expect(refused([]))
        #expect(refused(Array(repeating: 0, count: bytes.count)))
        var random = SeededGenerator(seed: 6962)
        for _ in 0..<40 {
            var flipped = bytes
            flipped[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            #expect(refused(flipped))
        }
        // A sidecar whose checksum is recomputed after a hash change is still refused (tiles are recomputed).
        var forged = Array(bytes.dropLast(32))
        forged[forged.count - 40] ^= 1
        #expect(refused(forged + SHA256Bridge.hash(forged)))
        #expect(throws: TransparencyError.self) {
            try TreeHashStore.loadSidecar(path: directory.appendingPathComponent("missing").path, origin: testOrigin, size: 1, root: tree.root)
        }
    }

    @Test func emptyAndTinyTreesHaveTheRFCRoots() throws {
        #expect(TreeHashStore(origin: testOrigin).root.base64 == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        let one = store(size: 1)
        #expect(one.root == MerkleTree.leafHash(leafLine(0)))
        #expect(try one.inclusionProof(index: 0, treeSize: 1).hashes.isEmpty)
    }
}

import LedgerCrypto
enum SHA256Bridge {
    static func hash(_ bytes: [UInt8]) -> [UInt8] { SHA256.hash(bytes) }
}
