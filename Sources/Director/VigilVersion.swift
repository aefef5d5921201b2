/// The one place Vigil's version is written: `vigil --version`, `keepalived -v` through the link, and the
/// data dump's header read it.
public enum VigilVersion {
    /// Vigil's own version.
    public static let number = "0.2.0"
    /// The keepalived release whose command line, signals and dumps Vigil follows.
    public static let keepalivedCompatibility = "2.2.7"

    /// The line `--version` prints.
    public static var line: String { "Vigil v\(number) (keepalived \(keepalivedCompatibility) command line, signals and dumps)" }
}
