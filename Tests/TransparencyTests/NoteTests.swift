import Foundation
import LedgerCrypto
import Testing
import TestSupport
@testable import LedgerTransparency

@Suite struct NoteTests {
    static let members = [member("alice"), member("bob")]
    static let policy = CheckpointPolicy(origin: testOrigin)

    @Test func aCosignedCheckpointRoundTripsAndCounts() throws {
        let signed = try signedCheckpoint(store(size: 300))
        let parsed = try SignedCheckpoint(parsing: signed.encoded)
        #expect(parsed == signed)
        #expect(parsed.encoded == signed.encoded)
        #expect(try Self.policy.check(parsed, activeMembers: Self.members) == ["alice", "bob"])
        let cosignature = try #require(parsed.note.signatures.compactMap(Cosignature.init).first { $0.name == "bob" })
        #expect(cosignature.timestamp == 1_700_000_300)
    }

    @Test func everySingleByteChangeOfACheckpointIsRefused() throws {
        let bytes = try signedCheckpoint(store(size: 5)).encoded
        var random = SeededGenerator(seed: 1)
        for position in 0..<bytes.count {
            var changed = bytes
            changed[position] ^= UInt8.random(in: 1...255, using: &random)
            #expect(!Self.counts(changed), "byte \(position)")
        }
    }

    static func counts(_ bytes: [UInt8]) -> Bool {
        guard let parsed = try? SignedCheckpoint(parsing: bytes) else { return false }
        return (try? policy.check(parsed, activeMembers: members)) != nil
    }

    @Test func theQuorumDecides() throws {
        let tree = store(size: 3)
        let onlyAlice = try signedCheckpoint(tree, cosigners: [])
        #expect(throws: TransparencyError.self) { try Self.policy.check(onlyAlice, activeMembers: Self.members) }
        #expect(try CheckpointPolicy(origin: testOrigin, quorum: 1).check(onlyAlice, activeMembers: Self.members) == ["alice"])
        // A rotated key: the member's old key no longer counts once the roster has the new one.
        let rotated = [member("alice"), CheckpointPolicy.Member(name: "bob", publicKey: memberKey("bob-2").publicKey)]
        let signed = try signedCheckpoint(tree)
        #expect(throws: TransparencyError.self) { try Self.policy.check(signed, activeMembers: rotated) }
        #expect(throws: TransparencyError.self) { try CheckpointPolicy(origin: "other", quorum: 1).check(signed, activeMembers: Self.members) }
        #expect(throws: TransparencyError.self) { try CheckpointPolicy(origin: testOrigin, quorum: 3).check(signed, activeMembers: Self.members) }
    }

