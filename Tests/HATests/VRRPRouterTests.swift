import Testing
import Vocabulary
@testable import HA

private let group = IPAddress("224.0.0.18")!

/// A command line as the configuration gives it (no user).
func cmd(_ line: String) -> ScriptCommand { ScriptCommand(command: line) }
private let vip2 = IPAddress("10.0.0.200")!

/// An instance spec for the router tests: `name` with VRID `vrid`, one VIP on eth0, no trackers unless given.
func routerSpec(_ name: String = "VI_1", vrid: UInt8 = 51, priority: UInt8 = 100, address: IPAddress = vip,
                garp: GratuitousARPSettings = .init(masterDelay: .zero), notify: VRRPNotifyScripts = .init(),
                unicastPeers: [IPAddress] = [], scripts: [VRRPTrackReference] = [],
                interfaces: [VRRPTrackReference] = [], files: [VRRPTrackReference] = []) -> VRRPInstanceSpec {
    let configuration = VRRPInstanceConfiguration(name: name, vrid: vrid, priority: priority,
                                                  virtualAddresses: [address], primaryAddress: me)
    return VRRPInstanceSpec(configuration: configuration, interface: "eth0", unicastPeers: unicastPeers,
                            virtualAddresses: [VirtualAddress(address: address)], garp: garp, notify: notify,
                            trackScripts: scripts, trackInterfaces: interfaces, trackFiles: files)
}

/// A router with every instance's transport opened at `t0`; returns the actions of the start.
func startedRouter(_ configuration: VRRPRuntimeConfiguration,
                   gatesTakeover: Bool = false) -> (VRRPRouter, [VRRPRouterAction]) {
    var router = VRRPRouter(configuration: configuration, gatesTakeover: gatesTakeover)
    var actions: [VRRPRouterAction] = []
    for spec in router.awaitingTransport {
        actions += router.transportOpened(instance: spec.name, primaryAddress: me, now: t0)
    }
    return (router, actions)
}

/// The advert instance `spec` sends with `priority` (its VIP, v2, 1 s).
func routerAdvert(_ spec: VRRPInstanceSpec, _ priority: UInt8) -> VRRPAdvertisement {
    VRRPAdvertisement(version: .v2, vrid: spec.configuration.vrid, priority: priority, intervalCentiseconds: 100,
                      addresses: spec.configuration.virtualAddresses)
}

func packet(_ ad: VRRPAdvertisement, from source: IPAddress = peer) -> VRRPReceivedPacket {
    VRRPReceivedPacket(source: source, destination: group, ttl: 255,
                       payload: ad.encode(source: source, destination: group))
}

func addVIPs(_ spec: VRRPInstanceSpec, announcements: Int = 5) -> VRRPRouterAction {
    .addVIPs(instance: spec.name, interface: "eth0", addresses: spec.virtualAddresses, announcements: announcements)
}

func removeVIPs(_ spec: VRRPInstanceSpec) -> VRRPRouterAction {
    .removeVIPs(instance: spec.name, interface: "eth0", addresses: spec.virtualAddresses)
}

/// v2, 1 s, priority 100: Master_Down_Interval = 3 s + 609.375 ms.
let masterDown100 = at(3609) + .nanoseconds(375_000)

@Suite("VRRP router: sync groups")
struct VRRPRouterSyncGroupTests {
    let a = routerSpec("A", vrid: 51)
    let b = routerSpec("B", vrid: 52, priority: 50, address: vip2)
    let groupNotify = VRRPNotifyScripts(master: cmd("/g-master"), backup: cmd("/g-backup"), fault: cmd("/g-fault"),
                                        generic: cmd("/g"))

    func configuration(_ a: VRRPInstanceSpec, _ b: VRRPInstanceSpec) -> VRRPRuntimeConfiguration {
        VRRPRuntimeConfiguration(instances: [a, b],
                                 syncGroups: [VRRPSyncGroupSpec(name: "G", members: ["A", "B"], notify: groupNotify)])
    }

    func bothMaster() -> VRRPRouter {
        var (router, _) = startedRouter(configuration(a, b))
        _ = router.deadlineReached(now: masterDown100)
        return router
    }

