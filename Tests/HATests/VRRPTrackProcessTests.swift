import Testing
import Vocabulary
@testable import HA


@Suite("vrrp_track_process: matching, counting, quorum and delays")
struct VRRPTrackProcessTests {
    @Test("The name alone is the process name (15 bytes kept by the kernel), exact as pgrep -x")
    func nameMatch() {
        let nginx = VRRPTrackProcessSpec(name: "t", process: "nginx")
        #expect(nginx.matches(comm: "nginx", arguments: nil))
        #expect(!nginx.matches(comm: "nginx-debug", arguments: nil))
        #expect(!nginx.matches(comm: "ngin", arguments: nil))
        let long = VRRPTrackProcessSpec(name: "t", process: "a-very-long-daemon-name")
        #expect(long.matches(comm: "a-very-long-dae", arguments: nil))
    }

    @Test("Parameters: exact, partial (more may follow), initial (the last may be longer); full_command without any")
    func commandLineMatch() {
        let exact = VRRPTrackProcessSpec(name: "t", process: "/usr/sbin/haproxy", parameters: ["-f", "/etc/h.cfg"],
                                         match: .exact)
        #expect(exact.matches(comm: "haproxy", arguments: ["/usr/sbin/haproxy", "-f", "/etc/h.cfg"]))
        #expect(!exact.matches(comm: "haproxy", arguments: ["/usr/sbin/haproxy", "-f", "/etc/h.cfg", "-D"]))
        #expect(!exact.matches(comm: "haproxy", arguments: nil))
        var partial = exact
        partial.match = .partial
        #expect(partial.matches(comm: "x", arguments: ["/usr/sbin/haproxy", "-f", "/etc/h.cfg", "-D"]))
        #expect(!partial.matches(comm: "x", arguments: ["/usr/sbin/haproxy", "-f"]))
        var initial = exact
        initial.parameters = ["-f", "/etc/h"]
        initial.match = .initial
        #expect(initial.matches(comm: "x", arguments: ["/usr/sbin/haproxy", "-f", "/etc/h.cfg"]))
        #expect(!initial.matches(comm: "x", arguments: ["/usr/sbin/haproxy", "-x", "/etc/h.cfg"]))
        let bare = VRRPTrackProcessSpec(name: "t", process: "sleep", match: .exact)
        #expect(bare.matches(comm: "sleep", arguments: ["sleep"]))
        #expect(!bare.matches(comm: "sleep", arguments: ["sleep", "30"]))
        #expect(!bare.matches(comm: "sleep", arguments: []))
    }

    @Test("Quorum and quorum_max")
    func quorum() {
        var s = VRRPTrackProcessSpec(name: "t", process: "w", quorum: 2, quorumMax: 3)
        #expect(!s.quorumMet(by: 1) && s.quorumMet(by: 2) && s.quorumMet(by: 3) && !s.quorumMet(by: 4))
        s.quorum = 0
        s.quorumMax = 0
        #expect(s.quorumMet(by: 0) && !s.quorumMet(by: 1))
    }

    @Test("The census counts starts, renames, exec and exits; a reload counts again")
    func census() {
        var c = ProcessCensus()
        c.configure([VRRPTrackProcessSpec(name: "web", process: "nginx")])
        c.replaced(by: [10: ProcessRecord(comm: "nginx"), 11: ProcessRecord(comm: "nginx"), 12: ProcessRecord(comm: "sshd")])
        #expect(c.counts == ["web": 2])
        c.seen(13, ProcessRecord(comm: "nginx"))
        c.seen(10, ProcessRecord(comm: "bash"))   // exec'd another program
        #expect(c.counts == ["web": 2])
        c.exited(11)
        c.exited(99)
        #expect(c.counts == ["web": 1])
        c.configure([VRRPTrackProcessSpec(name: "ssh", process: "sshd")])
        #expect(c.counts == ["ssh": 1])
        #expect(!c.readsCommandLines)
    }

    @Test("First count at once; a loss waits terminate_delay, a gain fork_delay; a bounce within the delay is no change")
    func delays() {
        var q = ProcessQuorum(spec: VRRPTrackProcessSpec(name: "t", process: "p", forkDelay: .seconds(2),
                                                         terminateDelay: .seconds(1)))
        #expect(q.counted(1, now: at(0)) == true)
        #expect(q.counted(0, now: at(100)) == nil)
        #expect(q.deadline == at(1100))
        #expect(q.counted(1, now: at(600)) == nil)        // restarted in time: nothing happens
        #expect(q.deadline == nil && q.isUp == true)
        #expect(q.counted(0, now: at(1000)) == nil)
        #expect(q.deadlineReached(now: at(1999)) == nil)
        #expect(q.deadlineReached(now: at(2000)) == false)
        #expect(q.counted(1, now: at(3000)) == nil)
        #expect(q.deadlineReached(now: at(5000)) == true)
        var quick = ProcessQuorum(spec: VRRPTrackProcessSpec(name: "t", process: "p"))
        #expect(quick.counted(0, now: at(0)) == false)
        #expect(quick.counted(1, now: at(1)) == true)
    }

