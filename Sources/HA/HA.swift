/// Namespace marker for the HA module; real types arrive with their issue.
public enum HAModule {
    /// The module's name, used in diagnostics.
    public static let name = "HA"
}
