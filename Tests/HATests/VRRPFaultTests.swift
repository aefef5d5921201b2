import Testing
import Vocabulary
@testable import HA

/// Primary-interface tracking and FAULT (issue #13), on the router with simulated time.
@Suite("VRRP router: primary interface and FAULT")
struct VRRPFaultTests {
    let notify = VRRPNotifyScripts(fault: cmd("/fault"), generic: cmd("/notify"))

    /// A router whose primary interface eth0 was read up at t0 (as the runtime's dump does), then started.
    func started(_ specs: VRRPInstanceSpec..., groups: [VRRPSyncGroupSpec] = [],
                 files: [VRRPTrackFileSpec] = []) -> VRRPRouter {
        var router = VRRPRouter(configuration: VRRPRuntimeConfiguration(instances: specs, syncGroups: groups,
                                                                         trackFiles: files))
        for name in router.watchedInterfaces { _ = router.linkStateRead(name, state: .up, now: t0) }
        for f in files { _ = router.trackFileRead(f.name, value: 0, now: t0) }
        for spec in specs { _ = router.transportOpened(instance: spec.name, primaryAddress: me, now: t0) }
        return router
    }

    func master(_ spec: VRRPInstanceSpec) -> VRRPRouter {
        var router = started(spec)
        _ = router.deadlineReached(now: masterDown100)
        return router
    }

