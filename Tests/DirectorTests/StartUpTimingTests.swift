import Config
@testable import Director
import HA
import Testing
import TestSupport
import Vocabulary

/// The first instance of `body` (inside `vrrp_instance VI_1 { … }`) as the HA module gets it, started at zero.
private func started(_ body: String) throws -> VRRPInstance {
    let text = """
    vrrp_instance VI_1 {
      interface eth0
      virtual_router_id 51
      advert_int 1
    \(body)
      virtual_ipaddress {
        10.0.0.100/24
      }
    }
    """
    let loaded = ConfigLoader.parse(text: text)
    #expect(loaded.errors.isEmpty, "\(loaded.rendered())")
    let plan = try DirectorPlan(config: loaded.config)
    let spec = try #require(plan.vrrp.instances.first)
    var instance = VRRPInstance(configuration: spec.configuration)
    _ = instance.start(now: .zero)
    return instance
}

private func at(_ ms: Int64) -> Instant { Instant(nanoseconds: ms * 1_000_000) }

/// The advert of a master at `priority` for VI_1's VRID and VIP.
private func advert(_ priority: UInt8) -> VRRPAdvertisement {
    VRRPAdvertisement(version: .v2, vrid: 51, priority: priority, intervalCentiseconds: 100,
                      addresses: ["10.0.0.100"], authentication: .none)
}

@Suite("Start-up timing as keepalived 2.2.7 (vrrp_init_state), from the configuration to the instance")
struct StartUpTimingTests {
    @Test("state MASTER with priority 100 starts in BACKUP and becomes MASTER at the master-down interval, not earlier")
    func stateMasterWaitsMasterDown() throws {
        var i = try started("  state MASTER\n  priority 100")
        #expect(i.currentState == .backup)
        // 3 × 1 s + (256 − 100) / 256 s = 3.609375 s.
        #expect(!i.deadlineReached(now: at(3609)).contains(.addVIPs))
        #expect(i.currentState == .backup)
        let actions = i.deadlineReached(now: Instant(nanoseconds: 3_609_375_000))
        #expect(actions.contains(.addVIPs))
        #expect(i.currentState == .master)
    }

    @Test("state MASTER below a running higher-priority master never becomes MASTER")
    func stateMasterDoesNotSteal() throws {
        var i = try started("  state MASTER\n  priority 100")
        var ms: Int64 = 500
        while ms <= 20_000 {
            let actions = i.advertisementReceived(advert(150), from: "10.0.0.3", now: at(ms))
                + i.deadlineReached(now: at(ms))
            #expect(!actions.contains(.addVIPs), "took the VIP at \(ms) ms")
            #expect(i.currentState == .backup)
            ms += 1000
        }
    }

    @Test("state MASTER without priority is the address owner and MASTER at start, as in keepalived")
    func stateMasterWithoutPriorityIsOwner() throws {
        let i = try started("  state MASTER")
        #expect(i.currentState == .master)
        #expect(i.effectivePriority == 255)
    }

    @Test("No state and no priority: BACKUP at priority 100")
    func defaultsAreBackup100() throws {
        let i = try started("")
        #expect(i.currentState == .backup && i.effectivePriority == 100)
    }

    @Test("nopreempt with state MASTER is cleared: the instance preempts a lower-priority master at master-down")
    func nopreemptClearedWithStateMaster() throws {
        var i = try started("  state MASTER\n  priority 150\n  nopreempt")
        #expect(i.configuration.preempt)
        _ = i.advertisementReceived(advert(100), from: "10.0.0.3", now: at(500))
        _ = i.deadlineReached(now: at(3_900))
        #expect(i.currentState == .master)
    }

    @Test("The address owner tracks no weighted interface or script, and a weight-1 track file as weight 0")
    func ownerTrackers() throws {
        let loaded = ConfigLoader.parse(text: """
        vrrp_script heavy { script /bin/true weight 10 }
        vrrp_script plain { script /bin/true }
        vrrp_track_file f { file /tmp/f }
        vrrp_track_file g { file /tmp/g weight 3 }
        vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          priority 255
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
        """)
        let spec = try #require(DirectorPlan(config: loaded.config).vrrp.instances.first)
        #expect(spec.trackInterfaces == [VRRPTrackReference(name: "eth2", weight: 0)])
        #expect(spec.trackScripts == [VRRPTrackReference(name: "plain", weight: 0)])
        #expect(spec.trackFiles == [VRRPTrackReference(name: "f", weight: 0)])
    }

    @Test("Below 255 the weighted trackers stay")
    func nonOwnerTrackers() throws {
        let loaded = ConfigLoader.parse(text: """
        vrrp_track_file f { file /tmp/f }
        vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          priority 254
          track_interface {
            eth1 weight 5
          }
          track_file {
            f
          }
          virtual_ipaddress {
            10.0.0.100/24
          }
        }
        """)
        let spec = try #require(DirectorPlan(config: loaded.config).vrrp.instances.first)
        #expect(spec.trackInterfaces == [VRRPTrackReference(name: "eth1", weight: 5)])
        #expect(spec.trackFiles == [VRRPTrackReference(name: "f", weight: 1)])
    }
}
