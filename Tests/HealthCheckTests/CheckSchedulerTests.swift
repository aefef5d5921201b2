import Testing
import Vocabulary
import TestSupport
@testable import HealthCheck

private let key = RealServerID(virtualServer: "10.0.0.1:80", address: "10.0.0.3", port: 80)

private func tcp(_ timing: CheckTiming) -> CheckerSpec {
    CheckerSpec(kind: .tcp(TCPCheck(target: ConnectTarget(address: "10.0.0.3", port: 80))), timing: timing)
}

private func target(_ checkers: [CheckerSpec], weight: Int = 5, inhibit: Bool = false, key: RealServerID = key) -> RealServerTarget {
    RealServerTarget(key: key, weight: weight, inhibitOnFailure: inhibit, checkers: checkers)
}

private let down = ProbeResult.failure("TCP_CHECK 10.0.0.3:80 connection refused")
private let up = ProbeResult.success("TCP_CHECK 10.0.0.3:80 connected")

/// Starts the probes due at `now` and returns the IDs started.
private func due(_ s: inout CheckScheduler, _ now: Instant) -> [CheckID] {
    s.deadlineReached(now: now).compactMap { if case .startProbe(let id, _, _, _) = $0 { id } else { nil } }
}

private func changes(_ actions: [CheckAction]) -> [RealServerStateChange] {
    actions.compactMap { if case .stateChanged(let c) = $0 { c } else { nil } }
}

private let id0 = CheckID(realServer: key, index: 0)

@Test("A new server without alpha is announced alive with its weight")
func newServerAlive() {
    var s = CheckScheduler()
    let a = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(5), warmup: .zero))])], now: .zero)
    #expect(changes(a).map(\.state) == [RealServerState(alive: true, weight: 5, inhibitOnFailure: false)])
    #expect(changes(a).first?.previous == nil)
}

@Test("A new server with an alpha checker is announced dead")
func alphaStartsDown() {
    var s = CheckScheduler()
    let a = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(5), warmup: .zero, alpha: true))])], now: .zero)
    #expect(changes(a).map(\.state.alive) == [false])
}

@Test("Warmup 0 probes at once; the next probe is delay_loop after the result")
func delayLoopAfterResult() {
    var s = CheckScheduler()
    _ = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(5), warmup: .zero))])], now: .zero)
    #expect(s.nextDeadline == .zero)
    #expect(due(&s, .zero) == [id0])
    #expect(s.nextDeadline == nil)
    #expect(s.probeFinished(id: id0, result: up, now: .milliseconds(20)).isEmpty)
    #expect(s.nextDeadline == .milliseconds(5020))
    #expect(due(&s, .milliseconds(5019)).isEmpty)
    #expect(due(&s, .milliseconds(5020)) == [id0])
}

@Test("Warmup spreads first probes within 0…warmup")
func warmupSpread() {
    var s = CheckScheduler(seed: 42)
    let targets = (0..<1000).map { i in
        target([tcp(CheckTiming(delayLoop: .seconds(10)))], key: RealServerID(virtualServer: "vs", address: .v4(0x0A00_0000 | UInt32(i)), port: 80))
    }
    _ = s.update(targets: targets, now: .zero)
    var counts = [Int](repeating: 0, count: 10)
    var started = 0
    for second in 1...10 {
        let n = due(&s, .seconds(Int64(second))).count
        counts[second - 1] = n
        started += n
    }
    #expect(started == 1000)
    #expect(counts.allSatisfy { $0 > 50 && $0 < 150 })
}

@Test("With retry 2, an up server goes down on the third consecutive failure, not before")
func retryThenDown() {
    var s = CheckScheduler()
    _ = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(10), retry: 2, delayBeforeRetry: .seconds(3), warmup: .zero))])], now: .zero)
    _ = due(&s, .zero)
    #expect(s.probeFinished(id: id0, result: down, now: .seconds(1)).isEmpty)
    #expect(s.nextDeadline == .seconds(4))
    #expect(due(&s, .seconds(4)) == [id0])
    #expect(s.probeFinished(id: id0, result: down, now: .seconds(5)).isEmpty)
    #expect(s.nextDeadline == .seconds(8))
    _ = due(&s, .seconds(8))
    let c = changes(s.probeFinished(id: id0, result: down, now: .seconds(9)))
    #expect(c.map(\.state.alive) == [false])
    #expect(c.first?.reason == "TCP_CHECK 10.0.0.3:80 connection refused (3rd try)")
    #expect(c.first?.description == "10.0.0.3:80 DOWN: TCP_CHECK 10.0.0.3:80 connection refused (3rd try)")
    #expect(s.nextDeadline == .seconds(19))
}