    @Test("The primary interface is watched by default, and not with dont_track_primary")
    func watched() {
        #expect(VRRPRouter(configuration: VRRPRuntimeConfiguration(instances: [routerSpec()])).watchedInterfaces
                == ["eth0"])
        var spec = routerSpec()
        spec.tracksPrimaryInterface = false
        #expect(VRRPRouter(configuration: VRRPRuntimeConfiguration(instances: [spec])).watchedInterfaces.isEmpty)
    }

    @Test("MASTER whose link goes down: two priority-0 adverts, VIPs removed, FAULT with the reason, notify_fault")
    func masterLinkDown() {
        let spec = routerSpec(notify: notify)
        var router = master(spec)
        #expect(router.states["VI_1"] == .master)
        #expect(router.linkStateRead("eth0", state: .down, now: at(4000)) == [
            .trackerChanged(.interface("eth0", up: false)),
            .send(instance: "VI_1", routerAdvert(spec, 0)), .send(instance: "VI_1", routerAdvert(spec, 0)),
            removeVIPs(spec),
            .transition(instance: "VI_1", from: .master, to: .fault, reason: .interfaceDown("eth0")),
            .runNotifyScript(cmd("/fault"), arguments: []),
            .runNotifyScript(cmd("/notify"), arguments: ["INSTANCE", "VI_1", "FAULT", "100"]),
        ])
        #expect(router.states["VI_1"] == .fault)
        #expect(router.nextDeadline == nil)
        #expect(router.priorities["VI_1"]?.fault == true)
        #expect(router.priorities["VI_1"]?.trackers == ["interface eth0 down: FAULT"])
    }

    @Test("The log line names the interface: MASTER -> FAULT (interface eth0 link down)")
    func reasonText() {
        #expect("\(VRRPTransitionReason.interfaceDown("eth0"))" == "interface eth0 link down")
        #expect("\(VRRPTransitionReason.interfaceDeleted("eth0"))" == "interface eth0 deleted")
        #expect("\(VRRPTransitionReason.interfaceUp("eth0"))" == "interface eth0 link up")
    }

    @Test("BACKUP whose link goes down enters FAULT without sending and stops its master-down timer")
    func backupLinkDown() {
        let spec = routerSpec()
        var router = started(spec)
        #expect(router.linkStateRead("eth0", state: .down, now: at(1000)) == [
            .trackerChanged(.interface("eth0", up: false)),
            .transition(instance: "VI_1", from: .backup, to: .fault, reason: .interfaceDown("eth0")),
        ])
        #expect(router.nextDeadline == nil)
        #expect(router.deadlineReached(now: at(60_000)) == [])
        #expect(router.states["VI_1"] == .fault)
    }

    @Test("Adverts received in FAULT change nothing")
    func advertsIgnoredInFault() {
        let spec = routerSpec()
        var router = started(spec)
        _ = router.linkStateRead("eth0", state: .down, now: at(1000))
        #expect(router.packetReceived(packet(routerAdvert(spec, 200)), instance: "VI_1", now: at(1100)) == [])
        #expect(router.packetReceived(packet(routerAdvert(spec, 0)), instance: "VI_1", now: at(1200)) == [])
        #expect(router.states["VI_1"] == .fault)
        #expect(router.nextDeadline == nil)
    }

    @Test("Link up leaves FAULT to BACKUP and becomes MASTER exactly at the master-down interval, not a tick earlier")
    func recovery() {
        let spec = routerSpec()
        var router = master(spec)
        _ = router.linkStateRead("eth0", state: .down, now: at(4000))
        #expect(router.linkStateRead("eth0", state: .up, now: at(9000)) == [
            .trackerChanged(.interface("eth0", up: true)),
            .transition(instance: "VI_1", from: .fault, to: .backup, reason: .interfaceUp("eth0")),
        ])
        let interval = masterDown100 - t0
        let early = router.deadlineReached(now: at(9000) + (interval - .nanoseconds(1)))
        #expect(!early.contains { if case .transition = $0 { true } else { false } })
        #expect(router.states["VI_1"] == .backup)
        let actions = router.deadlineReached(now: at(9000) + interval)
        #expect(actions.contains(.send(instance: "VI_1", routerAdvert(spec, 100))))
        #expect(router.states["VI_1"] == .master)
    }

    @Test("After recovery a higher-priority peer's advert keeps the node BACKUP")
    func recoveryFollowsPeer() {
        let spec = routerSpec()
        var router = master(spec)
        _ = router.linkStateRead("eth0", state: .down, now: at(4000))
        _ = router.linkStateRead("eth0", state: .up, now: at(9000))
        _ = router.packetReceived(packet(routerAdvert(spec, 150)), instance: "VI_1", now: at(9500))
        _ = router.deadlineReached(now: at(12_600))
        #expect(router.states["VI_1"] == .backup)
    }

    @Test("A deleted primary interface is FAULT with its own reason")
    func deleted() {
        let spec = routerSpec()
        var router = master(spec)
        let actions = router.linkStateRead("eth0", state: .absent, now: at(4000))
        #expect(actions.first == .trackerChanged(.interfaceDeleted("eth0")))
        #expect(actions.contains(.transition(instance: "VI_1", from: .master, to: .fault,
                                             reason: .interfaceDeleted("eth0"))))
        #expect(router.states["VI_1"] == .fault)
    }

    @Test("A deleted primary interface that comes back leaves the instance in FAULT (its socket was bound to the old one)")
    func recreatedStaysInFault() {
        var router = master(routerSpec())
        _ = router.linkStateRead("eth0", state: .absent, now: at(4000))
        #expect(router.linkStateRead("eth0", state: .up, now: at(5000)) == [
            .primaryInterfaceRecreated(interface: "eth0", instances: ["VI_1"]),
        ])
        #expect(router.linkStateRead("eth0", state: .down, now: at(5100)) == [])
        #expect(router.linkStateRead("eth0", state: .up, now: at(5200)) == [])
        #expect(router.states["VI_1"] == .fault)
        #expect(router.priorities["VI_1"]?.fault == true)
    }

    @Test("dont_track_primary: deleting the primary interface still faults, as keepalived's cleanup_lost_interface")
    func dontTrackPrimaryDeleted() {
        var spec = routerSpec()
        spec.tracksPrimaryInterface = false
        var router = master(spec)
        let actions = router.linkStateRead("eth0", state: .absent, now: at(4000))
        #expect(actions.contains(.transition(instance: "VI_1", from: .master, to: .fault,
                                             reason: .interfaceDeleted("eth0"))))
    }

    @Test("An instance whose primary interface is down at start starts in FAULT")
    func startsInFault() {
        var router = VRRPRouter(configuration: VRRPRuntimeConfiguration(instances: [routerSpec(notify: notify)]))
        _ = router.linkStateRead("eth0", state: .down, now: t0)
        #expect(router.transportOpened(instance: "VI_1", primaryAddress: me, now: t0) == [
            .transition(instance: "VI_1", from: .initialize, to: .fault, reason: .interfaceDown("eth0")),
            .runNotifyScript(cmd("/fault"), arguments: []),
            .runNotifyScript(cmd("/notify"), arguments: ["INSTANCE", "VI_1", "FAULT", "100"]),
        ])
    }

    @Test("A primary link that goes down after start but was never read before still faults")
    func firstReadingDown() {
        var router = VRRPRouter(configuration: VRRPRuntimeConfiguration(instances: [routerSpec()]))
        _ = router.transportOpened(instance: "VI_1", primaryAddress: me, now: t0)
        #expect(router.linkStateRead("eth0", state: .down, now: at(10)) == [
            .transition(instance: "VI_1", from: .backup, to: .fault, reason: .interfaceDown("eth0")),
        ])
    }

    @Test("dont_track_primary: the link going down changes nothing, a MASTER stays MASTER")
    func dontTrackPrimary() {
        var spec = routerSpec()
        spec.tracksPrimaryInterface = false
        var router = master(spec)
        #expect(router.linkStateRead("eth0", state: .down, now: at(4000)) == [])
        #expect(router.linkStateRead("eth0", state: .up, now: at(4100)) == [])
        #expect(router.states["VI_1"] == .master)
    }

    @Test("dont_track_primary leaves track_interface in force")
    func dontTrackPrimaryKeepsTrackInterface() {
        var spec = routerSpec(interfaces: [VRRPTrackReference(name: "eth1", weight: 0)])
        spec.tracksPrimaryInterface = false
        var router = master(spec)
        #expect(router.linkStateRead("eth0", state: .down, now: at(4000)) == [])
        let actions = router.linkStateRead("eth1", state: .down, now: at(4100))
        #expect(actions.contains(.transition(instance: "VI_1", from: .master, to: .fault,
                                             reason: .interfaceDown("eth1"))))
        #expect(actions.filter { $0 == .send(instance: "VI_1", routerAdvert(spec, 0)) }.count == 2)
    }

    @Test("A weighted track_interface only changes the priority; down is not FAULT")
    func weightedTrackInterface() {
        let spec = routerSpec(interfaces: [VRRPTrackReference(name: "eth1", weight: -30)])
        var router = master(spec)
        #expect(router.linkStateRead("eth1", state: .down, now: at(4000)) == [
            .trackerChanged(.interface("eth1", up: false)),
        ])
        #expect(router.states["VI_1"] == .master)
        #expect(router.priorities["VI_1"]?.effective == 70)
    }

    @Test("FAULT while another weight-0 tracker fails: the link coming up does not leave FAULT")
    func otherTrackerHolds() {
        let spec = routerSpec(files: [VRRPTrackReference(name: "down", weight: 0)])
        var router = started(spec, files: [VRRPTrackFileSpec(name: "down", path: "/etc/keepalived/down")])
        _ = router.linkStateRead("eth0", state: .down, now: at(1000))
        _ = router.trackFileRead("down", value: 1, now: at(1100))
        #expect(router.linkStateRead("eth0", state: .up, now: at(1200)) == [.trackerChanged(.interface("eth0", up: true))])
        #expect(router.states["VI_1"] == .fault)
        #expect(router.trackFileRead("down", value: 0, now: at(1300)) == [
            .trackerChanged(.file("down", value: 0)),
            .transition(instance: "VI_1", from: .fault, to: .backup, reason: .faultCleared),
        ])
    }
}

