/// An error from key handling or a cryptographic primitive; `message` is one line a person can act on.
public struct CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case keyFileMissing, keyFileUnreadable, keyFilePermissions, keyEncrypted
        case keyMalformed, keyNotEd25519, keyFileExists, keyWriteFailed, primitiveFailed
        /// A small-order or non-canonically encoded Ed25519 public key (nobody holds its private key).
        case keyWeak
        /// An encrypted key file that the given passphrase does not open.
        case keyWrongPassphrase
        /// No ssh-agent, an agent that does not hold the key, or an agent that answered wrongly.
        case agentFailed
    }
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
