import Testing
import Vocabulary
@testable import HA

/// Two instances over a simulated link on simulated time. The link can drop, delay and
/// partition; a node can crash (stops processing) or shut down gracefully.
struct PairHarness {
    struct InFlight { var at: Instant; var to: Int; var ad: VRRPAdvertisement; var from: IPAddress; var seq: Int }
    var nodes: [VRRPInstance]
    var alive = [true, true]
    var addresses: [IPAddress]
    var now = Instant.zero
    var inFlight: [InFlight] = []
    var delay: Duration = .milliseconds(1)
    var partitioned = false
    /// Drops every n-th packet when set.
    var dropEvery: Int?
    var sentCount = 0
    var seq = 0
    /// (time, node, to-state) of every transition.
    var transitions: [(Instant, Int, VRRPState)] = []
    var vipHolder: Set<Int> = []
    /// `.preemptionHeld` actions seen (failback hold).
    var preemptionsHeld = 0
    /// When a removal left no node holding the VIPs.
    var vipLostAt: [Instant] = []
    var handoversFailed = 0

    init(_ a: VRRPInstanceConfiguration, _ b: VRRPInstanceConfiguration) {
        nodes = [VRRPInstance(configuration: a), VRRPInstance(configuration: b)]
        addresses = [a.primaryAddress, b.primaryAddress]
    }

    mutating func apply(_ actions: [VRRPAction], node: Int) {
        for action in actions {
            switch action {
            case .send(let ad):
                sentCount += 1
                if partitioned { continue }
                if let n = dropEvery, sentCount % n == 0 { continue }
                seq += 1
                inFlight.append(InFlight(at: now + delay, to: 1 - node, ad: ad, from: addresses[node], seq: seq))
            case .addVIPs: vipHolder.insert(node)
            case .removeVIPs:
                vipHolder.remove(node)
                if vipHolder.isEmpty { vipLostAt.append(now) }
            case .transition(_, let to, _): transitions.append((now, node, to))
            case .preemptionHeld: preemptionsHeld += 1
            case .handoverFailed: handoversFailed += 1
            case .handoverStarted: break
            case .discarded, .addressListMismatch, .unlistedUnicastSource, .authHMACFailed, .authHMACClockSkew, .masterSilence, .lowerPriorityAdvert: break
            }
        }
    }

    mutating func start(_ node: Int) { apply(nodes[node].start(now: now), node: node) }
    mutating func crash(_ node: Int) { alive[node] = false; vipHolder.remove(node) }
    mutating func shutdown(_ node: Int) { apply(nodes[node].shutdown(now: now), node: node); alive[node] = false }

    /// Runs events in time order until `end`.
    mutating func run(until end: Instant) {
        while true {
            var next: Instant? = inFlight.map(\.at).min()
            for i in 0..<2 where alive[i] {
                if let d = nodes[i].nextWakeup { next = next.map { min($0, d) } ?? d }
            }
            guard let t = next, t <= end else { break }
            now = t
            if let idx = inFlight.indices.filter({ inFlight[$0].at == t }).min(by: { inFlight[$0].seq < inFlight[$1].seq }) {
                let p = inFlight.remove(at: idx)
                if alive[p.to] { apply(nodes[p.to].advertisementReceived(p.ad, from: p.from, now: now), node: p.to) }
                continue
            }
            for i in 0..<2 where alive[i] {
                if let d = nodes[i].nextWakeup, d <= now { apply(nodes[i].deadlineReached(now: now), node: i) }
            }
        }
        now = end
    }

    func becameMaster(_ node: Int, after: Instant) -> Instant? {
        transitions.first { $0.0 >= after && $0.1 == node && $0.2 == .master }?.0
    }
}

let addrA = IPAddress("10.0.0.2")!
let addrB = IPAddress("10.0.0.3")!

@Suite("VRRP pair harness (simulated time)")
struct VRRPPairHarnessTests {
    func pair(version: VRRPVersion = .v2, interval: Duration = .seconds(1), preemptB: Bool = true) -> PairHarness {
        PairHarness(config(priority: 150, version: version, interval: interval, primary: addrA),
                    config(priority: 100, version: version, interval: interval, preempt: preemptB, primary: addrB))
    }

