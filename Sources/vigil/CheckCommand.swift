import ArgumentParser

/// `vigil check`: placeholder until its issue lands.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate keepalived.conf files (issue #2)"
    )

    func run() async throws {
        throw ValidationError("vigil check is not implemented yet")
    }
}
