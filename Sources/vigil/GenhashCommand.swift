import ArgumentParser

/// `vigil genhash`: placeholder until its issue lands.
struct GenhashCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genhash",
        abstract: "Print the MD5 digest of a URL (issue #5)"
    )

    func run() async throws {
        throw ValidationError("vigil genhash is not implemented yet")
    }
}
