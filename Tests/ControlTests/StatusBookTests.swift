import Foundation
@testable import HA
import HealthCheck
@testable import IPVS
import Testing
import TestSupport
@testable import Control

@Suite("StatusBook")
struct StatusBookTests {
    typealias F = StatusFixtures

    @Test("Before any event every instance is INIT and every real server UNKNOWN")
    func initialSnapshot() {
        let s = F.book().snapshot(now: F.at(1))
        #expect(s.instances.map(\.state) == ["INIT"])
        #expect(s.instances.first?.vips == ["10.10.1.100"])
        #expect(s.virtualServers.first?.realServers.map(\.health) == [.unknown, .unknown])
        #expect(s.virtualServers.first?.realServers.map(\.address) == ["10.10.2.21:8080", "10.10.2.22:8080"])
        #expect(s.generatedAt == F.at(1))
        #expect(s.pid == 4242)
    }

    @Test("A transition sets the state and is kept with its reason and time")
    func transitionRecorded() {
        var b = F.book()
        b.vrrpEventReceived(F.toBackup, now: F.at(0.1))
        b.vrrpEventReceived(F.toMaster, now: F.at(3.7))
        let i = b.snapshot(now: F.at(4)).instances[0]
        #expect(i.state == "MASTER")
        #expect(i.transitionCount == 2)
        #expect(i.transitions.last == TransitionRecord(at: F.at(3.7), from: "BACKUP", to: "MASTER",
                                                       reason: "master down timer expired, no advert seen"))
    }

    @Test("Only the last transitionLimit transitions are kept, the count goes on")
    func transitionsBounded() {
        var b = StatusBook(instances: [F.instance()], virtualServers: [], pid: 1, startedAt: F.t0, transitionLimit: 3,
                           ipvsWeight: F.ipvsWeight)
        for n in 0..<5 { b.vrrpEventReceived(n % 2 == 0 ? F.toMaster : F.toBackup, now: F.at(Double(n))) }
        let i = b.snapshot(now: F.at(9)).instances[0]
        #expect(i.transitions.map(\.at) == [F.at(2), F.at(3), F.at(4)])
        #expect(i.transitionCount == 5)
    }

    @Test("A real server going down shows DOWN, its reason, and no IPVS weight")
    func realServerDown() {
        var b = F.book()
        b.healthEventReceived(F.up(F.r1, weight: 2), now: F.at(1))
        b.healthEventReceived(F.down(F.r2), now: F.at(2))
        let rs = b.snapshot(now: F.at(3)).virtualServers[0].realServers
        #expect(rs[0].health == .up && rs[0].ipvsWeight == 2)
        #expect(rs[1] == RealServerStatus(address: "10.10.2.22:8080", health: .down, weight: 1, ipvsWeight: nil,
                                          since: F.at(2), reason: "TCP_CHECK connect refused (2nd try)"))
    }

    @Test("A quorum change is shown on its virtual server")
    func quorumDown() {
        var b = F.book()
        b.healthEventReceived(.quorum(virtualServer: F.vs, up: false, liveWeight: 0, reason: .configurationChanged), now: F.at(1))
        #expect(b.snapshot(now: F.at(2)).virtualServers[0].quorumUp == false)
    }

    @Test("Reconcile reports count operations and refused commands by operation")
    func reconcileCounted() {
        var b = F.book()
        let failure = IPVSCommandFailure(command: F.addR1, error: .kernel(.addDestination, errno: EEXIST, object: "x"))
        b.reconciled(IPVSChangeReport(commands: [F.addService, F.addR1], failures: [failure]), duration: .milliseconds(3), now: F.at(1))
        b.reconciled(IPVSChangeReport(commands: [], failures: []), duration: .microseconds(200), now: F.at(2))
        let ipvs = b.snapshot(now: F.at(3)).ipvs
        #expect(ipvs.reconciles == 2)
        #expect(ipvs.operations == ["addService": 1, "addDestination": 1])
        #expect(ipvs.errors == ["addDestination": 1])
        #expect(ipvs.lastDurationSeconds == 0.0002)
        #expect(ipvs.lastReconcileAt == F.at(2))
    }

    @Test("A failed reconcile counts as an error of operation reconcile")
    func reconcileFailure() {
        var b = F.book()
        b.reconcileFailed("no IPVS", duration: .milliseconds(1), now: F.at(1))
        let s = b.snapshot(now: F.at(2))
        #expect(s.ipvs.errors == ["reconcile": 1])
        #expect(s.ipvs.lastError == "no IPVS")
        #expect(b.events().map(\.kind) == [.ipvsError])
    }

    @Test("The history keeps the newest historyLimit events, numbered in order")
    func historyBounded() {
        var b = F.book(historyLimit: 2)
        b.vrrpEventReceived(F.toBackup, now: F.at(1))
        b.healthEventReceived(F.down(F.r1), now: F.at(2))
        b.vrrpEventReceived(F.toMaster, now: F.at(3))
        let e = b.events()
        #expect(e.map(\.seq) == [2, 3])
        #expect(e.map(\.kind) == [.realServer, .vrrp])
        #expect(e.last?.message == "VI_1 BACKUP -> MASTER: master down timer expired, no advert seen")
    }

    @Test("events(after:) returns only newer entries and limit keeps the newest")
    func eventsFiltered() {
        var b = F.book()
        for n in 1...5 { b.vrrpEventReceived(n % 2 == 0 ? F.toMaster : F.toBackup, now: F.at(Double(n))) }
        #expect(b.events(after: 3).map(\.seq) == [4, 5])
        #expect(b.events(limit: 2).map(\.seq) == [4, 5])
        #expect(b.events(after: 1, limit: 1).map(\.seq) == [5])
    }

    @Test("Runtime counters appear as sent, received and rejected by reason")
    func countersRead() {
        var b = F.book()
        var c = VRRPCounters()
        c.sent = 10
        c.accepted = 4
        c.discarded = [.badTTL(64): 2, .authenticationMismatch: 1]
        b.runtimeRead(states: ["VI_1": .master], counters: ["VI_1": c])
        let i = b.snapshot(now: F.at(1)).instances[0]
        #expect(i.adverts == AdvertCounters(sent: 10, received: 4, rejected: ["bad_ttl": 2, "auth_mismatch": 1]))
        #expect(i.state == "MASTER")
    }

    @Test("Without trackers the effective priority is the configured one")
    func effectivePriorityWithoutTrackers() {
        let i = F.book().snapshot(now: F.t0).instances[0]
        #expect(i.effectivePriority == 150)
        #expect(i.priorityReason == "base 150, no trackers")
    }

    @Test("With trackers the reason names each one and its weight")
    func priorityReasonNamesTrackers() {
        let b = StatusBook(instances: [F.instance(tracks: [VRRPTrackReference(name: "chk_nginx", weight: -20),
                                                           VRRPTrackReference(name: "chk_fw", weight: 0)])],
                           virtualServers: [], pid: 1, startedAt: F.t0, ipvsWeight: F.ipvsWeight)
        let i = b.snapshot(now: F.t0).instances[0]
        #expect(i.effectivePriority == nil)
        #expect(i.priorityReason == "base 150; track_script chk_nginx weight -20, track_script chk_fw (FAULT on failure)")
    }

    @Test("With the runtime's report the effective priority and each tracker's current part are shown")
    func priorityFromRuntime() {
        var b = StatusBook(instances: [F.instance(tracks: [VRRPTrackReference(name: "chk_nginx", weight: -20)])],
                           virtualServers: [], pid: 1, startedAt: F.t0, ipvsWeight: F.ipvsWeight)
        b.runtimeRead(states: [:], counters: [:],
                      priorities: ["VI_1": VRRPPriorityReport(effective: 130, fault: false,
                                                              trackers: ["track_script chk_nginx down: -20"])])
        let i = b.snapshot(now: F.t0).instances[0]
        #expect(i.effectivePriority == 130)
        #expect(i.priorityReason == "base 150; track_script chk_nginx down: -20")
    }

    @Test("A reload keeps the state of an instance and a real server that keep their names")
    func reloadKeepsState() {
        var b = F.book()
        b.vrrpEventReceived(F.toMaster, now: F.at(1))
        b.healthEventReceived(F.down(F.r2), now: F.at(2))
        b.configurationChanged(instances: [F.instance(priority: 200), F.instance(name: "VI_2")], virtualServers: [F.pool()])
        let s = b.snapshot(now: F.at(3))
        #expect(s.instances.map(\.state) == ["MASTER", "INIT"])
        #expect(s.instances[0].priority == 200)
        #expect(s.virtualServers[0].realServers[1].health == .down)
    }
}