@Test("A success between failures resets the retry count")
func successResetsRetries() {
    var s = CheckScheduler()
    _ = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(10), retry: 1, delayBeforeRetry: .seconds(1), warmup: .zero))])], now: .zero)
    _ = due(&s, .zero)
    _ = s.probeFinished(id: id0, result: down, now: .zero)
    _ = due(&s, .seconds(1))
    _ = s.probeFinished(id: id0, result: up, now: .seconds(1))
    _ = due(&s, .seconds(11))
    #expect(s.probeFinished(id: id0, result: down, now: .seconds(11)).isEmpty)
    #expect(s.state(of: key)?.alive == true)
}

@Test("One success brings a down server up")
func oneSuccessUp() {
    var s = CheckScheduler()
    _ = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(2), retry: 0, warmup: .zero))])], now: .zero)
    _ = due(&s, .zero)
    #expect(changes(s.probeFinished(id: id0, result: down, now: .zero)).map(\.state.alive) == [false])
    _ = due(&s, .seconds(2))
    let c = changes(s.probeFinished(id: id0, result: up, now: .seconds(2)))
    #expect(c.map(\.state.alive) == [true])
    #expect(c.first?.description == "10.0.0.3:80 UP: TCP_CHECK 10.0.0.3:80 connected")
}

@Test("A failure while down is not retried: next probe after delay_loop")
func downNoRetry() {
    var s = CheckScheduler()
    _ = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(7), retry: 3, delayBeforeRetry: .seconds(1), warmup: .zero, alpha: true))])], now: .zero)
    _ = due(&s, .zero)
    #expect(s.probeFinished(id: id0, result: down, now: .zero).isEmpty)
    #expect(s.nextDeadline == .seconds(7))
}

@Test("All checkers must pass: one failing checker takes the server down")
func allCheckersMustPass() {
    var s = CheckScheduler()
    let t = CheckTiming(delayLoop: .seconds(5), retry: 0, warmup: .zero)
    _ = s.update(targets: [target([tcp(t), tcp(t)])], now: .zero)
    let ids = due(&s, .zero)
    #expect(ids.count == 2)
    #expect(s.probeFinished(id: ids[0], result: up, now: .zero).isEmpty)
    #expect(changes(s.probeFinished(id: ids[1], result: down, now: .zero)).map(\.state.alive) == [false])
}

@Test("A dead server's state carries its inhibit_on_failure, for the Director's pool")
func inhibitCarriedInState() {
    var s = CheckScheduler()
    _ = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(5), retry: 0, warmup: .zero))], inhibit: true)], now: .zero)
    _ = due(&s, .zero)
    let c = changes(s.probeFinished(id: id0, result: down, now: .zero))
    #expect(c.map(\.state) == [RealServerState(alive: false, weight: 5, inhibitOnFailure: true)])
}

@Test("misc_dynamic success sets weight to the requested value")
func dynamicWeight() {
    var s = CheckScheduler()
    let misc = CheckerSpec(kind: .misc(MiscCheck(command: "/bin/true", dynamic: true)), timing: CheckTiming(delayLoop: .seconds(5), retry: 0, warmup: .zero))
    _ = s.update(targets: [target([misc])], now: .zero)
    _ = due(&s, .zero)
    let c = changes(s.probeFinished(id: id0, result: .success("exit 12", dynamicWeight: 10), now: .zero))
    #expect(c.map(\.state) == [RealServerState(alive: true, weight: 10, inhibitOnFailure: false)])
    #expect(c.first?.description.hasPrefix("10.0.0.3:80 WEIGHT 10") == true)
}

@Test("Reload keeps state and schedule of unchanged servers and announces only new ones")
func hitlessReload() {
    var s = CheckScheduler()
    let t = CheckTiming(delayLoop: .seconds(5), retry: 0, warmup: .zero)
    let a = target([tcp(t)])
    _ = s.update(targets: [a], now: .zero)
    _ = due(&s, .zero)
    _ = s.probeFinished(id: id0, result: down, now: .zero)
    let other = RealServerID(virtualServer: "10.0.0.1:80", address: "10.0.0.4", port: 80)
    let actions = s.update(targets: [a, target([tcp(t)], key: other)], now: .seconds(1))
    #expect(changes(actions).map(\.key) == [other])
    #expect(s.state(of: key)?.alive == false)
    #expect(due(&s, .seconds(1)) == [CheckID(realServer: other, index: 0)])
    #expect(due(&s, .seconds(5)) == [id0])
}

@Test("A late result for a server removed by reload is ignored")
func lateResultIgnored() {
    var s = CheckScheduler()
    _ = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(5), warmup: .zero))])], now: .zero)
    _ = due(&s, .zero)
    _ = s.update(targets: [], now: .seconds(1))
    #expect(s.probeFinished(id: id0, result: down, now: .seconds(2)).isEmpty)
    #expect(s.nextDeadline == nil)
}

