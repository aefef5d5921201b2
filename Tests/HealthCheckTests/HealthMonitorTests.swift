import Testing
import Vocabulary
import TestSupport
@testable import HealthCheck

// `HealthMonitor` on simulated time: no sockets, no sleeps. Every checker is a TCP_CHECK with delay_loop 1 s, no
// retry and no warmup, so all servers probe together and one round decides each server's state.

private let vs: VirtualServerID = "10.0.0.1:80"

private func key(_ n: Int) -> RealServerID { RealServerID(virtualServer: vs, address: address(n), port: 80) }

private func address(_ n: Int) -> IPAddress { .v4(0x0A00_0000 | UInt32(n)) }

private func server(_ n: Int, weight: Int = 1, alpha: Bool = false, notifyUp: ScriptCommand? = nil,
                    notifyDown: ScriptCommand? = nil) -> RealServerTarget {
    let tcp = CheckerSpec(kind: .tcp(TCPCheck(target: ConnectTarget(address: address(n), port: 80))),
                          timing: CheckTiming(delayLoop: .seconds(1), retry: 0, warmup: .zero, alpha: alpha))
    return RealServerTarget(key: key(n), weight: weight, checkers: [tcp], notifyUp: notifyUp, notifyDown: notifyDown)
}

private func pool(_ servers: [RealServerTarget], quorum: QuorumPolicy = QuorumPolicy(), omega: Bool = false) -> VirtualServerHealth {
    VirtualServerHealth(id: vs, quorum: quorum, omega: omega, realServers: servers)
}

/// A monitor and its simulated clock.
private struct Harness {
    var monitor = HealthMonitor(seed: 1)
    var now = Instant.zero

    /// Starts the probes due at the next deadline; `failing` servers fail, the others pass, 10 ms later. Returns
    /// the actions of the results.
    mutating func round(failing: Set<RealServerID> = []) -> [HealthMonitorAction] {
        guard let next = monitor.nextDeadline else { return [] }
        now = max(now, next)
        let started = monitor.deadlineReached(now: now).compactMap { action -> CheckID? in
            if case .startProbe(let id, _, _) = action { id } else { nil }
        }
        now = now + .milliseconds(10)
        var actions: [HealthMonitorAction] = []
        for id in started {
            let result: ProbeResult = failing.contains(id.realServer) ? .failure("TCP_CHECK \(id.realServer) connection refused")
                                                                      : .success("TCP_CHECK \(id.realServer) connected")
            actions += monitor.probeFinished(id: id, result: result, now: now)
        }
        return actions
    }
}

/// The actions other than state reports: scripts and quorum transitions.
private func decisions(_ actions: [HealthMonitorAction]) -> [HealthMonitorAction] {
    actions.filter { if case .realServerChanged = $0 { false } else { true } }
}

private func changed(_ actions: [HealthMonitorAction]) -> [RealServerID] {
    actions.compactMap { if case .realServerChanged(let c) = $0 { c.key } else { nil } }
}

@Suite("HealthMonitor")
struct HealthMonitorTests {
    private static let band = QuorumPolicy(quorum: 3, hysteresis: 1, quorumUp: "/up", quorumDown: "/down")

