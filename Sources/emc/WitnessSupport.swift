import ArgumentParser
import LedgerTransparency
import LedgerWitness

/// Flags and helpers shared by the checkpoint, proof and witness commands.
struct QuorumOption: ParsableArguments {
    @Option(help: "How many active members' signatures make the checkpoint count: a number or `all`.")
    var quorum: String?

    /// The quorum asked for; `fallback` when not given (nil means all active members).
    func value(default fallback: Int?) throws -> Int? { try parseQuorum(quorum, default: fallback) }
}

/// `--quorum N|all`: nil means all active members; `fallback` when not given.
func parseQuorum(_ text: String?, default fallback: Int?) throws -> Int? {
    guard let text else { return fallback }
    if text == "all" { return nil }
    guard let count = Int(text), count >= 1 else {
        throw CommandError(message: "--quorum must be a whole number of at least 1, or `all`; got \"\(text)\"")
    }
    return count
}

/// Writes `bytes` to `out` (only over a file of the same kind) or to standard output.
func emit(_ bytes: [UInt8], out: String?, what: String, owns: @escaping ([UInt8]) -> Bool) throws {
    if let out {
        try OutputFile.write(bytes, to: out, what: what, owns: owns)
    } else {
        StandardOutput.write(bytes)
    }
}

func isSignedCheckpoint(_ bytes: [UInt8]) -> Bool { (try? SignedCheckpoint(parsing: bytes)) != nil }

func startsWithLine(_ header: String) -> ([UInt8]) -> Bool {
    { $0.starts(with: Array((header + "\n").utf8)) }
}

/// Reads a signed checkpoint file.
func readCheckpoint(_ path: String) throws -> (bytes: [UInt8], checkpoint: SignedCheckpoint) {
    let bytes = try OutputFile.read(path, limit: SignedNote.maximumBytes, what: "checkpoint")
    do { return (bytes, try SignedCheckpoint(parsing: bytes)) } catch {
        throw CommandError(message: "\(path): \(error.reason)", exitCode: 1)
    }
}

/// Parses `--vkey` strings (note verifier keys as `emc vkey` prints them).
func parseVerifierKeys(_ keys: [String]) throws -> [NoteVerifier] {
    try keys.map { key in
        do { return try NoteVerifier(verifierKey: key) } catch {
            throw CommandError(message: "--vkey \"\(key.prefix(80))\": \((error as? TransparencyError)?.reason ?? "\(error)")")
        }
    }
}

/// Runs `body`, reporting a `TransparencyError` as invalid input about `file` (exit 1).
func checking<T>(_ file: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as TransparencyError {
        throw CommandError(message: "\(file): \(error.reason)", exitCode: 1)
    }
}

/// A member's key signs as type 0x01 and cosigns as type 0x04 under one name (SPEC §4.5): the
/// verifier key given and its twin of the other type.
func withTwin(_ key: NoteVerifier) -> [NoteVerifier] {
    let other: NoteSignatureType = key.type == .ed25519 ? .cosignatureV1 : .ed25519
    return [key] + ((try? NoteVerifier(name: key.name, publicKey: key.publicKey, type: other)).map { [$0] } ?? [])
}
