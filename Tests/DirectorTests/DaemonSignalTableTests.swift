import Testing
@testable import Director

@Suite("DaemonSignalTable")
struct DaemonSignalTableTests {
    let table = DaemonSignalTable(rtmin: 34, rtmax: 64)

    @Test("keepalived's functions keep keepalived's signals")
    func functions() {
        #expect(table.action(for: 1) == .reload)
        #expect(table.action(for: 15) == .stop)
        #expect(table.action(for: 2) == .stop)
        #expect(table.action(for: 10) == .dumpData)
        #expect(table.action(for: 12) == .dumpStats)
        #expect(table.action(for: 36) == .dumpJSON)
        #expect(table.action(for: 63) == .dumpAndClearStats)
    }

    @Test("Every catchable signal whose default ends the process is a stop or ignored")
    func noSilentDeath() {
        // Default action "terminate" (signal(7)), not the crash family that dumps core.
        let terminating: [Int32] = [1, 2, 10, 12, 13, 14, 15, 16, 24, 25, 26, 27, 29, 30, 3] + Array(34...64)
        for sig in terminating { #expect(table.action(for: sig) != nil, "signal \(sig) is not handled") }
    }

    @Test("Left at the default: SIGKILL, SIGSTOP, the crash signals, job control, and the threads library's 32 and 33")
    func leftAlone() {
        for sig: Int32 in [4, 5, 6, 7, 8, 9, 11, 17, 18, 19, 20, 21, 22, 23, 28, 31, 32, 33] {
            #expect(table.action(for: sig) == nil, "signal \(sig) should keep its default")
        }
    }

    @Test("SIGPIPE, SIGALRM and SIGRTMIN+5 are ignored with a reason")
    func ignored() {
        for sig: Int32 in [13, 14, 39, 64] {
            guard case .ignore(let reason) = table.action(for: sig) else { Issue.record("\(sig)"); continue }
            #expect(!reason.isEmpty)
        }
    }

    @Test("--ignore-sigint makes SIGINT ignored")
    func ignoreSIGINT() {
        #expect(DaemonSignalTable(rtmin: 34, rtmax: 64, ignoresSIGINT: true).action(for: 2) == .ignore(reason: "--ignore-sigint"))
    }

    @Test("Names as kill -l prints them")
    func names() {
        #expect(table.name(of: 15) == "SIGTERM")
        #expect(table.name(of: 34) == "SIGRTMIN")
        #expect(table.name(of: 36) == "SIGRTMIN+2")
        #expect(table.name(of: 49) == "SIGRTMIN+15")
        #expect(table.name(of: 50) == "SIGRTMAX-14")
        #expect(table.name(of: 63) == "SIGRTMAX-1")
        #expect(table.name(of: 64) == "SIGRTMAX")
    }
}
