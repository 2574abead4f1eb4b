/// The head of an offline bundle (SPEC §4.12): a format line, then the signed checkpoint, then a
/// blank line; the checkpoint's `size` entry lines follow, each ending in a newline.
///
///     emc.ledger/bundle@v1
///     <signed checkpoint, verbatim>
///     <blank line>
///     <entry line 1> … <entry line size>
public enum BundleHeader {
    public static let header = "emc.ledger/bundle@v1"
    /// The format line, the largest note and the blank line.
    public static let maximumBytes = header.utf8.count + 1 + SignedNote.maximumBytes + 1

    public static func encode(_ checkpoint: SignedCheckpoint) -> [UInt8] {
        Array((header + "\n").utf8) + checkpoint.encoded + [0x0a]
    }

    /// Parses the head from the first bytes of a bundle (at least `maximumBytes` of them, or all);
    /// returns the checkpoint and the byte count of the head (where the first entry line starts).
    public static func parse(_ prefix: some Collection<UInt8>) throws(TransparencyError) -> (checkpoint: SignedCheckpoint, byteCount: Int) {
        var cursor = LineCursor(Array(prefix.prefix(maximumBytes)))
        guard cursor.nextLine() == header else {
            throw TransparencyError(.malformed, "not a bundle: the first line is not \(header)")
        }
        let noteStart = cursor.offset
        while let line = cursor.nextLine(), !line.isEmpty {}  // the checkpoint body, up to its blank line
        var noteEnd = cursor.offset
        var signatureCount = 0
        while let line = cursor.nextLine() {
            if line.isEmpty { break }
            guard line.hasPrefix("— ") else { throw TransparencyError(.malformed, "malformed bundle: a bad signature line in the checkpoint") }
            signatureCount += 1
            noteEnd = cursor.offset
        }
        guard signatureCount > 0, cursor.offset == noteEnd + 1, cursor.bytes[noteEnd] == 0x0a else {
            throw TransparencyError(.malformed, "malformed bundle: the checkpoint is not followed by a blank line")
        }
        let checkpoint = try SignedCheckpoint(parsing: cursor.bytes[noteStart..<noteEnd])
        return (checkpoint, cursor.offset)
    }
}
