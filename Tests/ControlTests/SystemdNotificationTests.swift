import Testing
import TestSupport
@testable import Control

@Suite("SystemdNotification")
struct SystemdNotificationTests {
    @Test("Messages are newline-separated assignments")
    func message() {
        #expect(SystemdNotification.message([.ready, .status("VI_1 MASTER"), .mainPID(42)]) == "READY=1\nSTATUS=VI_1 MASTER\nMAINPID=42")
        #expect(SystemdNotification.message([.reloading]) == "RELOADING=1")
        #expect(SystemdNotification.stopping.text == "STOPPING=1")
        #expect(SystemdNotification.watchdog.text == "WATCHDOG=1")
    }

    @Test("A newline in a status cannot start another assignment")
    func statusNewline() {
        #expect(SystemdNotification.status("a\nREADY=1").text == "STATUS=a READY=1")
    }

    @Test("The watchdog pings at half of WATCHDOG_USEC")
    func watchdogHalf() {
        #expect(SystemdNotification.watchdogInterval(environment: ["WATCHDOG_USEC": "10000000"], pid: 7) == .seconds(5))
    }

    @Test("No watchdog when WATCHDOG_USEC is missing, bad, zero, or WATCHDOG_PID is another process")
    func watchdogOff() {
        #expect(SystemdNotification.watchdogInterval(environment: [:], pid: 7) == nil)
        #expect(SystemdNotification.watchdogInterval(environment: ["WATCHDOG_USEC": "x"], pid: 7) == nil)
        #expect(SystemdNotification.watchdogInterval(environment: ["WATCHDOG_USEC": "0"], pid: 7) == nil)
        #expect(SystemdNotification.watchdogInterval(environment: ["WATCHDOG_USEC": "100", "WATCHDOG_PID": "8"], pid: 7) == nil)
        #expect(SystemdNotification.watchdogInterval(environment: ["WATCHDOG_USEC": "100", "WATCHDOG_PID": "7"], pid: 7) == .microseconds(50))
    }

    @Test("A notifier exists only when NOTIFY_SOCKET is set")
    func notifierFromEnvironment() {
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/systemd/notify"])?.socketPath == "/run/systemd/notify")
    }

    @Test("A relative NOTIFY_SOCKET is refused with a typed error")
    func relativeSocket() {
        let n = SystemdNotifier(environment: ["NOTIFY_SOCKET": "notify"])
        #expect(throws: SystemdNotifierError.invalidSocket("notify")) { try n?.send(.ready) }
    }
}
