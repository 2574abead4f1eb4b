import LedgerCrypto
import Testing

@Suite struct HMACSHA256Tests {
    // RFC 4231 section 4, test cases 1 and 2.
    @Test("HMAC-SHA256 matches RFC 4231 vectors", arguments: [
        ("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        ("4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    ])
    func rfc4231(key: String, message: String, expected: String) throws {
        let code = HMACSHA256.authenticationCode(for: try #require(Hex.decode(message)), key: try #require(Hex.decode(key)))
        #expect(Hex.encode(code) == expected)
        #expect(HMACSHA256.isValid(code, for: try #require(Hex.decode(message)), key: try #require(Hex.decode(key))))
        var flipped = code
        flipped[31] ^= 1
        #expect(!HMACSHA256.isValid(flipped, for: try #require(Hex.decode(message)), key: try #require(Hex.decode(key))))
    }
}