    @Test("A member's takeover moves the group into MASTER; the group's notify runs once")
    func followIntoMaster() {
        var (router, _) = startedRouter(configuration(a, b))
        // A's master-down timer expires first (B has priority 50, so a longer skew).
        #expect(router.deadlineReached(now: masterDown100) == [
            .send(instance: "A", routerAdvert(a, 100)), addVIPs(a),
            .transition(instance: "A", from: .backup, to: .master,
                        reason: .masterDownTimerExpired(lastAdvertAge: nil)),
            .send(instance: "B", routerAdvert(b, 50)), addVIPs(b),
            .transition(instance: "B", from: .backup, to: .master, reason: .syncGroup("G")),
            .runNotifyScript(cmd("/g-master"), arguments: []),
            .runNotifyScript(cmd("/g"), arguments: ["GROUP", "G", "MASTER", "0"]),
        ])
        #expect(router.states == ["A": .master, "B": .master])
    }

    @Test("A member that sees a higher-priority master moves the group into BACKUP")
    func followIntoBackup() {
        var router = bothMaster()
        #expect(router.packetReceived(packet(routerAdvert(a, 200)), instance: "A", now: at(4000)) == [
            removeVIPs(a),
            .transition(instance: "A", from: .master, to: .backup, reason: .higherPriorityAdvert(priority: 200, from: peer)),
            removeVIPs(b),
            .transition(instance: "B", from: .master, to: .backup, reason: .syncGroup("G")),
            .runNotifyScript(cmd("/g-backup"), arguments: []),
            .runNotifyScript(cmd("/g"), arguments: ["GROUP", "G", "BACKUP", "0"]),
        ])
        #expect(router.states == ["A": .backup, "B": .backup])
    }

    @Test("A member whose weight-0 tracker fails moves the group into FAULT")
    func followIntoFault() {
        let a = routerSpec("A", vrid: 51, interfaces: [VRRPTrackReference(name: "eth9", weight: 0)])
        var router = VRRPRouter(configuration: configuration(a, b))
        _ = router.interfaceStateRead("eth9", up: true, now: t0)
        _ = router.transportOpened(instance: "A", primaryAddress: me, now: t0)
        _ = router.transportOpened(instance: "B", primaryAddress: me, now: t0)
        #expect(router.interfaceStateRead("eth9", up: false, now: at(500)) == [
            .trackerChanged(.interface("eth9", up: false)),
            .transition(instance: "A", from: .backup, to: .fault, reason: .interfaceDown("eth9")),
            .transition(instance: "B", from: .backup, to: .fault, reason: .syncGroup("G")),
            .runNotifyScript(cmd("/g-fault"), arguments: []),
            .runNotifyScript(cmd("/g"), arguments: ["GROUP", "G", "FAULT", "0"]),
        ])
        #expect(router.states == ["A": .fault, "B": .fault])
    }

    @Test("A group of three runs its notify once per group transition, not once per member")
    func groupNotifyOnce() {
        let c = routerSpec("C", vrid: 53, priority: 40, address: IPAddress("10.0.0.201")!)
        let configuration = VRRPRuntimeConfiguration(
            instances: [a, b, c],
            syncGroups: [VRRPSyncGroupSpec(name: "G", members: ["A", "B", "C"],
                                           notify: VRRPNotifyScripts(generic: cmd("/g")))])
        var (router, _) = startedRouter(configuration)
        let actions = router.deadlineReached(now: masterDown100)
        #expect(actions.filter { $0 == .runNotifyScript(cmd("/g"), arguments: ["GROUP", "G", "MASTER", "0"]) }.count == 1)
        #expect(router.states == ["A": .master, "B": .master, "C": .master])
    }

    @Test("The group's notify waits until every member has started")
    func groupNotifyWaitsForMembers() {
        var router = VRRPRouter(configuration: configuration(a, b))
        #expect(router.transportOpened(instance: "A", primaryAddress: me, now: t0) == [
            .transition(instance: "A", from: .initialize, to: .backup, reason: .startup),
        ])
        #expect(router.transportOpened(instance: "B", primaryAddress: me, now: t0) == [
            .transition(instance: "B", from: .initialize, to: .backup, reason: .startup),
            .runNotifyScript(cmd("/g-backup"), arguments: []),
            .runNotifyScript(cmd("/g"), arguments: ["GROUP", "G", "BACKUP", "0"]),
        ])
    }
}

