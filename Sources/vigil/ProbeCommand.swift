import ArgumentParser

/// `vigil probe`: placeholder until its issue lands.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Run every configured health check once (issue #5)"
    )

    func run() async throws {
        throw ValidationError("vigil probe is not implemented yet")
    }
}
