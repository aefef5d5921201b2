import HA
import HealthCheck
import IPVS
import Testing
import Vocabulary
import TestSupport
@testable import Director

private let vs: VirtualServerID = "10.0.0.100:80"
private let rs1 = RealServerID(virtualServer: vs, address: "192.168.1.1", port: 80)
private let rs2 = RealServerID(virtualServer: vs, address: "192.168.1.2", port: 80)
private let key = tcp("10.0.0.100", 80)
private let local = tcp("10.0.2.1", 80)

private func dest(_ host: String, _ weight: Int32) -> IPVSDestination {
    IPVSDestination(key: IPVSDestinationKey(address: v4(host), port: 80), forwarding: .masquerade, weight: weight)
}

private func planned(_ k: RealServerID, weight: Int32 = 1, inhibit: Bool = false, alive: Bool = true) -> PlannedRealServer {
    PlannedRealServer(key: k, destination: dest(k.address.description, weight), inhibitOnFailure: inhibit, initiallyAlive: alive)
}

private func makePlan(inhibit: Bool = false, quorum: Int = 1, sorry: Bool = false, sorryInhibit: Bool = false,
                      owner: LVSOwner = .instance("VI_1")) -> LoadBalancerPlan {
    LoadBalancerPlan(
        services: [PlannedService(service: IPVSService(key: key, scheduler: "rr"), owner: owner, virtualServer: vs),
                   PlannedService(service: IPVSService(key: local), owner: .always, virtualServer: vs)],
        pools: [vs: PlannedPool(realServers: [planned(rs1, weight: 2, inhibit: inhibit), planned(rs2, inhibit: inhibit)],
                                quorum: quorum, sorryServer: sorry ? dest("192.168.9.9", 1) : nil,
                                sorryServerInhibit: sorryInhibit)])
}

private func change(_ k: RealServerID, alive: Bool, weight: Int = 1, inhibit: Bool = false) -> RealServerStateChange {
    RealServerStateChange(key: k, state: RealServerState(alive: alive, weight: weight, inhibitOnFailure: inhibit),
                          previous: nil, reason: "test")
}

private func destinations(_ lb: LoadBalancer, _ k: IPVSServiceKey = key) -> [IPVSDestination]? {
    lb.desiredTable.services[k]?.sortedDestinations
}

