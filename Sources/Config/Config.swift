/// Namespace marker for the Config module; real types arrive with their issue.
public enum ConfigModule {
    /// The module's name, used in diagnostics.
    public static let name = "Config"
}