@Suite("VRRP router: trackers")
struct VRRPRouterTrackerTests {
    let spec = routerSpec(scripts: [VRRPTrackReference(name: "up", weight: 20),
                                    VRRPTrackReference(name: "down", weight: -30)],
                          interfaces: [VRRPTrackReference(name: "eth1", weight: 10)],
                          files: [VRRPTrackReference(name: "maint", weight: -5)])

    var configuration: VRRPRuntimeConfiguration {
        VRRPRuntimeConfiguration(instances: [spec],
                                 scripts: [VRRPScriptSpec(name: "up", command: cmd("/bin/true")),
                                           VRRPScriptSpec(name: "down", command: cmd("/bin/false"), initFail: true)],
                                 trackFiles: [VRRPTrackFileSpec(name: "maint", path: "/tmp/maint")])
    }

    func started() -> VRRPRouter {
        var router = VRRPRouter(configuration: configuration)
        _ = router.interfaceStateRead("eth1", up: true, now: t0)
        _ = router.trackFileRead("maint", value: 2, now: t0)
        _ = router.transportOpened(instance: "VI_1", primaryAddress: me, now: t0)
        return router
    }

    @Test("Tracker weights sum into the effective priority: +20 up, -30 down, +10 up, 2 × -5")
    func weightsSum() throws {
        let report = try #require(started().priorities["VI_1"])
        #expect(report.effective == 90)
        #expect(report.fault == false)
        #expect(report.trackers == ["track_script up up: +20", "track_script down down: -30",
                                    "track_interface eth1 up: +10", "track_file maint value 2 × -5: -10"])
    }

    @Test("A script that fails takes its weight away; the master advertises the new priority")
    func scriptFailureLowersPriority() throws {
        var router = started()
        _ = router.deadlineReached(now: at(3000) + .nanoseconds(648_437_500))   // 3 s + (256 - 90)/256 s
        #expect(router.states["VI_1"] == .master)
        #expect(router.scriptFinished("up", succeeded: false, now: at(4000)) == [.trackerChanged(.script("up", succeeded: false))])
        #expect(try #require(router.priorities["VI_1"]).effective == 70)
        #expect(router.deadlineReached(now: at(4700)) == [.send(instance: "VI_1", routerAdvert(spec, 70))])
    }

    @Test("A reading that does not change anything reports nothing")
    func unchangedReading() {
        var router = started()
        #expect(router.interfaceStateRead("eth1", up: true, now: at(200)) == [])
        #expect(router.trackFileRead("maint", value: 2, now: at(200)) == [])
        #expect(router.scriptFinished("up", succeeded: true, now: at(200)) == [])
        #expect(router.interfaceStateRead("eth1", up: false, now: at(400)) == [.trackerChanged(.interface("eth1", up: false))])
        #expect(router.priorities["VI_1"]?.effective == 80)
    }

    @Test("A non-zero value in a weight-0 track file holds the instance in FAULT until it is zero again")
    func weightZeroFileFault() {
        let spec = routerSpec(files: [VRRPTrackReference(name: "down", weight: 0)])
        var router = VRRPRouter(configuration: VRRPRuntimeConfiguration(
            instances: [spec], trackFiles: [VRRPTrackFileSpec(name: "down", path: "/etc/keepalived/down")]))
        _ = router.trackFileRead("down", value: 0, now: t0)
        _ = router.transportOpened(instance: "VI_1", primaryAddress: me, now: t0)
        #expect(router.trackFileRead("down", value: 1, now: at(200)) == [
            .trackerChanged(.file("down", value: 1)),
            .transition(instance: "VI_1", from: .backup, to: .fault, reason: .fault),
        ])
        #expect(router.nextDeadline == nil)
        #expect(router.trackFileRead("down", value: 0, now: at(400)) == [
            .trackerChanged(.file("down", value: 0)),
            .transition(instance: "VI_1", from: .fault, to: .backup, reason: .faultCleared),
        ])
    }

    @Test("An instance whose weight-0 tracker is already down starts in FAULT")
    func startsInFault() {
        let spec = routerSpec(interfaces: [VRRPTrackReference(name: "eth9", weight: 0)])
        var router = VRRPRouter(configuration: VRRPRuntimeConfiguration(instances: [spec]))
        _ = router.interfaceStateRead("eth9", up: false, now: t0)
        #expect(router.transportOpened(instance: "VI_1", primaryAddress: me, now: t0) == [
            .transition(instance: "VI_1", from: .initialize, to: .fault, reason: .interfaceDown("eth9")),
        ])
    }
}

