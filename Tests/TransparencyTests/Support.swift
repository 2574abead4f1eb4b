import Foundation
import LedgerCrypto
@testable import LedgerTransparency

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fixtureData(_ relativePath: String) throws -> [UInt8] {
    Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/checkpoints/" + relativePath)))
}

/// Deterministic interop leaves: "leaf 0", "leaf 1", …
func leafLine(_ index: Int) -> [UInt8] { Array("leaf \(index)".utf8) }

func store(size: Int, origin: String = testOrigin) -> TreeHashStore {
    let store = TreeHashStore(origin: origin)
    for index in 0..<size { store.append(line: leafLine(index)) }
    return store
}

let testOrigin = Checkpoint.origin(ledgerID: String(repeating: "ab", count: 32))

/// A member key from a name: seed = SHA-256("emc-test-note-key/" ‖ name).
func memberKey(_ name: String) -> PrivateKey {
    try! PrivateKey(seed: SHA256.hash(Array("emc-test-note-key/\(name)".utf8)))
}

func member(_ name: String) -> CheckpointPolicy.Member {
    CheckpointPolicy.Member(name: name, publicKey: memberKey(name).publicKey)
}

func signer(_ name: String) -> NoteSigner { try! NoteSigner(name: name, privateKey: memberKey(name)) }
func cosigner(_ name: String) -> NoteSigner { try! NoteSigner(name: name, privateKey: memberKey(name), type: .cosignatureV1) }

/// A checkpoint of `tree` signed by `signerName` and cosigned by each of `cosignerNames`.
func signedCheckpoint(_ tree: TreeHashStore, size: UInt64? = nil, by signerName: String = "alice",
                      cosigners cosignerNames: [String] = ["bob"]) throws -> SignedCheckpoint {
    let size = size ?? tree.size
    var signed = try SignedCheckpoint(Checkpoint(origin: tree.origin, size: size, root: tree.root(size: size)), signer: signer(signerName))
    for name in cosignerNames { try signed.cosign(with: cosigner(name), timestamp: 1_700_000_000 + size) }
    return signed
}

/// RFC 9162 §2.1.1 MTH written the direct recursive way, for comparison.
func referenceRoot(_ leaves: ArraySlice<MerkleHash>) -> MerkleHash {
    if leaves.isEmpty { return MerkleTree.emptyRoot }
    if leaves.count == 1 { return leaves.first! }
    let split = Int(MerkleTree.splitPoint(UInt64(leaves.count)))
    return MerkleTree.nodeHash(referenceRoot(leaves.prefix(split)), referenceRoot(leaves.dropFirst(split)))
}
