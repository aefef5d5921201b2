
/// Namespace marker for the Director module; real types arrive with their issue.
public enum DirectorModule {
    /// The module's name, used in diagnostics.
    public static let name = "Director"
}
