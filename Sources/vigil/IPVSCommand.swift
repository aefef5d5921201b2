import ArgumentParser

/// `vigil ipvs`: placeholder until its issue lands.
struct IPVSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvs",
        abstract: "Inspect and program the kernel IPVS table (issue #4)"
    )

    func run() async throws {
        throw ValidationError("vigil ipvs is not implemented yet")
    }
}
