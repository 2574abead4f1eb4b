/// Encodings of Ed25519 public keys that nobody holds a private key for (SPEC.md §1.2).
///
/// OpenSSL accepts them, and with such a key the "signature" R = identity, S = 0 verifies for any
/// message: anyone could sign as its holder. A key is refused when its y coordinate is not below
/// p = 2^255 − 19 (a non-canonical encoding) or when it is one of libsodium's `has_small_order`
/// encodings (`crypto_core/ed25519/ref10/ed25519_ref10.c`): the points of order 1, 2, 4 and 8,
/// with either sign bit. Mixed-order keys are no forgery risk for others and are accepted.
public enum Ed25519PointValidation {
    public enum Problem: Sendable, Equatable {
        /// y ≥ p: the same point has a shorter (canonical) encoding, or none at all.
        case nonCanonical
        /// A point of order 1, 2, 4 or 8.
        case smallOrder
    }

    /// libsodium's blocklist, compared with the sign bit (bit 255) cleared: y = 0 (order 4),
    /// y = 1 (the identity), the two y values of the points of order 8, y = p − 1 (order 2),
    /// and the non-canonical y = p (≡ 0) and y = p + 1 (≡ 1).
    public static let smallOrderY: [[UInt8]] = [
        [UInt8](repeating: 0, count: 32),
        [0x01] + [UInt8](repeating: 0, count: 31),
        [0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
         0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05],
        [0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
         0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a],
        [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        [0xed] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        [0xee] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
    ]

    /// Why the 32-byte encoding `raw` is refused, or nil for an acceptable key. The small-order
    /// check comes first, so the identity's non-canonical spellings are named small-order.
    public static func problem(with raw: [UInt8]) -> Problem? {
        precondition(raw.count == 32, "an Ed25519 public key is 32 bytes")
        var y = raw
        y[31] &= 0x7f
        if smallOrderY.contains(y) { return .smallOrder }
        if !isBelowFieldPrime(y) { return .nonCanonical }
        return nil
    }

    /// True when the little-endian 255-bit `y` is below p = 2^255 − 19, i.e. not one of
    /// p … 2^255 − 1 (bytes 1…30 all 0xff, byte 31 = 0x7f, byte 0 ≥ 0xed).
    static func isBelowFieldPrime(_ y: [UInt8]) -> Bool {
        guard y[31] == 0x7f, y[1..<31].allSatisfy({ $0 == 0xff }) else { return true }
        return y[0] < 0xed
    }

    /// The error a refused key raises, naming it in hex.
    static func error(_ problem: Problem, raw: [UInt8]) -> CryptoError {
        switch problem {
        case .smallOrder:
            return CryptoError(.keyWeak, "key \(Hex.encode(raw)) is a small-order point (nobody holds its private key)")
        case .nonCanonical:
            return CryptoError(.keyWeak, "key \(Hex.encode(raw)) is not canonically encoded (its y coordinate is not below 2^255 - 19)")
        }
    }
}
