import ContractLanguage
import LedgerFormat

/// The plain-language rendering a member signed (SPEC.md §2.14, §3.2, §3.4): `accept` and `propose`
/// bodies may carry `"rendering": H`; when they do, H must be the hash of the rendering that the
/// contract's rules generate, so what a member read and what the ledger runs cannot differ.
enum RenderingBinding {
    static let field = "rendering"

    /// The rendering hash of `contract`, recomputed from its rules.
    static func hash(of contract: Contract) -> String {
        Entry.renderingHash(contract.plainLanguageText)
    }

    /// Refuses a `rendering` member that is not the hash of `contract`'s rendering; an absent one is valid.
    static func check(_ reader: JSONReader, contract: Contract, what: String) throws(LedgerError) {
        guard reader.fields[field] != nil else { return }
        let claimed = try reader.hash(field)
        let expected = hash(of: contract)
        guard claimed == expected else {
            throw rejected("rendering \(claimed.prefix(16))… is not the plain-language rendering of \(what) (\(expected.prefix(16))…)")
        }
    }
}

extension ContractVersion {
    /// The plain-language rendering of this version (SPEC.md §2.14).
    public var rendering: PlainLanguage { contract.plainLanguage() }
    /// Its hash, as `accept` and `propose` carry it.
    public var renderingHash: String { RenderingBinding.hash(of: contract) }
}
