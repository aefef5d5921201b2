/// Why a one-shot command (`vigil check`, `vigil ipvs`, `vigil probe`, `vigil genhash`, `vigil status`) failed: the
/// text for stderr and the exit code.
public struct ToolFailure: Error, Sendable, CustomStringConvertible {
    /// What to print on stderr (may span lines).
    public var message: String
    /// The process's exit code.
    public var exitCode: Int32

    /// A failure.
    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}