@Suite("VRRP router: gratuitous ARP schedule")
struct VRRPRouterGARPTests {
    let owner = routerSpec(priority: 255, garp: GratuitousARPSettings(masterDelay: .seconds(5), masterRepeat: 3,
                                                                       masterRefresh: .seconds(60)))

    func announce(_ count: Int = 3) -> VRRPRouterAction {
        .announce(instance: "VI_1", interface: "eth0", addresses: owner.virtualAddresses, count: count)
    }

    @Test("Bursts at the takeover, at garp_master_delay, then every garp_master_refresh (garp_master_refresh_repeat each, default 1), and not a tick earlier")
    func schedule() {
        var (router, start) = startedRouter(VRRPRuntimeConfiguration(instances: [owner]))
        #expect(start == [.send(instance: "VI_1", routerAdvert(owner, 255)), addVIPs(owner, announcements: 3),
                          .transition(instance: "VI_1", from: .initialize, to: .master, reason: .addressOwner)])
        #expect(router.deadlineReached(now: at(4999)) == [.send(instance: "VI_1", routerAdvert(owner, 255))])
        #expect(router.deadlineReached(now: at(5000)) == [announce()])
        #expect(router.deadlineReached(now: at(64_999)) == [.send(instance: "VI_1", routerAdvert(owner, 255))])
        #expect(router.nextDeadline == at(65_000))
        #expect(router.deadlineReached(now: at(65_000)) == [announce(1)])
        #expect(router.deadlineReached(now: at(65_000)) == [])
    }

    @Test("garp_master_refresh_repeat 2: each refresh announces twice; without garp_master_delay the first burst is a refresh")
    func refreshRepeat() {
        let spec = routerSpec(priority: 255, garp: GratuitousARPSettings(masterDelay: .zero, masterRepeat: 3,
                                                                         masterRefresh: .seconds(60), refreshRepeat: 2))
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
        #expect(router.deadlineReached(now: at(60_000)).contains(announce(2)))
        #expect(router.deadlineReached(now: at(120_000)).contains(announce(2)))
    }

    @Test("No delayed burst after the instance left MASTER")
    func noBurstAfterLeaving() {
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [routerSpec(
            priority: 200, garp: GratuitousARPSettings(masterDelay: .seconds(5)))]))
        _ = router.deadlineReached(now: at(3219))   // 3 s + 56/256 s: MASTER, a burst due at 8.219 s
        #expect(router.states["VI_1"] == .master)
        _ = router.packetReceived(packet(routerAdvert(routerSpec(), 250)), instance: "VI_1", now: at(4000))
        #expect(router.states["VI_1"] == .backup)
        _ = router.packetReceived(packet(routerAdvert(routerSpec(), 250)), instance: "VI_1", now: at(7000))
        #expect(router.deadlineReached(now: at(8300)) == [])
        #expect(router.nextDeadline == at(8500))   // the master-silence timer, nothing for the VIPs
    }

    @Test("Without garp_master_delay and refresh there is only the takeover burst")
    func singleBurst() {
        let (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [routerSpec(priority: 255)]))
        #expect(router.nextDeadline == at(1000))   // the next advert only
    }
}

@Suite("VRRP router: takeover gating")
struct VRRPRouterTakeoverTests {
    let owner = routerSpec(priority: 255)

