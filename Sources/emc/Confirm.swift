#if canImport(Glibc)
import Glibc
#endif

/// Whether this run talks to a person: standard input and output are both terminals.
var isInteractive: Bool { isatty(0) == 1 && isatty(1) == 1 }

/// Shows `text` and asks `question` (y/N) when a person runs the command and `--yes` was not
/// given; scripts (no terminal) are never asked. Anything but y or yes signs nothing.
func confirmBeforeSigning(_ text: String, question: String, yes: Bool) throws {
    guard !yes, isInteractive else { return }
    StandardOutput.write(text)
    StandardOutput.write("\(question) [y/N] ")
    StandardOutput.finish()
    let answer = (readLine(strippingNewline: true)?.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ").lowercased()) ?? ""
    guard answer == "y" || answer == "yes" else {
        throw CommandError(message: "not confirmed; nothing was signed or written", exitCode: 1)
    }
}