@Suite("VRRP router: sync group in FAULT")
struct VRRPSyncGroupFaultTests {
    let a = routerSpec("A", vrid: 51)
    let b = VRRPInstanceSpec(
        configuration: VRRPInstanceConfiguration(name: "B", vrid: 52, priority: 50,
                                                 virtualAddresses: [IPAddress("10.0.1.200")!], primaryAddress: me),
        interface: "eth1", virtualAddresses: [VirtualAddress(address: IPAddress("10.0.1.200")!)],
        garp: .init(masterDelay: .zero))

    func started() -> VRRPRouter {
        let group = VRRPSyncGroupSpec(name: "G", members: ["A", "B"], notify: VRRPNotifyScripts(generic: cmd("/g")))
        var router = VRRPRouter(configuration: VRRPRuntimeConfiguration(instances: [a, b], syncGroups: [group]))
        _ = router.linkStateRead("eth0", state: .up, now: t0)
        _ = router.linkStateRead("eth1", state: .up, now: t0)
        _ = router.transportOpened(instance: "A", primaryAddress: me, now: t0)
        _ = router.transportOpened(instance: "B", primaryAddress: me, now: t0)
        _ = router.deadlineReached(now: masterDown100)
        return router
    }

    @Test("A member's link down puts the whole group in FAULT; a forced MASTER sends one priority-0 advert")
    func groupFaults() {
        var router = started()
        #expect(router.states == ["A": .master, "B": .master])
        let actions = router.linkStateRead("eth0", state: .down, now: at(5000))
        #expect(actions.contains(.transition(instance: "A", from: .master, to: .fault, reason: .interfaceDown("eth0"))))
        #expect(actions.contains(.transition(instance: "B", from: .master, to: .fault, reason: .syncGroup("G"))))
        #expect(actions.filter { if case .send("A", _) = $0 { true } else { false } }.count == 2)
        #expect(actions.filter { if case .send("B", _) = $0 { true } else { false } }.count == 1)
        #expect(actions.filter { $0 == .runNotifyScript(cmd("/g"), arguments: ["GROUP", "G", "FAULT", "0"]) }.count == 1)
        #expect(router.states == ["A": .fault, "B": .fault])
    }

