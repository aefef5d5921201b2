import Testing
import Vocabulary

@Suite("Script command: one rule for how a line runs")
struct ScriptCommandTests {
    @Test("The classic maintenance check runs through bash")
    func classicCheckUsesShell() {
        let s = ScriptCommand(command: "[[ -f /etc/keepalived/down ]] && exit 1 || exit 0")
        #expect(s.needsShell)
        #expect(s.argv() == ["/bin/bash", "-c", s.command, "vigil-script"])
        #expect(s.argv(bashAvailable: false).first == "/bin/sh")
    }

    @Test("A plain command runs directly, quotes honoured, arguments appended")
    func plainCommand() {
        let s = ScriptCommand(command: "/usr/bin/check 'a b' c")
        #expect(!s.needsShell)
        #expect(s.argv(arguments: ["INSTANCE", "VI_1", "MASTER", "100"])
            == ["/usr/bin/check", "a b", "c", "INSTANCE", "VI_1", "MASTER", "100"])
    }

    @Test("An explicit bash -c wrapper is not wrapped again")
    func explicitWrapper() {
        let s = ScriptCommand(command: "/bin/bash -c 'test -f x && exit 1'")
        #expect(s.needsShell == false)
        #expect(s.argv() == ["/bin/bash", "-c", "test -f x && exit 1"])
    }

    @Test("Pipes, redirections, variables and command substitution need a shell; tabs separate words",
          arguments: ["a | b", "a > /dev/null", "echo $HOME", "echo `date`", "a; b", "test ! -f x", "a\t&&\tb"])
    func shellSyntax(line: String) {
        #expect(ScriptCommand.needsShell(line))
    }

    @Test("Words split on blanks and tabs, quotes removed, empty quotes kept as an empty word")
    func words() {
        #expect(ScriptCommand.words("/bin/x\t'' \"a b\"  c") == ["/bin/x", "", "a b", "c"])
    }

    @Test("An empty command does not start")
    func emptyCommand() {
        let runner = ScriptRunner()
        guard case .failure(let f) = runner.argv(ScriptCommand(command: "  ")) else {
            Issue.record("an empty command was accepted")
            return
        }
        #expect(f.reason == "empty command")
    }
}
