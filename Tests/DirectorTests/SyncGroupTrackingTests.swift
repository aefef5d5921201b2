import Testing
import Config
import HA
@testable import Director

/// Two members A (priority 100) and B (`bPriority`) with weighted trackers, in group G (`groupLines` inside it).
private func groupConfig(_ groupLines: String = "", bPriority: Int = 90) -> ConfigLoadResult {
    ConfigLoader.parse(text: """
    vrrp_script heavy { script /bin/true weight 10 }
    vrrp_script plain { script /bin/true }
    vrrp_track_file f { file /tmp/f }
    vrrp_track_file g { file /tmp/g weight 3 }
    vrrp_sync_group G {
      group {
        A
        B
      }
      \(groupLines)
    }
    vrrp_instance A {
      interface eth0
      virtual_router_id 51
      priority 100
      track_interface {
        eth1 weight 5
        eth2
      }
      track_script {
        heavy
        plain
      }
      track_file {
        f
        g
      }
      virtual_ipaddress {
        10.0.0.100/24
      }
    }
    vrrp_instance B {
      interface eth0
      virtual_router_id 52
      priority \(bPriority)
      virtual_ipaddress {
        10.0.0.101/24
      }
    }
    """, fileName: "t.conf")
}

@Suite("Sync-group tracking as keepalived 2.2.7 (vrrp_complete_instance, vrrp_complete_init)")
struct SyncGroupTrackingTests {
    @Test("Without sync_group_tracking_weight a member's weights are ignored: weighted interface at 0, weighted script and file dropped, warned at each")
    func memberWeightsIgnored() throws {
        let loaded = groupConfig()
        let a = try #require(DirectorPlan(config: loaded.config).vrrp.instances.first { $0.name == "A" })
        #expect(a.trackInterfaces == [VRRPTrackReference(name: "eth1", weight: 0), VRRPTrackReference(name: "eth2", weight: 0)])
        #expect(a.trackScripts == [VRRPTrackReference(name: "plain", weight: 0)])
        #expect(a.trackFiles == [VRRPTrackReference(name: "f", weight: 0)])
        let warned = loaded.diagnostics.filter { $0.kind == .keepalivedIgnores && $0.message.contains("vrrp_sync_group 'G'") }
        #expect(warned.map { $0.location?.line } == [17, 21, 25, 26])
    }

    @Test("With sync_group_tracking_weight (or global_tracking) the member's weights count")
    func weightsKept() throws {
        for flag in ["sync_group_tracking_weight", "global_tracking"] {
            let a = try #require(DirectorPlan(config: groupConfig(flag).config).vrrp.instances.first { $0.name == "A" })
            #expect(a.trackScripts == [VRRPTrackReference(name: "heavy", weight: 10), VRRPTrackReference(name: "plain", weight: 0)])
            #expect(a.trackInterfaces.first == VRRPTrackReference(name: "eth1", weight: 5))
        }
    }

    @Test("The group's own trackers are every member's, with their weights; a member at 255 makes them unweighted")
    func groupTrackers() throws {
        let lines = "track_script {\n    heavy\n  }\n  track_interface {\n    eth3\n  }\n  track_file {\n    g\n  }"
        let plan = try DirectorPlan(config: groupConfig(lines).config)
        let b = try #require(plan.vrrp.instances.first { $0.name == "B" })
        #expect(b.trackScripts == [VRRPTrackReference(name: "heavy", weight: 10)])
        #expect(b.trackInterfaces == [VRRPTrackReference(name: "eth3", weight: 0)])
        #expect(b.trackFiles == [VRRPTrackReference(name: "g", weight: 3)])
        let owner = try DirectorPlan(config: groupConfig(lines, bPriority: 255).config)
        let b255 = try #require(owner.vrrp.instances.first { $0.name == "B" })
        #expect(b255.trackScripts == [VRRPTrackReference(name: "heavy", weight: 0)])
        #expect(b255.trackFiles == [VRRPTrackReference(name: "g", weight: 0)])
    }
}
