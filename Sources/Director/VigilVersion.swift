/// The one place Vigil's version is written: `vigil --version`, `keepalived -v` through the link, and the
/// data dump's header read it.
public enum VigilVersion {
    /// Vigil's own version.
    public static let number = "0.2.0"
    /// The keepalived release whose command line, signals and dumps Vigil follows.
    public static let keepalivedCompatibility = "2.2.7"

    /// The line `vigil --version` prints.
    public static var line: String { "Vigil v\(number) (keepalived \(keepalivedCompatibility) command line, signals and dumps)" }

    /// What `keepalived -v` prints through the link, on stderr as keepalived does: a first line whose second word is
    /// `v` and the keepalived version Vigil follows (exporters read that word to choose their signals), then a
    /// blank line.
    public static var keepalivedLine: String {
        "Keepalived v\(keepalivedCompatibility) (Vigil v\(number), which follows keepalived's command line, signals and dumps)"
    }
}
