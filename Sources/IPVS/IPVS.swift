/// Namespace marker for the IPVS module; real types arrive with their issue.
public enum IPVSModule {
    /// The module's name, used in diagnostics.
    public static let name = "IPVS"
}