@Suite("LoadBalancer")
struct LoadBalancerTests {
    @Test("An owned service is absent while its instance is not MASTER")
    func absentWhileBackup() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .backup, reason: "start")
        #expect(lb.desiredTable.services[key] == nil)
        #expect(lb.desiredTable.services[local] != nil)
    }

    @Test("MASTER installs the service with every healthy real server and logs the ownership change")
    func masterInstalls() {
        var lb = LoadBalancer(plan: makePlan())
        let actions = lb.instanceChanged("VI_1", to: .master, reason: "master down timer expired")
        #expect(actions == [.ownershipChanged(key, installed: true, owner: .instance("VI_1"),
                                              reason: "is MASTER (VI_1: master down timer expired)"), .reconcile])
        #expect(destinations(lb) == [dest("192.168.1.1", 2), dest("192.168.1.2", 1)])
    }

    @Test("Leaving MASTER withdraws the service")
    func leavingMasterWithdraws() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        let actions = lb.instanceChanged("VI_1", to: .backup, reason: "higher priority advert")
        #expect(actions.first == .ownershipChanged(key, installed: false, owner: .instance("VI_1"),
                                                   reason: "is BACKUP (VI_1: higher priority advert)"))
        #expect(lb.desiredTable.services[key] == nil)
    }

    @Test("STOP is not an ownership change")
    func stopIgnored() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        #expect(lb.instanceChanged("VI_1", to: .stop, reason: "shutdown") == [])
        #expect(lb.desiredTable.services[key] != nil)
    }

    @Test("Checks-only mode installs every service without VRRP")
    func checksOnly() {
        let lb = LoadBalancer(plan: makePlan(), mode: .checksOnly)
        #expect(lb.desiredTable.services[key] != nil)
    }

    @Test("A sync group owns its services only while every member is MASTER")
    func syncGroup() {
        var lb = LoadBalancer(plan: makePlan(owner: .syncGroup("G", members: ["VI_1", "VI_2"])))
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        #expect(lb.desiredTable.services[key] == nil)
        _ = lb.instanceChanged("VI_2", to: .master, reason: "x")
        #expect(lb.desiredTable.services[key] != nil)
    }

    @Test("A down real server is removed")
    func downRemoved() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        #expect(lb.realServerChanged(change(rs2, alive: false)) == [.reconcile])
        #expect(destinations(lb) == [dest("192.168.1.1", 2)])
    }

    @Test("A down real server with inhibit_on_failure stays with weight 0")
    func downInhibited() {
        var lb = LoadBalancer(plan: makePlan(inhibit: true))
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        _ = lb.realServerChanged(change(rs2, alive: false, inhibit: true))
        #expect(destinations(lb) == [dest("192.168.1.1", 2), dest("192.168.1.2", 0)])
    }

    @Test("A restored real server returns at its weight")
    func restored() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        _ = lb.realServerChanged(change(rs2, alive: false))
        _ = lb.realServerChanged(change(rs2, alive: true))
        #expect(destinations(lb) == [dest("192.168.1.1", 2), dest("192.168.1.2", 1)])
    }

    @Test("A misc_dynamic weight from the checks becomes the IPVS weight")
    func dynamicWeight() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        _ = lb.realServerChanged(change(rs1, alive: true, weight: 7))
        #expect(destinations(lb)?.first == dest("192.168.1.1", 7))
    }

    @Test("Health changes on a BACKUP update only always-installed services")
    func healthWhileBackup() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.realServerChanged(change(rs2, alive: false))
        #expect(lb.desiredTable.services[key] == nil)
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        #expect(destinations(lb) == [dest("192.168.1.1", 2)])
    }

    @Test("Quorum down installs the sorry server as the only destination")
    func sorryOnQuorumDown() {
        var lb = LoadBalancer(plan: makePlan(quorum: 3, sorry: true))
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        _ = lb.quorumChanged(virtualServer: vs, up: false)
        #expect(destinations(lb) == [dest("192.168.9.9", 1)])
        _ = lb.quorumChanged(virtualServer: vs, up: true)
        #expect(destinations(lb) == [dest("192.168.1.1", 2), dest("192.168.1.2", 1)])
    }

    @Test("Quorum below threshold before any report installs the sorry server")
    func initialQuorum() {
        var lb = LoadBalancer(plan: makePlan(quorum: 4, sorry: true))
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        #expect(destinations(lb) == [dest("192.168.9.9", 1)])
    }

    @Test("sorry_server_inhibit keeps the sorry server with weight 0 while quorum is up")
    func sorryInhibit() {
        var lb = LoadBalancer(plan: makePlan(sorry: true, sorryInhibit: true))
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        #expect(destinations(lb) == [dest("192.168.1.1", 2), dest("192.168.1.2", 1), dest("192.168.9.9", 0)])
    }

    @Test("Quorum down without a sorry server keeps the live real servers")
    func quorumDownNoSorry() {
        var lb = LoadBalancer(plan: makePlan(quorum: 3))
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        _ = lb.realServerChanged(change(rs2, alive: false))
        _ = lb.quorumChanged(virtualServer: vs, up: false)
        #expect(destinations(lb) == [dest("192.168.1.1", 2)])
    }

    @Test("An unchanged table asks for no reconcile")
    func noChangeNoReconcile() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .backup, reason: "x")
        #expect(lb.realServerChanged(change(rs1, alive: true, weight: 2)).isEmpty)
    }

    @Test("A real server with an alpha checker starts out of the pool")
    func alphaStartsDown() {
        var plan = makePlan()
        plan.pools[vs]?.realServers[1].initiallyAlive = false
        var lb = LoadBalancer(plan: plan)
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        #expect(destinations(lb) == [dest("192.168.1.1", 2)])
    }

    @Test("Reloading the same plan asks for nothing")
    func reloadSamePlanIsQuiet() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        _ = lb.realServerChanged(change(rs2, alive: false))
        #expect(lb.replacePlan(makePlan()).isEmpty)
        #expect(destinations(lb) == [dest("192.168.1.1", 2)])
    }

    @Test("A reload keeps instance states and the health of unchanged real servers")
    func reloadKeepsStateAndHealth() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        _ = lb.realServerChanged(change(rs2, alive: false))
        var edited = makePlan()
        edited.pools[vs]?.realServers[0].destination.weight = 5
        #expect(lb.replacePlan(edited) == [.reconcile])
        #expect(lb.state(of: "VI_1") == .master)
        #expect(destinations(lb) == [dest("192.168.1.1", 5)])
    }

    @Test("A reload that removes a service withdraws it, one that adds a service installs it")
    func reloadAddsAndRemovesServices() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        var edited = makePlan()
        edited.services.removeLast()
        let other = tcp("10.0.2.9", 80)
        edited.services.append(PlannedService(service: IPVSService(key: other), owner: .always, virtualServer: vs))
        let actions = lb.replacePlan(edited)
        #expect(actions == [
            .ownershipChanged(local, installed: false, owner: .always, reason: "removed from the configuration"),
            .ownershipChanged(other, installed: true, owner: .always, reason: "added to the configuration"),
            .reconcile,
        ])
        #expect(lb.desiredTable.services[local] == nil)
        #expect(lb.desiredTable.services[other] != nil)
    }

    @Test("A real server removed by a reload and added back starts from its configured state")
    func reloadForgetsRemovedRealServers() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .master, reason: "x")
        _ = lb.realServerChanged(change(rs2, alive: false))
        var without = makePlan()
        without.pools[vs]?.realServers.removeLast()
        _ = lb.replacePlan(without)
        _ = lb.replacePlan(makePlan())
        #expect(destinations(lb) == [dest("192.168.1.1", 2), dest("192.168.1.2", 1)])
    }
}

