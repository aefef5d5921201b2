/// Namespace marker for the HealthCheck module; real types arrive with their issue.
public enum HealthCheckModule {
    /// The module's name, used in diagnostics.
    public static let name = "HealthCheck"
}
