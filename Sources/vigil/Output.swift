import ArgumentParser
import Director
import Foundation

/// Writing a tool's output: stdout and stderr as given, and its failure as the process's exit.
enum Output {
    static func out(_ text: String) {
        if !text.isEmpty { FileHandle.standardOutput.write(Data(text.utf8)) }
    }

    static func err(_ text: String) {
        if !text.isEmpty { FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// Runs `body`; a `ToolFailure` is printed on stderr and becomes the exit code.
    static func run(_ body: () async throws(ToolFailure) -> Void) async throws {
        do { try await body() } catch {
            err(error.message.hasSuffix("\n") || error.message.isEmpty ? error.message : error.message + "\n")
            throw ExitCode(error.exitCode)
        }
    }
}