    @Test("Higher priority node ends up the only master after start")
    func converges() {
        var h = pair()
        h.start(0); h.start(1)
        h.run(until: at(10_000))
        #expect(h.nodes[0].currentState == .master)
        #expect(h.nodes[1].currentState == .backup)
        #expect(h.vipHolder == [0])
    }

    @Test("Crash of the master: backup takes over within 3 x advert + skew (v2, 1 s)")
    func crashV2() throws {
        var h = pair()
        h.start(0); h.start(1)
        h.run(until: at(10_000))
        h.crash(0)
        h.run(until: at(20_000))
        let took = try #require(h.becameMaster(1, after: at(10_000)))
        let bound = h.nodes[1].masterDownInterval
        #expect(took - at(10_000) <= bound)
        #expect(took - at(10_000) > bound - .seconds(1))
        #expect(h.vipHolder == [1])
    }

    @Test("Crash of the master: backup takes over within 3 x advert + skew (v3, 100 ms)")
    func crashV3() throws {
        var h = pair(version: .v3, interval: .milliseconds(100))
        h.start(0); h.start(1)
        h.run(until: at(2_000))
        h.crash(0)
        h.run(until: at(4_000))
        let took = try #require(h.becameMaster(1, after: at(2_000)))
        #expect(took - at(2_000) <= .nanoseconds(360_937_500))
        #expect(took - at(2_000) > .nanoseconds(260_937_500))
    }

    @Test("Graceful shutdown: backup takes over after skew time plus link delay")
    func gracefulStop() throws {
        var h = pair()
        h.start(0); h.start(1)
        h.run(until: at(10_000))
        h.shutdown(0)
        h.run(until: at(20_000))
        let took = try #require(h.becameMaster(1, after: at(10_000)))
        #expect(took - at(10_000) == .milliseconds(1) + .nanoseconds(609_375_000))
    }

    @Test("Returning higher-priority node preempts")
    func preemptOnReturn() {
        var h = pair()
        h.start(1)
        h.run(until: at(10_000))
        #expect(h.vipHolder == [1])
        h.start(0)
        h.run(until: at(20_000))
        #expect(h.vipHolder == [0])
        #expect(h.nodes[1].currentState == .backup)
    }

    @Test("With nopreempt on both, returning higher-priority node stays backup")
    func noPreemptOnReturn() {
        var h = PairHarness(config(priority: 150, preempt: false, primary: addrA),
                            config(priority: 100, preempt: false, primary: addrB))
        h.start(1)
        h.run(until: at(10_000))
        h.start(0)
        h.run(until: at(20_000))
        #expect(h.vipHolder == [1])
    }

    @Test("Healed partition: the lower priority master yields")
    func partitionHealed() {
        var h = pair()
        h.start(0); h.start(1)
        h.run(until: at(10_000))
        h.partitioned = true
        h.run(until: at(20_000))
        #expect(h.vipHolder == [0, 1])
        h.partitioned = false
        h.run(until: at(22_000))
        #expect(h.vipHolder == [0])
    }

    @Test("Losing every second advert does not cause a failover")
    func lossTolerated() {
        var h = pair()
        h.start(0); h.start(1)
        h.run(until: at(10_000))
        h.dropEvery = 2
        h.run(until: at(60_000))
        #expect(h.vipHolder == [0])
        #expect(h.transitions.filter { $0.1 == 1 && $0.2 == .master }.isEmpty)
    }

    @Test("Tracker weight larger than the gap moves the VIP; smaller does not")
    func trackerWeight() {
        var h = pair()
        h.start(0); h.start(1)
        h.run(until: at(10_000))
        _ = h.nodes[0].priorityAdjustmentChanged(to: -40, now: h.now)
        h.run(until: at(20_000))
        #expect(h.vipHolder == [0], "150 - 40 = 110 > 100: stays")
        _ = h.nodes[0].priorityAdjustmentChanged(to: -60, now: h.now)
        h.run(until: at(30_000))
        #expect(h.vipHolder == [1], "150 - 60 = 90 < 100: moves")
        _ = h.nodes[0].priorityAdjustmentChanged(to: 0, now: h.now)
        h.run(until: at(40_000))
        #expect(h.vipHolder == [0], "recovered: preempts back")
    }
}