    @Test("The group leaves FAULT only when no member is faulted, then to BACKUP together")
    func groupRecoversWhenAllClear() {
        var router = started()
        _ = router.linkStateRead("eth0", state: .down, now: at(5000))
        _ = router.linkStateRead("eth1", state: .down, now: at(5100))
        #expect(router.states == ["A": .fault, "B": .fault])
        let first = router.linkStateRead("eth0", state: .up, now: at(6000))
        #expect(first == [.trackerChanged(.interface("eth0", up: true))])
        #expect(router.states == ["A": .fault, "B": .fault])
        let second = router.linkStateRead("eth1", state: .up, now: at(7000))
        #expect(second.contains(.transition(instance: "B", from: .fault, to: .backup, reason: .interfaceUp("eth1"))))
        #expect(second.contains(.transition(instance: "A", from: .fault, to: .backup, reason: .syncGroup("G"))))
        #expect(second.filter { $0 == .runNotifyScript(cmd("/g"), arguments: ["GROUP", "G", "BACKUP", "0"]) }.count == 1)
        #expect(router.states == ["A": .backup, "B": .backup])
    }

    @Test("The other member's link is not needed: one member's recovery takes both to BACKUP")
    func singleFaultRecovery() {
        var router = started()
        _ = router.linkStateRead("eth0", state: .down, now: at(5000))
        let actions = router.linkStateRead("eth0", state: .up, now: at(6000))
        #expect(actions.contains(.transition(instance: "A", from: .fault, to: .backup, reason: .interfaceUp("eth0"))))
        #expect(actions.contains(.transition(instance: "B", from: .fault, to: .backup, reason: .syncGroup("G"))))
        #expect(router.states == ["A": .backup, "B": .backup])
    }
}