@Test("A weight change on reload is announced with the checker state kept")
func reloadWeightChange() {
    var s = CheckScheduler()
    let t = CheckTiming(delayLoop: .seconds(5), warmup: .zero)
    _ = s.update(targets: [target([tcp(t)], weight: 5)], now: .zero)
    let c = changes(s.update(targets: [target([tcp(t)], weight: 9)], now: .seconds(1)))
    #expect(c.map(\.state.weight) == [9])
    #expect(c.first?.previous?.weight == 5)
}

@Test("Ten hours of a flapping server at delay_loop 1 stay exactly on schedule")
func hoursOfSimulatedTime() {
    var s = CheckScheduler()
    _ = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(1), retry: 1, delayBeforeRetry: .seconds(1), warmup: .zero))])], now: .zero)
    var now = Instant.zero
    var transitions = 0
    var probes = 0
    let end = Instant.seconds(36_000)
    while let next = s.nextDeadline, next < end {
        now = next
        for id in due(&s, now) {
            probes += 1
            // Down for the first 60 s of every 10 minutes.
            let healthy = (now.nanoseconds / 1_000_000_000) % 600 >= 60
            let done = now + .milliseconds(3)
            transitions += changes(s.probeFinished(id: id, result: healthy ? up : down, now: done)).count
        }
    }
    #expect(transitions == 120)
    #expect(probes > 34_000 && probes < 36_000)
}

@Test("Ordinals read naturally")
func ordinals() {
    #expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map(CheckScheduler.ordinal) ==
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st"])
}

@Test("A started probe carries its due instant, so the adapter can measure how late it really starts")
func startProbeCarriesDue() {
    var s = CheckScheduler()
    _ = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(5), warmup: .zero))])], now: .zero)
    _ = due(&s, .zero)
    _ = s.probeFinished(id: id0, result: up, now: .milliseconds(20))
    // The timer fires 300 ms late: the action still names the instant the probe was due.
    let actions = s.deadlineReached(now: .milliseconds(5320))
    #expect(actions == [.startProbe(id0, tcp(CheckTiming(delayLoop: .seconds(5), warmup: .zero)), attempt: 1, due: .milliseconds(5020))])
}

@Test("A passing probe of a live server emits no state change")
func passingProbeIsQuiet() {
    var s = CheckScheduler()
    _ = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(1), warmup: .zero))])], now: .zero)
    for round in 0..<5 {
        let t = Instant.seconds(Int64(round) * 2)
        #expect(due(&s, t) == [id0])
        #expect(s.probeFinished(id: id0, result: up, now: t + .milliseconds(1)).isEmpty)
    }
}

private func failuresLogged(_ actions: [CheckAction]) -> [Int] {
    actions.compactMap { if case .failureLogged(_, _, let attempt) = $0 { attempt } else { nil } }
}

@Test("Without log_all_failures, failed attempts are not logged on their own: only the state change is")
func failuresQuietByDefault() {
    var s = CheckScheduler()
    _ = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(10), retry: 1, delayBeforeRetry: .seconds(1), warmup: .zero))])], now: .zero)
    _ = due(&s, .zero)
    #expect(s.probeFinished(id: id0, result: down, now: .zero).isEmpty)
    _ = due(&s, .seconds(1))
    let last = s.probeFinished(id: id0, result: down, now: .seconds(1))
    #expect(failuresLogged(last).isEmpty)
    #expect(changes(last).map(\.state.alive) == [false])
}

@Test("log_all_failures logs every failed attempt of an up checker, the retried ones and the last, before its state change")
func logAllFailuresWhileUp() {
    var s = CheckScheduler()
    _ = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(10), retry: 1, delayBeforeRetry: .seconds(1), warmup: .zero, logAllFailures: true))])], now: .zero)
    _ = due(&s, .zero)
    #expect(s.probeFinished(id: id0, result: down, now: .zero) ==
            [.failureLogged(id0, reason: "TCP_CHECK 10.0.0.3:80 connection refused", attempt: 1)])
    _ = due(&s, .seconds(1))
    let last = s.probeFinished(id: id0, result: down, now: .seconds(1))
    #expect(failuresLogged(last) == [2])
    #expect(last.count == 2)
    if case .failureLogged = last.first {} else { Issue.record("the failure comes before the state change: \(last)") }
    #expect(changes(last).map(\.state.alive) == [false])
}

@Test("log_all_failures stays quiet while the checker is down, and for successes")
func logAllFailuresQuietWhileDown() {
    var s = CheckScheduler()
    _ = s.update(targets: [target([tcp(CheckTiming(delayLoop: .seconds(10), retry: 0, warmup: .zero, logAllFailures: true))])], now: .zero)
    _ = due(&s, .zero)
    #expect(failuresLogged(s.probeFinished(id: id0, result: down, now: .zero)) == [1])
    _ = due(&s, .seconds(10))
    #expect(s.probeFinished(id: id0, result: down, now: .seconds(10)).isEmpty)
    _ = due(&s, .seconds(20))
    #expect(failuresLogged(s.probeFinished(id: id0, result: up, now: .seconds(20))).isEmpty)
}