    @Test("A gated takeover holds the VIPs until the table is reported prepared")
    func holdsUntilPrepared() {
        var (router, start) = startedRouter(VRRPRuntimeConfiguration(instances: [owner]), gatesTakeover: true)
        #expect(start == [.send(instance: "VI_1", routerAdvert(owner, 255)),
                          .prepareTakeover(instance: "VI_1", reason: "address owner (priority 255)", ticket: 1),
                          .transition(instance: "VI_1", from: .initialize, to: .master, reason: .addressOwner)])
        #expect(router.takeoverPrepared(ticket: 1, now: at(20)) == [addVIPs(owner)])
        #expect(router.takeoverPrepared(ticket: 1, now: at(30)) == [])
        #expect(router.nextDeadline == at(1000))
    }

    @Test("The VIPs go up at the takeover limit when the table never comes, not a tick earlier")
    func limit() {
        let backup = routerSpec()
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [backup]), gatesTakeover: true)
        let takeover = router.deadlineReached(now: masterDown100)
        #expect(takeover.contains(.prepareTakeover(instance: "VI_1", reason: "master down timer expired, no advert seen",
                                                   ticket: 1)))
        #expect(!takeover.contains(addVIPs(backup)))
        let limit = masterDown100 + VRRPRouter.takeoverLimit
        #expect(router.deadlineReached(now: limit - .nanoseconds(1)) == [])
        #expect(router.deadlineReached(now: limit) == [.send(instance: "VI_1", routerAdvert(backup, 100)), addVIPs(backup)])
        #expect(router.takeoverPrepared(ticket: 1, now: limit + .milliseconds(10)) == [])
    }

    @Test("A takeover that ends before its table is prepared neither removes nor adds VIPs")
    func endsWhilePending() {
        let backup = routerSpec()
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [backup]), gatesTakeover: true)
        _ = router.deadlineReached(now: masterDown100)
        #expect(router.packetReceived(packet(routerAdvert(backup, 200)), instance: "VI_1", now: at(3700)) == [
            .transition(instance: "VI_1", from: .master, to: .backup, reason: .higherPriorityAdvert(priority: 200, from: peer)),
        ])
        #expect(router.takeoverPrepared(ticket: 1, now: at(3800)) == [])
        #expect(router.deadlineReached(now: masterDown100 + VRRPRouter.takeoverLimit) == [])
    }

    @Test("Every takeover gets a new ticket; a late report of an earlier one adds nothing")
    func staleTicket() {
        let backup = routerSpec()
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [backup]), gatesTakeover: true)
        _ = router.deadlineReached(now: masterDown100)
        _ = router.packetReceived(packet(routerAdvert(backup, 200)), instance: "VI_1", now: at(3700))
        let again = router.deadlineReached(now: at(3700) + .nanoseconds(3_609_375_000))
        #expect(again.contains(.prepareTakeover(instance: "VI_1", reason: "master down timer expired, last advert 3.61 s ago",
                                                ticket: 2)))
        #expect(router.takeoverPrepared(ticket: 1, now: at(7400)) == [])
        #expect(router.takeoverPrepared(ticket: 2, now: at(7400)) == [addVIPs(backup)])
    }
}

