import Foundation
import LedgerCrypto
import Testing

@Suite struct SHA256Tests {
    @Test("SHA-256 matches FIPS 180-2 vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(input: String, expected: String) {
        #expect(Hex.encode(SHA256.hash(Array(input.utf8))) == expected)
    }
}

@Suite struct Ed25519Tests {
    // RFC 8032 section 7.1, test 1 and test 2.
    @Test("Ed25519 matches RFC 8032 vectors", arguments: [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ])
    func rfc8032(seed: String, publicKey: String, message: String, signature: String) throws {
        let key = try PrivateKey(seed: Hex.decode(seed)!)
        #expect(Hex.encode(key.publicKey.rawRepresentation) == publicKey)
        let produced = try key.signature(for: Hex.decode(message)!)
        #expect(Hex.encode(produced) == signature)
        #expect(key.publicKey.isValidSignature(produced, for: Hex.decode(message)!))
    }

    @Test func verifyRejectsAnyAlteredByte() throws {
        let key = try PrivateKey(seed: [UInt8](repeating: 7, count: 32))
        let message = Array("pay chef 1000.00".utf8)
        let signature = try key.signature(for: message)
        for index in signature.indices {
            var bad = signature
            bad[index] ^= 0x01
            #expect(!key.publicKey.isValidSignature(bad, for: message), "flipped signature byte \(index) still verified")
        }
        for index in message.indices {
            var bad = message
            bad[index] ^= 0x20
            #expect(!key.publicKey.isValidSignature(signature, for: bad))
        }
        #expect(!key.publicKey.isValidSignature(Array(signature.prefix(63)), for: message))
    }

    /// A decoded key makes its libcrypto object on first use: threads that all verify with a key
    /// nobody used yet each get the right answer (the race to make it is a compare-and-swap).
    @Test func aDecodedKeyVerifiesFromManyThreadsAtOnce() async throws {
        let signer = try PrivateKey(seed: [UInt8](repeating: 9, count: 32))
        let message = Array("report revenue 2490-04".utf8)
        let signature = try signer.signature(for: message)
        for _ in 0..<50 {
            let key = try PublicKey(rawRepresentation: signer.publicKey.rawRepresentation)
            let answers = await withTaskGroup(of: [Bool].self) { group in
                for _ in 0..<8 {
                    group.addTask { [key.isValidSignature(signature, for: message), !key.isValidSignature(signature, for: message + [0])] }
                }
                return await group.reduce(into: []) { $0 += $1 }
            }
            #expect(answers.count == 16 && answers.allSatisfy { $0 })
        }
    }

    @Test func keyIDIsSpecifiedHashPrefix() throws {
        let key = try PrivateKey(seed: Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!)
        let expected = Hex.encode(SHA256.hash(Array("emc-key-id-v1".utf8) + [0] + key.publicKey.rawRepresentation).prefix(8))
        #expect(key.publicKey.keyID == expected)
        #expect(key.publicKey.keyID.count == 16)
    }
}

@Suite struct KeyFileTests {
    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("emc-keys-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func writtenKeysLoadBackWithRightModes() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try PrivateKey()
        let paths = try KeyFiles.write(key, name: "chef", directory: directory)
        let attributes = try FileManager.default.attributesOfItem(atPath: paths.privatePath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let loaded = try KeyFiles.loadPrivateKey(path: paths.privatePath)
        #expect(loaded.publicKey == key.publicKey)
        #expect(try KeyFiles.loadPublicKey(path: paths.publicPath) == key.publicKey)
        #expect(throws: CryptoError.self) { try KeyFiles.write(key, name: "chef", directory: directory) }
    }

    @Test func worldReadablePrivateKeyIsRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = try KeyFiles.write(try PrivateKey(), name: "farm", directory: directory)
        chmod(paths.privatePath, 0o644)
        #expect { try KeyFiles.loadPrivateKey(path: paths.privatePath) } throws: { error in
            (error as? CryptoError)?.code == .keyFilePermissions
        }
    }

    @Test("bad key text gives a clear error", arguments: [
        ("garbage", "hello, not a key\n", CryptoError.Code.keyMalformed),
        ("truncated", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIKzhnQOL2AH2jOmiU\n", .keyMalformed),
        ("encrypted", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhr\n-----END ENCRYPTED PRIVATE KEY-----\n", .keyEncrypted),
        ("public-as-private", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAqOrrmpmJUXrd/FTqqRt2Z4cf1V3Fz5FPAEH9ityCNQA=\n-----END PUBLIC KEY-----\n", .keyMalformed),
    ])
    func badPrivateKeys(label: String, text: String, code: CryptoError.Code) {
        #expect { try KeyFiles.parsePrivateKey(pem: text, source: label) } throws: { error in
            (error as? CryptoError)?.code == code && (error as? CryptoError)?.message.hasPrefix(label) == true
        }
    }
}