    @Test("Quorum is lost only below quorum − hysteresis, once, with quorum_down and the server that tipped it")
    func quorumLostWithHysteresis() {
        var h = Harness()
        let start = h.monitor.targetsUpdated([pool((1...4).map { server($0) }, quorum: Self.band)], now: h.now)
        #expect(changed(start) == (1...4).map(key))
        #expect(decisions(start).isEmpty)
        #expect(h.monitor.quorumIsUp(vs) == true)
        #expect(decisions(h.round(failing: [key(1)])).isEmpty)                  // live 3
        #expect(decisions(h.round(failing: [key(1), key(2)])).isEmpty)          // live 2 = quorum − hysteresis
        let lost = h.round(failing: [key(1), key(2), key(3)])                    // live 1
        #expect(changed(lost) == [key(3)])
        #expect(decisions(lost) == [.runScript("/down", .quorumDown(virtualServer: vs)),
                                    .quorumChanged(virtualServer: vs, up: false, liveWeight: 1, reason: .realServerChanged(key(3)))])
        #expect(h.round(failing: [key(1), key(2), key(3)]).isEmpty)
        #expect(h.monitor.quorumIsUp(vs) == false)
    }

    @Test("Quorum is regained only at quorum + hysteresis, once, with quorum_up")
    func quorumRegainedWithHysteresis() {
        var h = Harness()
        _ = h.monitor.targetsUpdated([pool((1...4).map { server($0) }, quorum: Self.band)], now: h.now)
        let lost = h.round(failing: [key(1), key(2), key(3), key(4)])
        // Lost as the third server dies (live 1); the fourth changes nothing more.
        #expect(decisions(lost).last == .quorumChanged(virtualServer: vs, up: false, liveWeight: 1, reason: .realServerChanged(key(3))))
        #expect(decisions(h.round(failing: [key(1), key(2)])).isEmpty)          // live 2
        #expect(decisions(h.round(failing: [key(1)])).isEmpty)                  // live 3 = quorum, below quorum + hysteresis
        let regained = h.round()                                                 // live 4
        #expect(decisions(regained) == [.runScript("/up", .quorumUp(virtualServer: vs)),
                                        .quorumChanged(virtualServer: vs, up: true, liveWeight: 4, reason: .realServerChanged(key(1)))])
        #expect(h.round().isEmpty)
    }

    @Test("notify_down and notify_up run once per transition, not on every failed or passed probe")
    func notifyOncePerTransition() {
        var h = Harness()
        let start = h.monitor.targetsUpdated([pool([server(1, notifyUp: "/nu", notifyDown: "/nd"), server(2)])], now: h.now)
        #expect(decisions(start).isEmpty)
        #expect(decisions(h.round(failing: [key(1)])) == [.runScript("/nd", .notifyDown(key(1)))])
        #expect(h.round(failing: [key(1)]).isEmpty)
        #expect(decisions(h.round()) == [.runScript("/nu", .notifyUp(key(1)))])
        #expect(h.round().isEmpty)
    }

    @Test("A server added dead (alpha) runs notify_down at once and notify_up when its first probe passes")
    func alphaNotifies() {
        var h = Harness()
        let start = h.monitor.targetsUpdated([pool([server(1, alpha: true, notifyUp: "/nu", notifyDown: "/nd"), server(2)])],
                                             now: h.now)
        #expect(decisions(start) == [.runScript("/nd", .notifyDown(key(1)))])
        #expect(decisions(h.round()) == [.runScript("/nu", .notifyUp(key(1)))])
    }

    @Test("A reload that removes live servers loses quorum, with the configuration as reason")
    func reloadRemovingServersLosesQuorum() {
        var h = Harness()
        _ = h.monitor.targetsUpdated([pool((1...3).map { server($0) }, quorum: QuorumPolicy(quorum: 2))], now: h.now)
        let reload = h.monitor.targetsUpdated([pool([server(1)], quorum: QuorumPolicy(quorum: 2))], now: h.now)
        #expect(reload == [.quorumChanged(virtualServer: vs, up: false, liveWeight: 1, reason: .configurationChanged)])
    }

    @Test("A stricter quorum on reload loses quorum once, with quorum_down and the configuration as reason")
    func reloadStricterQuorum() {
        var h = Harness()
        _ = h.monitor.targetsUpdated([pool((1...2).map { server($0) })], now: h.now)
        let stricter = QuorumPolicy(quorum: 3, quorumDown: "/down")
        let reload = h.monitor.targetsUpdated([pool((1...2).map { server($0) }, quorum: stricter)], now: h.now)
        #expect(reload == [.runScript("/down", .quorumDown(virtualServer: vs)),
                           .quorumChanged(virtualServer: vs, up: false, liveWeight: 2, reason: .configurationChanged)])
        #expect(h.monitor.targetsUpdated([pool((1...2).map { server($0) }, quorum: stricter)], now: h.now).isEmpty)
    }

    @Test("Stopping runs omega's quorum_down and notify_down scripts once, and nothing starts after it")
    func omegaOnStop() {
        var h = Harness()
        _ = h.monitor.targetsUpdated([pool([server(1, notifyDown: "/nd 1"), server(2)], quorum: QuorumPolicy(quorumDown: "/down"),
                                          omega: true)], now: h.now)
        #expect(h.monitor.stopped() == [.runScript("/down", .quorumDown(virtualServer: vs)),
                                        .runScript("/nd 1", .notifyDown(key(1)))])
        #expect(h.monitor.stopped().isEmpty)
        #expect(h.monitor.nextDeadline == nil)
        #expect(h.monitor.deadlineReached(now: .seconds(10)).isEmpty)
    }

    @Test("Without omega, stopping runs no script")
    func noOmegaOnStop() {
        var h = Harness()
        _ = h.monitor.targetsUpdated([pool([server(1, notifyDown: "/nd")], quorum: QuorumPolicy(quorumDown: "/down"))], now: h.now)
        #expect(h.monitor.stopped().isEmpty)
    }

    @Test("A due probe starts at its instant, on the epoll engine for TCP_CHECK")
    func startsOnEngine() {
        var h = Harness()
        _ = h.monitor.targetsUpdated([pool([server(1)])], now: .zero)
        #expect(h.monitor.nextDeadline == .zero)
        let id = CheckID(realServer: key(1), index: 0)
        #expect(h.monitor.deadlineReached(now: .zero) == [.startProbe(id, .tcpEngine(ConnectTarget(address: "10.0.0.1", port: 80)), due: .zero)])
        #expect(h.monitor.deadlineReached(now: .zero).isEmpty)
    }
}

@Suite("ProbeRoute")
struct ProbeRouteTests {
    private static let target = ConnectTarget(address: "10.0.0.1", port: 80)
    private static let plain = HTTPCheck(target: target, urls: [URLCheck(path: "/")])
    private static let tls = HTTPCheck(target: target, urls: [URLCheck(path: "/")], tls: TLSSettings())

    @Test("TCP_CHECK and plain HTTP_GET take the epoll engine; SSL_GET and the other kinds an event loop")
    func onePathPerKind() {
        #expect(ProbeRoute.of(.tcp(TCPCheck(target: Self.target))) == .tcpEngine(Self.target))
        #expect(ProbeRoute.of(.http(Self.plain)) == .httpEngine(Self.plain))
        #expect(ProbeRoute.of(.http(Self.tls)) == .eventLoop(.http(Self.tls)))
        let misc = CheckKind.misc(MiscCheck(command: "/bin/true"))
        #expect(ProbeRoute.of(misc) == .eventLoop(misc))
    }

    @Test("Only the benchmark's reference paths move TCP_CHECK and plain HTTP_GET to an event loop")
    func benchmarkReference() {
        let tcp = CheckKind.tcp(TCPCheck(target: Self.target))
        #expect(ProbeRoute.of(tcp, paths: .nioBenchmarkReference) == .eventLoop(tcp))
        #expect(ProbeRoute.of(.http(Self.plain), paths: .nioBenchmarkReference) == .eventLoop(.http(Self.plain)))
    }
}
