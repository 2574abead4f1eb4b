/// Something that makes Ed25519 signatures for one public key: a private key in this process
/// (`PrivateKey`) or a key held elsewhere (`SSHAgentSigner`). Every signature a signer returns is
/// a valid Ed25519 signature of exactly `message` by `publicKey`; one held elsewhere is verified
/// here, in libcrypto, before it is returned.
public protocol EntrySigner: Sendable {
    var publicKey: PublicKey { get }
    func signature(for message: [UInt8]) throws(CryptoError) -> [UInt8]
}

extension PrivateKey: EntrySigner {}
