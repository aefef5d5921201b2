import Testing
import Vocabulary
@testable import Director

@Suite("startup_script / shutdown_script")
struct LifecycleScriptTests {
    private let startup = LifecycleScript(kind: .startup, command: ScriptCommand(command: "/etc/vigil/up"), timeout: .seconds(10))

    @Test("Each way a run ends has its log line; only exit 0 is a success")
    func outcomes() {
        #expect(startup.outcome(.exited(0)) == ("startup script /etc/vigil/up: succeeded", false))
        #expect(startup.outcome(.exited(3)) == ("startup script /etc/vigil/up failed: exit status 3", true))
        #expect(startup.outcome(.signaled(9)) == ("startup script /etc/vigil/up failed: ended by signal 9", true))
        #expect(startup.outcome(.timedOut) == ("startup script /etc/vigil/up failed: still running after 10 s (startup_script_timeout); its process group was killed", true))
        #expect(startup.outcome(.failedToStart("no such file")) == ("startup script /etc/vigil/up failed: no such file", true))
    }

    @Test("The plan carries both scripts with their timeouts; without them, none")
    func plan() throws {
        let config = parsedConfig("""
        global_defs {
            startup_script /etc/vigil/up
            shutdown_script "/etc/vigil/down now" root
            shutdown_script_timeout 3
        }
        """)
        let p = directorPlan(config)
        #expect(p.startupScript == startup)
        #expect(p.shutdownScript == LifecycleScript(kind: .shutdown, command: ScriptCommand(command: "/etc/vigil/down now", user: "root"),
                                                    timeout: .seconds(3)))
        #expect(directorPlan(parsedConfig("")).startupScript == nil)
    }
}