    @Test("In the router: weight 0 is FAULT while the quorum is not met (at start too), a weight moves the priority")
    func router() {
        var spec = routerSpec()
        spec.trackProcesses = [VRRPTrackReference(name: "web", weight: 0)]
        var weighted = routerSpec("VI_2", vrid: 52)
        weighted.trackProcesses = [VRRPTrackReference(name: "db", weight: -30)]
        var configuration = VRRPRuntimeConfiguration(instances: [spec, weighted])
        configuration.trackProcesses = [VRRPTrackProcessSpec(name: "web", process: "nginx"),
                                        VRRPTrackProcessSpec(name: "db", process: "postgres"),
                                        VRRPTrackProcessSpec(name: "unused", process: "x")]
        var router = VRRPRouter(configuration: configuration)
        #expect(router.watchedProcesses.map(\.name) == ["db", "web"])
        _ = router.processesCounted(["web": 0, "db": 1], now: t0)   // the first reading, before the instances start
        for s in router.awaitingTransport { _ = router.transportOpened(instance: s.name, primaryAddress: me, now: t0) }
        #expect(router.states["VI_1"] == .fault)
        #expect(router.priorities["VI_2"]?.effective == 100)
        let back = router.processesCounted(["web": 1, "db": 0], now: t0)
        #expect(back.contains(.trackerChanged(.process("web", up: true, count: 1))))
        #expect(router.states["VI_1"] == .backup)
        #expect(router.priorities["VI_2"]?.effective == 70)
    }
}

@Suite("Process events connector and /proc readers")
struct ProcConnectorMessageTests {
    /// One connector message carrying a proc_event `what` with `data`.
    static func message(_ what: UInt32, _ data: [UInt32], comm: String? = nil) -> [UInt8] {
        func le(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)] }
        var event = le(what) + le(0) + [UInt8](repeating: 0, count: 8) + data.flatMap(le)
        if let comm { event += Array(comm.utf8) + [UInt8](repeating: 0, count: 16 - comm.utf8.count) }
        let cn = le(1) + le(1) + le(0) + le(0) + [UInt8(event.count & 0xff), UInt8(event.count >> 8), 0, 0]
        return le(UInt32(16 + cn.count + event.count)) + [3, 0, 0, 0] + le(0) + le(0) + cn + event
    }

    @Test("fork, exec, comm and exit of process leaders; threads are left out")
    func events() {
        let datagram = Self.message(0x1, [1, 1, 500, 500]) + Self.message(0x1, [500, 500, 501, 500])
            + Self.message(0x2, [500, 500]) + Self.message(0x200, [500, 500], comm: "worker")
            + Self.message(0x8000_0000, [500, 500, 0, 9, 1, 1]) + Self.message(0x8000_0000, [502, 500, 0, 0, 1, 1])
        #expect(ProcConnectorMessage.events(in: datagram) == [
            .forked(pid: 500), .executed(pid: 500), .renamed(pid: 500, comm: "worker"), .exited(pid: 500),
        ])
    }

    @Test("Every truncation and corruption gives events or nothing, never a trap")
    func hostile() {
        let whole = Self.message(0x200, [7, 7], comm: "x") + Self.message(0x8000_0000, [7, 7, 0, 0, 1, 1])
        for n in 0..<whole.count { _ = ProcConnectorMessage.events(in: Array(whole.prefix(n))) }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var b = whole
            b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            _ = ProcConnectorMessage.events(in: b)
        }
        #expect(ProcConnectorMessage.events(in: whole).count == 2)
    }

    @Test("The listen request: NLMSG_DONE, CN_IDX_PROC/CN_VAL_PROC, PROC_CN_MCAST_LISTEN")
    func listen() {
        let r = ProcConnectorMessage.listenRequest(port: 42)
        #expect(r.count == 40 && r[0] == 40 && r[4] == 3 && r[12] == 42)
        #expect(Array(r[16..<24]) == [1, 0, 0, 0, 1, 0, 0, 0] && r[32] == 4 && r[36] == 1)
    }

    @Test("/proc/PID/stat: a name with spaces and parentheses; a zombie is not running; cmdline words")
    func procFiles() {
        let s = ProcConnectorMessage.stat("123 (my (odd) name) S 1 123 123 0 -1")
        #expect(s?.comm == "my (odd) name" && s?.running == true)
        #expect(ProcConnectorMessage.stat("9 (nginx) Z 1 9")?.running == false)
        #expect(ProcConnectorMessage.stat("garbage") == nil)
        #expect(ProcConnectorMessage.arguments(Array("nginx\0-g\0daemon off;\0".utf8)) == ["nginx", "-g", "daemon off;"])
        #expect(ProcConnectorMessage.arguments([]) == [])
    }
}
