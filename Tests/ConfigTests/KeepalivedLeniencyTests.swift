import Testing
@testable import Config

/// What keepalived only warns about loads here too (Debian's samples conditional_conf, vrrp and vrrp.lvs_syncd).
@Suite("keepalived's leniency")
struct KeepalivedLeniencyTests {
    private let instance = """
    vrrp_instance VI_1 {
        interface eth0
        virtual_router_id 51
        virtual_ipaddress { 10.0.0.1 }
        track_script { check }
        lvs_sync_daemon_interface eth1
    }
    """

    @Test("A vrrp_script without a script is dropped with a warning, and a track_script to it is ignored")
    func emptyScript() {
        let r = ConfigLoader.parse(text: "vrrp_script check {\n interval 1\n}\n" + instance)
        #expect(r.isValid, "\(r.rendered())")
        #expect(r.config.vrrpScripts.isEmpty)
        #expect(r.diagnostics.filter { $0.severity == .warning }.count >= 2)
    }

    @Test("lvs_sync_daemon_interface in an instance is lvs_sync_daemon IFNAME INSTANCE")
    func deprecatedSyncDaemonInterface() {
        let r = ConfigLoader.parse(text: instance)
        #expect(r.config.globalDefs.lvsSyncDaemon == LVSSyncDaemon(interface: "eth1", vrrpInstance: "VI_1"))
    }

    @Test("Sync group members written bare are ignored and the empty group dropped, as keepalived 2.2.7 does")
    func bareSyncGroupMembers() {
        let second = instance.replacingOccurrences(of: "VI_1", with: "VI_2").replacingOccurrences(of: "51", with: "52")
            .replacingOccurrences(of: "10.0.0.1", with: "10.0.0.2")
        let r = ConfigLoader.parse(text: "vrrp_sync_group G {\n  VI_1\n  VI_2\n}\n" + instance + "\n" + second)
        #expect(r.isValid, "\(r.rendered())")
        #expect(r.config.vrrpSyncGroups.isEmpty)
        #expect(r.diagnostics.filter { $0.kind == .keepalivedIgnores }.compactMap { $0.location?.line } == [2, 3, 1])
    }
}