@Suite("LoadBalancer takeover preparation")
struct LoadBalancerPreparationTests {
    @Test("A silent master installs the BACKUP's services ahead of the takeover; hearing it again withdraws them")
    func preparedAndWithdrawn() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .backup, reason: "start")
        let armed = lb.masterSilenceChanged("VI_1", silent: true)
        #expect(armed == [.ownershipChanged(key, installed: true, owner: .instance("VI_1"),
                                            reason: "prepared for a takeover (VI_1: master silent)"), .reconcile])
        #expect(destinations(lb) == [dest("192.168.1.1", 2), dest("192.168.1.2", 1)])
        let back = lb.masterSilenceChanged("VI_1", silent: false)
        #expect(back.contains(.reconcile))
        #expect(lb.desiredTable.services[key] == nil)
    }

    @Test("The takeover after a preparation changes nothing in the table")
    func takeoverAfterPreparation() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .backup, reason: "start")
        _ = lb.masterSilenceChanged("VI_1", silent: true)
        let before = lb.desiredTable
        #expect(lb.instanceChanged("VI_1", to: .master, reason: "master down timer expired") == [])
        #expect(lb.desiredTable == before)
        // Later BACKUP again: the preparation is over, the service goes.
        _ = lb.instanceChanged("VI_1", to: .backup, reason: "higher priority advert")
        #expect(lb.desiredTable.services[key] == nil)
    }

    @Test("Silence reported for an instance that is not BACKUP is ignored")
    func notBackup() {
        var lb = LoadBalancer(plan: makePlan())
        _ = lb.instanceChanged("VI_1", to: .fault, reason: "tracker")
        #expect(lb.masterSilenceChanged("VI_1", silent: true) == [])
        #expect(lb.desiredTable.services[key] == nil)
    }

    @Test("A sync group's services are prepared only when every member's master is silent")
    func syncGroup() {
        var lb = LoadBalancer(plan: makePlan(owner: .syncGroup("G", members: ["VI_1", "VI_2"])))
        _ = lb.instanceChanged("VI_1", to: .backup, reason: "start")
        _ = lb.instanceChanged("VI_2", to: .backup, reason: "start")
        #expect(lb.masterSilenceChanged("VI_1", silent: true) == [])
        #expect(lb.desiredTable.services[key] == nil)
        #expect(lb.masterSilenceChanged("VI_2", silent: true).contains(.reconcile))
        #expect(lb.desiredTable.services[key] != nil)
    }
}

@Suite("LoadBalancer installed instances")
struct InstancesInstalledTests {
    @Test("An instance counts as installed only when every service it owns is in the table")
    func installed() {
        var lb = LoadBalancer(plan: makePlan())
        #expect(LoadBalancer.instancesInstalled(plan: lb.plan, table: lb.desiredTable) == [])
        _ = lb.instanceChanged("VI_1", to: .backup, reason: "start")
        _ = lb.masterSilenceChanged("VI_1", silent: true)
        #expect(LoadBalancer.instancesInstalled(plan: lb.plan, table: lb.desiredTable) == ["VI_1"])
        #expect(LoadBalancer.instancesInstalled(plan: lb.plan, table: IPVSTable()) == [])
    }

    @Test("Sync-group services make every member installed, or none")
    func syncGroup() {
        var lb = LoadBalancer(plan: makePlan(owner: .syncGroup("G", members: ["VI_1", "VI_2"])))
        #expect(LoadBalancer.instancesInstalled(plan: lb.plan, table: lb.desiredTable) == [])
        _ = lb.instanceChanged("VI_1", to: .master, reason: "t")
        _ = lb.instanceChanged("VI_2", to: .master, reason: "t")
        #expect(LoadBalancer.instancesInstalled(plan: lb.plan, table: lb.desiredTable) == ["VI_1", "VI_2"])
    }
}
