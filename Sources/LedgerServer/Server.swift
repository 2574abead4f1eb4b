import Hummingbird
public enum LedgerServerPlaceholder { public static func router() -> Router<BasicRequestContext> { Router() } }
