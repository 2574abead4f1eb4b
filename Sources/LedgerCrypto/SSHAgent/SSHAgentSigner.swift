/// Signs through a running ssh-agent that holds an Ed25519 key (so the key may live on a hardware
/// token). The agent signs the exact message (draft-miller-ssh-agent, SSH2_AGENTC_SIGN_REQUEST);
/// every signature it returns is verified here, in libcrypto, before use, so an agent that answers
/// wrongly is an error, never a bad entry.
public struct SSHAgentSigner: EntrySigner {
    public let publicKey: PublicKey
    /// The agent's unix socket (`SSH_AUTH_SOCK`).
    public let socketPath: String
    private let keyBlob: [UInt8]

    /// The agent identity whose key is `publicKey`; throws when there is no agent or it lacks the key.
    public init(publicKey: PublicKey, socketPath: String) throws(CryptoError) {
        self.publicKey = publicKey
        self.socketPath = socketPath
        self.keyBlob = OpenSSHKeys.blob(of: publicKey)
        let identities = try SSHAgentConnection.identities(socketPath: socketPath)
        guard identities.contains(keyBlob) else {
            throw CryptoError(.agentFailed, "the ssh-agent at \(socketPath) does not hold the Ed25519 key \(publicKey.keyID); add it with `ssh-add`")
        }
    }

    public func signature(for message: [UInt8]) throws(CryptoError) -> [UInt8] {
        let signature = try SSHAgentConnection.sign(message, keyBlob: keyBlob, socketPath: socketPath)
        guard publicKey.isValidSignature(signature, for: message) else {
            throw CryptoError(.agentFailed, "the ssh-agent at \(socketPath) returned a signature that does not verify for key \(publicKey.keyID)")
        }
        return signature
    }
}