@Suite("VRRP router: packets, notify, reload, shutdown")
struct VRRPRouterLifecycleTests {
    @Test("Adverts of other VRIDs are ignored; undecodable ones are counted")
    func packetFilters() {
        let unicast = routerSpec(unicastPeers: [peer])
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [unicast]))
        #expect(router.packetReceived(packet(routerAdvert(routerSpec(vrid: 52), 200)), instance: "VI_1", now: at(10)) == [])
        #expect(router.counters["VI_1"]?.accepted == 0)
        let short = VRRPReceivedPacket(source: peer, destination: group, ttl: 255, payload: [0x21, 51, 100])
        #expect(router.packetReceived(short, instance: "VI_1", now: at(10)) == [
            .discarded(instance: "VI_1", .malformed(.truncated(length: 3)), from: peer),
        ])
        _ = router.packetReceived(packet(routerAdvert(unicast, 200)), instance: "VI_1", now: at(20))
        #expect(router.counters["VI_1"]?.accepted == 1)
    }

    @Test("A unicast advert from outside the peers reaches the instance: accepted by default, dropped with check_unicast_src")
    func unlistedUnicastSource() {
        let stranger = IPAddress("10.0.0.9")!
        var unicast = routerSpec(unicastPeers: [peer])
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [unicast]))
        #expect(router.packetReceived(packet(routerAdvert(unicast, 200), from: stranger), instance: "VI_1", now: at(10)) == [])
        #expect(router.counters["VI_1"]?.accepted == 1)
        unicast.configuration.checkUnicastSource = true
        var (checking, _) = startedRouter(VRRPRuntimeConfiguration(instances: [unicast]))
        #expect(checking.packetReceived(packet(routerAdvert(unicast, 200), from: stranger), instance: "VI_1", now: at(10)) == [
            .discarded(instance: "VI_1", .unicastSourceNotPeer, from: stranger),
            .unlistedUnicastSource(instance: "VI_1", from: stranger),
        ])
        _ = checking.packetReceived(packet(routerAdvert(unicast, 200)), instance: "VI_1", now: at(20))
        #expect(checking.counters["VI_1"]?.accepted == 1)
    }

    @Test("A transition runs the state's notify script, then the generic one with the effective priority")
    func instanceNotify() {
        let spec = routerSpec(notify: VRRPNotifyScripts(master: cmd("/m"), backup: cmd("/b"), generic: cmd("/n")))
        let (_, start) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
        #expect(start == [.transition(instance: "VI_1", from: .initialize, to: .backup, reason: .startup),
                          .runNotifyScript(cmd("/b"), arguments: []),
                          .runNotifyScript(cmd("/n"), arguments: ["INSTANCE", "VI_1", "BACKUP", "100"])])
    }

    @Test("Shutdown of a master sends priority 0, removes the VIPs and runs notify_stop")
    func shutdownMaster() {
        let owner = routerSpec(priority: 255, notify: VRRPNotifyScripts(stop: cmd("/stop")))
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [owner]))
        #expect(router.shutdown(now: at(500)) == [
            .send(instance: "VI_1", routerAdvert(owner, 0)), removeVIPs(owner),
            .transition(instance: "VI_1", from: .master, to: .stop, reason: .shutdown),
            .runNotifyScript(cmd("/stop"), arguments: []),
        ])
        #expect(router.nextDeadline == nil)
    }

    @Test("Reload keeps an unchanged instance and stops, closes and reopens one moved to another virtual router")
    func reload() {
        let a = routerSpec("A", vrid: 51), b = routerSpec("B", vrid: 52, address: vip2)
        var (router, _) = startedRouter(VRRPRuntimeConfiguration(instances: [a, b]))
        let changed = routerSpec("B", vrid: 53, priority: 120, address: vip2)
        #expect(router.configurationReloaded(VRRPRuntimeConfiguration(instances: [a, changed]), now: at(1000)) == [
            .transition(instance: "B", from: .backup, to: .stop, reason: .shutdown),
            .closeTransport(instance: "B"),
        ])
        #expect(router.awaitingTransport == [changed])
        #expect(router.states == ["A": .backup])
        #expect(router.transportOpened(instance: "B", primaryAddress: me, now: at(1000)) == [
            .transition(instance: "B", from: .initialize, to: .backup, reason: .startup),
        ])
        #expect(router.priorities["B"]?.effective == 120)
        // A kept its timers from t0 (its silence timer at 1.5 s; restarted, it would be at 2.5 s).
        #expect(router.nextDeadline == at(1500))
    }

    @Test("An instance whose transport failed does not run")
    func transportFailed() {
        var router = VRRPRouter(configuration: VRRPRuntimeConfiguration(instances: [routerSpec()]))
        router.transportFailed(instance: "VI_1")
        #expect(router.awaitingTransport.isEmpty)
        #expect(router.transportOpened(instance: "VI_1", primaryAddress: me, now: t0) == [])
        #expect(router.states.isEmpty)
    }
}

@Suite("A configuration fault (unicast_fault_no_peer without a peer)")
struct ConfigurationFaultTests {
    @Test("The instance starts in FAULT with the reason, takes no VIP, and stays there when its master-down time passes")
    func staysInFault() {
        var spec = routerSpec()
        spec.configurationFault = "unicast without any unicast_peer (unicast_fault_no_peer)"
        var (router, start) = startedRouter(VRRPRuntimeConfiguration(instances: [spec]))
        #expect(start.contains(.transition(instance: "VI_1", from: .initialize, to: .fault,
                                           reason: .configurationFault("unicast without any unicast_peer (unicast_fault_no_peer)"))))
        #expect(router.states == ["VI_1": .fault])
        _ = router.deadlineReached(now: masterDown100)
        #expect(router.states == ["VI_1": .fault])
    }
}
