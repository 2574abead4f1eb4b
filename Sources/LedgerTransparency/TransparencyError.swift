/// An error from the transparency layer: `reason` is one lowercase line a person can act on.
public struct TransparencyError: Error, Equatable, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The bytes are not a well-formed signed note, checkpoint, proof or fork proof.
        public static let malformed = Code(rawValue: "malformed")
        /// A limit (bytes, lines, signatures, proof length) was exceeded.
        public static let limit = Code(rawValue: "limit")
        /// A signature by a trusted key does not verify.
        public static let badSignature = Code(rawValue: "bad-signature")
        /// No signature by a trusted key, or too few for the policy.
        public static let untrusted = Code(rawValue: "untrusted")
        /// A Merkle proof does not lead to the expected root.
        public static let proofFailed = Code(rawValue: "proof-failed")
        /// A size or index outside the tree.
        public static let outOfRange = Code(rawValue: "out-of-range")
        /// A key or key name that may not be used.
        public static let badKey = Code(rawValue: "bad-key")
        /// Two checkpoints that should be comparable are not (other origin, no conflict).
        public static let notAFork = Code(rawValue: "not-a-fork")
        /// The hash sidecar could not be used (it is only a cache: rebuild from the leaves).
        public static let sidecar = Code(rawValue: "sidecar")
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
