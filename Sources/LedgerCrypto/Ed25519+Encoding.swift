extension PublicKey {
    /// True when this key is a point of small order (order 1, 2, 4 or 8) or is not canonically
    /// encoded (y ≥ p). libcrypto accepts such keys, and with one the "signature" R = identity,
    /// S = 0 verifies for any message; refuse them wherever a key is trusted.
    public var isSmallOrderOrNonCanonical: Bool {
        Self.isSmallOrderOrNonCanonical(rawRepresentation)
    }

    /// The same check on 32 raw bytes (libsodium's `has_small_order` blocklist plus y < p).
    public static func isSmallOrderOrNonCanonical(_ raw: [UInt8]) -> Bool {
        guard raw.count == 32 else { return true }
        var y = raw
        y[31] &= 0x7f  // the sign bit of x
        if !isBelowFieldPrime(y) { return true }
        return smallOrderYCoordinates.contains(y)
    }

    /// The y-coordinates (little-endian, sign bit clear) of the points whose order divides 8.
    private static let smallOrderYCoordinates: [[UInt8]] = [
        [UInt8](repeating: 0, count: 32),  // order 4
        [1] + [UInt8](repeating: 0, count: 31),  // the identity
        [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f],  // p - 1: order 2
        [0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
         0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05],  // order 8
        [0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
         0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a],  // order 8
    ]

    /// y < p = 2^255 - 19 for a little-endian y with its top bit clear.
    private static func isBelowFieldPrime(_ y: [UInt8]) -> Bool {
        // p = ed ff … ff 7f (little-endian); y ≥ p only when bytes 1…30 are ff, byte 31 is 7f and byte 0 ≥ ed.
        guard y[31] == 0x7f, y[1...30].allSatisfy({ $0 == 0xff }) else { return true }
        return y[0] < 0xed
    }
}