    @Test func signedNoteRules() throws {
        let good = try signedCheckpoint(store(size: 2), cosigners: []).encoded
        let text = Array(try SignedCheckpoint(parsing: good).note.text.utf8)
        let line = Array(good[(text.count + 1)...])
        func refused(_ bytes: [UInt8]) -> Bool { (try? SignedNote(parsing: bytes)) == nil }
        #expect(refused(Array(good.dropLast())))                    // no final newline
        #expect(refused(text + line))                                // no blank line
        #expect(refused(text + [0x0a]))                              // no signatures
        #expect(refused(text + [0x0a, 0x09] + line))                 // a control character
        #expect(refused(text + [0x0a, 0xff] + line))                 // invalid UTF-8
        #expect(refused(text + [0x0a] + Array("— alice AAAA\n".utf8))) // fewer than 5 bytes
        #expect(refused(text + [0x0a] + Array("— a+b AAAAAAA=\n".utf8)))
        #expect(refused(text + [0x0a] + Array("- alice AAAAAAA=\n".utf8)))
        // Up to 100 signatures are read, unknown keys ignored; 101 are refused.
        let unknown = Array("— carol AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n".utf8)
        let hundred = good + Array(repeating: unknown, count: 99).flatMap { $0 }
        let note = try SignedNote(parsing: hundred)
        #expect(note.signatures.count == 100)
        #expect(try note.verifiedSigners(CheckpointPolicy.verifiers(for: [member("alice")])).map(\.name) == ["alice"])
        #expect(refused(hundred + unknown))
        // A known key with a bad signature rejects the note; only unknown keys is "untrusted".
        #expect(throws: TransparencyError(.untrusted, "no signature by a trusted key")) {
            try note.verifiedSigners(CheckpointPolicy.verifiers(for: [member("dave")]))
        }
        var forged = note
        forged.signatures[0].signature[0] ^= 1
        #expect(throws: TransparencyError.self) { try forged.verifiedSigners(CheckpointPolicy.verifiers(for: [member("alice")])) }
    }

    @Test func verifierKeysParseLikeGo() throws {
        // The C2SP signed-note example.
        let example = try NoteVerifier(verifierKey: "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
        #expect(example.verifierKey == "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
        let note = try SignedNote(parsing: Array("This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n".utf8))
        #expect(try note.verifiedSigners([example]) == [example])
        #expect(try NoteVerifier(verifierKey: "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k") == example)
        for bad in ["example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
                    "example.com/foo+530d903+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
                    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2",
                    "example com+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
                    "example.com/foo", ""] {
            #expect(throws: TransparencyError.self) { try NoteVerifier(verifierKey: bad) }
        }
        // A small-order key can sign nothing: not even a verifier key can name one.
        let identity = [UInt8(0x01)] + [UInt8](repeating: 0, count: 32)
        let weakID = NoteVerifier.keyID(name: "weak", type: .ed25519, publicKey: Array(identity[1...]))
        let weakKey = "weak+\(Hex.encode(bigEndianBytes(UInt64(weakID)).suffix(4)))+\(Base64.encode(identity))"
        #expect(throws: TransparencyError.self) { try NoteVerifier(verifierKey: weakKey) }
        let vkey = try NoteVerifier(name: "alice", publicKey: memberKey("alice").publicKey).verifierKey
        #expect(try NoteVerifier(verifierKey: vkey).verifierKey == vkey)
    }

    @Test func checkpointBodyRules() throws {
        let root = MerkleTree.emptyRoot.base64
        for bad in ["o\n01\n\(root)\n", "o\n1\n\(root)", "o\n-1\n\(root)\n", "\n1\n\(root)\n", "o\n1\n\(root)\n\n",
                    "o\n1\nAAAA\n", "o\n9223372036854775808\n\(root)\n", "o\n1\n"] {
            #expect(throws: TransparencyError.self) { try Checkpoint(body: bad) }
        }
        let withExtension = try Checkpoint(body: "o\n0\n\(root)\nextra line\n")
        #expect(withExtension.extensions == ["extra line"])
        #expect(withExtension.body == "o\n0\n\(root)\nextra line\n")
    }

    @Test func base64IsStrict() {
        #expect(Base64.decode("AA==") == [0])
        #expect(Base64.decode("AB==") == nil)
        #expect(Base64.decode("AA=") == nil)
        #expect(Base64.decode("A===") == nil)
        #expect(Base64.decode("AA=A") == nil)
        var random = SeededGenerator(seed: 4648)
        for count in 0..<70 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
            #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
            #expect(Base64.decode(symbols: Array(Base64.encode(bytes).utf8)[...]) == bytes)
        }
    }

    /// Law: `decode` accepts exactly the strings `encode` writes, and reads them as Foundation does
    /// (which also accepts non-canonical padding bits). Every string of up to two groups over
    /// symbols of each class: letters, digits, `+`, `/`, `=`, and bytes outside the alphabet.
    @Test func base64DecodesExactlyWhatEncodeWrites() {
        let symbols = Array("AQgw9+/=!\n".utf8)
        var strings: [[UInt8]] = [[]]
        for length in 1...4 {
            strings += strings.filter { $0.count == length - 1 }.flatMap { prefix in symbols.map { prefix + [$0] } }
        }
        strings += strings.filter { $0.count == 4 }.flatMap { [Array("AAAA".utf8) + $0, $0 + Array("AAAA".utf8)] }
        var accepted = 0
        for string in strings {
            let text = String(decoding: string, as: UTF8.self)
            let decoded = Base64.decode(text)
            #expect(decoded == Base64.decode(symbols: string[...]), "\(text)")
            let foundation = Data(base64Encoded: text).map { [UInt8]($0) }
            if let decoded {
                accepted += 1
                #expect(Base64.encode(decoded) == text, "\(text) is not canonical")
                #expect(foundation == decoded, "\(text)")
            } else if let foundation {
                #expect(Base64.encode(foundation) != text, "\(text) is canonical and was refused")
            }
        }
        #expect(accepted > 100)
    }
}
