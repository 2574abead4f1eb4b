/// Names to their positions, found by an FNV-1a hash of their UTF-8 bytes in an open-addressed
/// table (a power of two, at most half full). For the few names of a contract this is several
/// times cheaper per lookup than a `Dictionary`, which runs SipHash over every name. Only
/// positions come out of it, so the hash never orders anything. Names are compared as bytes, not
/// as Swift compares strings (canonical equivalence): U+212A KELVIN SIGN is not `K`.
struct NameTable: Sendable {
    private let names: [String]
    /// A position in `names`, or -1 for an empty slot.
    private let slots: [Int32]
    private let mask: Int

    init(_ names: [String]) {
        var size = 8
        while size < 2 * names.count { size *= 2 }
        var slots = [Int32](filled: -1, count: size)
        for (position, name) in names.enumerated() {
            var slot = Self.hash(name) & (size - 1)
            // A repeated name keeps its first position (probed first).
            while slots[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(position)
        }
        (self.names, self.slots, self.mask) = (names, slots, size - 1)
    }

    /// The first position of `name`, nil if it is not one of the names.
    func position(of name: String) -> Int? {
        var slot = Self.hash(name) & mask
        while true {
            let position = Int(slots[slot])
            if position < 0 { return nil }
            if Self.sameBytes(names[position], name) { return position }
            slot = (slot + 1) & mask
        }
    }

    static func hash(_ name: String) -> Int {
        // A native string's bytes are contiguous (a small one's are copied to the stack): a tight
        // loop, where iterating the UTF-8 view costs tens of instructions a byte.
        name.utf8.withContiguousStorageIfAvailable(hash) ?? hash(Array(name.utf8))
    }

    static func sameBytes(_ a: String, _ b: String) -> Bool {
        let contiguous = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in
                // An index loop: `elementsEqual` on buffers costs hundreds of instructions a call.
                guard x.count == y.count else { return false }
                for index in 0..<x.count where x[index] != y[index] { return false }
                return true
            }
        }
        return (contiguous ?? nil) ?? a.utf8.elementsEqual(b.utf8)
    }

    static func hash(_ bytes: some Collection<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }
}
