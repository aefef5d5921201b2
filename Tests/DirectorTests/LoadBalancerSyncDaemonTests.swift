import HA
import HealthCheck
import IPVS
import Testing
import TestSupport
@testable import Director

private let syncPairConfig = """
global_defs {
    lvs_sync_daemon eth0 VI_1
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        10.0.0.100/24
    }
}
virtual_server 10.0.0.100 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    ha_suspend
    real_server 192.168.1.1 80 {
        weight 1
    }
}
virtual_server 10.0.2.1 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    ha_suspend
    real_server 192.168.1.2 80 {
        weight 1
    }
}
"""

@Suite("LoadBalancer lvs_sync_daemon, lvs_flush, ha_suspend")
struct LoadBalancerSyncDaemonTests {
    @Test("lvs_sync_daemon's id defaults to the instance's virtual_router_id; an explicit id wins; other options are listed")
    func planSyncDaemon() {
        let plain = lvsPlan(parsedConfig(syncPairConfig))
        #expect(plain.syncDaemon == PlannedSyncDaemon(interface: "eth0", instance: "VI_1", syncID: 51))
        let explicit = lvsPlan(parsedConfig(syncPairConfig.replacingOccurrences(
            of: "lvs_sync_daemon eth0 VI_1", with: "lvs_sync_daemon eth0 VI_1 id 7 ttl 2\n    lvs_flush")))
        #expect(explicit.syncDaemon == PlannedSyncDaemon(interface: "eth0", instance: "VI_1", syncID: 7, ttl: 2))
        #expect(explicit.flushAtStart)
        #expect(!plain.flushAtStart)
        #expect(plain.haSuspend == ["10.0.0.100:80", "10.0.2.1:80"])
    }

    @Test("lvs_sync_daemon's maxlen, port, ttl and group reach the kernel daemon of either role")
    func syncDaemonOptions() {
        var lb = LoadBalancer(plan: lvsPlan(parsedConfig(syncPairConfig.replacingOccurrences(
            of: "lvs_sync_daemon eth0 VI_1", with: "lvs_sync_daemon eth0 VI_1 maxlen 1400 port 8850 ttl 3 group 239.1.2.3"))))
        let backup = IPVSSyncDaemon(role: .backup, interface: "eth0", syncID: 51, maxLength: 1400, group: v4("239.1.2.3"),
                                    port: 8850, ttl: 3)
        #expect(lb.desiredSyncDaemons == [backup])
        _ = lb.instanceChanged("VI_1", to: .master, reason: "test")
        var master = backup
        master.role = .master
        #expect(lb.desiredSyncDaemons == [master])
        #expect(IPVSCommand.startSyncDaemon(master).description
                == "--start-daemon master --mcast-interface eth0 --syncid 51 --sync-maxlen 1400 --mcast-group 239.1.2.3 --mcast-port 8850 --mcast-ttl 3")
    }

    @Test("The sync daemon is the backup one until the instance is MASTER, the master one while it is, backup again after")
    func syncDaemonFollowsState() {
        var lb = LoadBalancer(plan: lvsPlan(parsedConfig(syncPairConfig)))
        #expect(lb.desiredSyncDaemons == [IPVSSyncDaemon(role: .backup, interface: "eth0", syncID: 51)])
        _ = lb.instanceChanged("VI_1", to: .backup, reason: "startup")
        #expect(lb.desiredSyncDaemons.map(\.role) == [.backup])
        let up = lb.instanceChanged("VI_1", to: .master, reason: "test")
        #expect(lb.desiredSyncDaemons.map(\.role) == [.master])
        #expect(up.contains(.reconcile))
        _ = lb.instanceChanged("VI_1", to: .fault, reason: "test")
        #expect(lb.desiredSyncDaemons.map(\.role) == [.backup])
    }

    @Test("A role change alone (no service moves) still asks for a reconcile")
    func roleChangeReconciles() {
        var config = syncPairConfig
        config = config.replacingOccurrences(of: "10.0.0.100 80", with: "10.0.3.3 80")   // no service on the VIP
        var lb = LoadBalancer(plan: lvsPlan(parsedConfig(config)))
        let before = lb.desiredTable
        let actions = lb.instanceChanged("VI_1", to: .master, reason: "test")
        #expect(lb.desiredTable == before)
        #expect(actions == [.reconcile])
    }

    @Test("Checks-only mode runs no sync daemon")
    func checksOnlyNoDaemon() {
        let lb = LoadBalancer(plan: lvsPlan(parsedConfig(syncPairConfig)), mode: .checksOnly)
        #expect(lb.desiredSyncDaemons.isEmpty)
    }

    @Test("lvs_sync_daemon without an instance runs the master and the backup daemon (id 0) in every state and mode")
    func syncDaemonWithoutInstance() {
        let config = parsedConfig(syncPairConfig.replacingOccurrences(of: "lvs_sync_daemon eth0 VI_1",
                                                                       with: "lvs_sync_daemon eth0 maxlen 1400"))
        let both = [IPVSSyncDaemon(role: .master, interface: "eth0", syncID: 0, maxLength: 1400),
                    IPVSSyncDaemon(role: .backup, interface: "eth0", syncID: 0, maxLength: 1400)]
        var lb = LoadBalancer(plan: lvsPlan(config))
        #expect(lvsPlan(config).syncDaemon == PlannedSyncDaemon(interface: "eth0", instance: nil, syncID: 0, maxLength: 1400))
        #expect(lb.desiredSyncDaemons == both)
        _ = lb.instanceChanged("VI_1", to: .master, reason: "test")
        #expect(lb.desiredSyncDaemons == both)
        _ = lb.instanceChanged("VI_1", to: .fault, reason: "test")
        #expect(lb.desiredSyncDaemons == both)
        #expect(LoadBalancer(plan: lvsPlan(config), mode: .checksOnly).desiredSyncDaemons == both)
    }

    @Test("ha_suspend: a virtual server on a VIP is checked only while its instance is MASTER; one on no VIP always")
    func haSuspendFollowsOwnership() {
        var lb = LoadBalancer(plan: lvsPlan(parsedConfig(syncPairConfig)))
        #expect(lb.suspendedVirtualServers == ["10.0.0.100:80"])
        _ = lb.instanceChanged("VI_1", to: .master, reason: "test")
        #expect(lb.suspendedVirtualServers.isEmpty)
        _ = lb.instanceChanged("VI_1", to: .backup, reason: "test")
        #expect(lb.suspendedVirtualServers == ["10.0.0.100:80"])
    }
}
