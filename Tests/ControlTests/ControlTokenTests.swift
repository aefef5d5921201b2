import Foundation
import Testing
@testable import Control

/// The control token (issue #18): what lets a TCP request hand over.
@Suite("Control token")
struct ControlTokenTests {
    let secret = "vigil-test-token-0123456789"

    @Test("The token on the first line is accepted as a Bearer credential, and nothing else is")
    func accepts() throws {
        let token = try ControlToken(text: "  \(secret)\t\nsecond line ignored\n", source: "t")
        #expect(token.accepts(authorization: "Bearer \(secret)"))
        #expect(token.accepts(authorization: "bearer \(secret)"))
        #expect(token.authorization == "Bearer \(secret)")
        #expect(!token.accepts(authorization: nil))
        #expect(!token.accepts(authorization: ""))
        #expect(!token.accepts(authorization: "Bearer"))
        #expect(!token.accepts(authorization: "Basic \(secret)"))
        #expect(!token.accepts(authorization: "Bearer " + secret.dropLast()))
        #expect(!token.accepts(authorization: "Bearer \(secret)x"))
        // A length difference that is a multiple of 256 is still a difference.
        #expect(!token.accepts(authorization: "Bearer \(secret)" + String(repeating: "x", count: 256)))
        #expect(!token.accepts(authorization: "Bearer " + secret.replacingOccurrences(of: "9", with: "8")))
    }

    @Test("A token that is too short, too long, blank inside or not ASCII is refused with the reason")
    func malformed() {
        for text in ["", "\n\(secret)", "short", String(repeating: "a", count: 257), "vigil test token 0123456789", "vigil-test-token-é123456789"] {
            #expect(throws: ControlTokenError.self, "\(text)") { try ControlToken(text: text, source: "/etc/vigil/token") }
        }
        do {
            _ = try ControlToken(text: "short", source: "/etc/vigil/token")
            Issue.record("accepted a short token")
        } catch {
            #expect("\(error)" == "control token file /etc/vigil/token: the token on its first line must have 16 to 256 characters (it has 5)")
        }
    }

    @Test("Only a regular file that only its owner may read or write is used")
    func permissions() throws {
        #expect(ControlToken.permissionProblem(mode: 0o100600) == nil)
        #expect(ControlToken.permissionProblem(mode: 0o100400) == nil)
        #expect(ControlToken.permissionProblem(mode: 0o100640) == "users other than its owner may read or write it (mode 640); chmod 600 it")
        #expect(ControlToken.permissionProblem(mode: 0o100602) != nil)

        let dir = NSTemporaryDirectory() + "vigil-token-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/token"
        try (secret + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o600)
        #expect(try ControlToken(readingFile: path).accepts(authorization: "Bearer \(secret)"))
        chmod(path, 0o644)
        #expect(throws: ControlTokenError.malformed(path, "users other than its owner may read or write it (mode 644); chmod 600 it")) {
            try ControlToken(readingFile: path)
        }
        // The client only reads it.
        #expect(try ControlToken(readingFile: path, checksPermissions: false).accepts(authorization: "Bearer \(secret)"))
        #expect(throws: ControlTokenError.malformed(dir, "not a regular file")) { try ControlToken(readingFile: dir) }
        #expect(throws: ControlTokenError.unreadable(dir + "/none", ENOENT)) { try ControlToken(readingFile: dir + "/none") }
        // A symbolic link is not followed (O_NOFOLLOW).
        symlink(path, dir + "/link")
        #expect(throws: ControlTokenError.unreadable(dir + "/link", ELOOP)) { try ControlToken(readingFile: dir + "/link") }
    }
}
