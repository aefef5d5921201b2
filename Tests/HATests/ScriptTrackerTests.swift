import Testing
@testable import HA

@Suite("Script tracker and invocation")
struct ScriptTrackerTests {
    @Test("Goes down only after `fall` consecutive failures")
    func fall() {
        var t = ScriptTracker(rise: 2, fall: 3)
        #expect(t.resultReceived(success: false) == false)
        #expect(t.resultReceived(success: false) == false)
        #expect(t.resultReceived(success: true) == false)
        #expect(t.resultReceived(success: false) == false)
        #expect(t.resultReceived(success: false) == false)
        #expect(t.resultReceived(success: false) == true)
        #expect(t.isUp == false)
    }

    @Test("Comes back up after `rise` consecutive successes")
    func rise() {
        var t = ScriptTracker(rise: 2, fall: 1, initFail: true)
        #expect(t.isUp == false)
        #expect(t.resultReceived(success: true) == false)
        #expect(t.resultReceived(success: true) == true)
        #expect(t.isUp)
    }

    @Test("The classic maintenance check runs through bash")
    func classicCheckUsesShell() {
        let s = "[[ -f /etc/keepalived/down ]] && exit 1 || exit 0"
        #expect(ScriptInvocation.argv(s) == ["/bin/bash", "-c", s, "vigil-script"])
        #expect(ScriptInvocation.argv(s, bashAvailable: false).first == "/bin/sh")
    }

    @Test("A plain command runs directly, quotes honoured, arguments appended")
    func plainCommand() {
        #expect(ScriptInvocation.argv("/usr/bin/check 'a b' c", arguments: ["INSTANCE", "VI_1", "MASTER", "100"])
            == ["/usr/bin/check", "a b", "c", "INSTANCE", "VI_1", "MASTER", "100"])
    }

    @Test("An explicit bash -c wrapper is not wrapped again")
    func explicitWrapper() {
        #expect(ScriptInvocation.needsShell("/bin/bash -c 'test -f x && exit 1'") == false)
        #expect(ScriptInvocation.argv("/bin/bash -c 'test -f x && exit 1'") == ["/bin/bash", "-c", "test -f x && exit 1"])
    }
}
