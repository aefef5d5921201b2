import ArgumentParser

/// `vigil run`: placeholder until its issue lands.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon (issue #3, #6)"
    )

    func run() async throws {
        throw ValidationError("vigil run is not implemented yet")
    }
}
