import CPCRE2

/// One word of `regex_options`: a PCRE2 compile option under the name keepalived 2.2.7 gives it (the option's
/// `PCRE2_` name in lower case). See pcre2api(3) for what each does.
public enum RegexOption: String, CaseIterable, Hashable, Sendable, Codable {
    case allowEmptyClass = "allow_empty_class"
    case altBSUX = "alt_bsux"
    case autoCallout = "auto_callout"
    case caseless
    case dollarEndOnly = "dollar_endonly"
    case dotAll = "dotall"
    case dupNames = "dupnames"
    case extended
    case firstLine = "firstline"
    case matchUnsetBackref = "match_unset_backref"
    case multiline
    case neverUCP = "never_ucp"
    case neverUTF = "never_utf"
    case noAutoCapture = "no_auto_capture"
    case noAutoPossess = "no_auto_possess"
    case noDotStarAnchor = "no_dotstar_anchor"
    case noStartOptimize = "no_start_optimize"
    case ucp
    case ungreedy
    case utf
    case neverBackslashC = "never_backslash_c"
    case altCircumflex = "alt_circumflex"
    case altVerbNames = "alt_verbnames"
    case useOffsetLimit = "use_offset_limit"

    /// The PCRE2 compile option bit.
    var flag: UInt32 {
        switch self {
        case .allowEmptyClass: UInt32(PCRE2_ALLOW_EMPTY_CLASS)
        case .altBSUX: UInt32(PCRE2_ALT_BSUX)
        case .autoCallout: UInt32(PCRE2_AUTO_CALLOUT)
        case .caseless: UInt32(PCRE2_CASELESS)
        case .dollarEndOnly: UInt32(PCRE2_DOLLAR_ENDONLY)
        case .dotAll: UInt32(PCRE2_DOTALL)
        case .dupNames: UInt32(PCRE2_DUPNAMES)
        case .extended: UInt32(PCRE2_EXTENDED)
        case .firstLine: UInt32(PCRE2_FIRSTLINE)
        case .matchUnsetBackref: UInt32(PCRE2_MATCH_UNSET_BACKREF)
        case .multiline: UInt32(PCRE2_MULTILINE)
        case .neverUCP: UInt32(PCRE2_NEVER_UCP)
        case .neverUTF: UInt32(PCRE2_NEVER_UTF)
        case .noAutoCapture: UInt32(PCRE2_NO_AUTO_CAPTURE)
        case .noAutoPossess: UInt32(PCRE2_NO_AUTO_POSSESS)
        case .noDotStarAnchor: UInt32(PCRE2_NO_DOTSTAR_ANCHOR)
        case .noStartOptimize: UInt32(PCRE2_NO_START_OPTIMIZE)
        case .ucp: UInt32(PCRE2_UCP)
        case .ungreedy: UInt32(PCRE2_UNGREEDY)
        case .utf: UInt32(PCRE2_UTF)
        case .neverBackslashC: UInt32(PCRE2_NEVER_BACKSLASH_C)
        case .altCircumflex: UInt32(PCRE2_ALT_CIRCUMFLEX)
        case .altVerbNames: UInt32(PCRE2_ALT_VERBNAMES)
        case .useOffsetLimit: UInt32(PCRE2_USE_OFFSET_LIMIT)
        }
    }
}
