import Testing
@testable import Config

/// `minimalInstance` with `lines` after `interface eth0` (line 3 onwards).
private func instance(_ lines: String...) -> ConfigLoadResult {
    parse(minimalInstance.replacingOccurrences(of: "interface eth0",
                                               with: (["interface eth0"] + lines.map { "    " + $0 }).joined(separator: "\n")))
}

@Suite("Start-up values and warnings as keepalived 2.2.7 (vrrp_complete_instance)")
struct StartUpTests {
    @Test("state MASTER without priority is the address owner (255), warned at the state")
    func masterWithoutPriorityIs255() throws {
        let r = instance("state MASTER")
        let v = try #require(r.config.vrrpInstances.first)
        #expect(v.priority == 255 && v.state == .master)
        #expect(positions(r, .suspicious) == ["3:11"])
        #expect(r.errors.isEmpty)
    }

    @Test("state MASTER with a priority keeps it; no state and no priority is BACKUP at 100")
    func explicitPriorityKept() throws {
        let v = try #require(instance("state MASTER", "priority 120").config.vrrpInstances.first)
        #expect(v.priority == 120 && v.state == .master)
        let d = try #require(parse(minimalInstance).config.vrrpInstances.first)
        #expect(d.priority == 100 && d.state == .backup)
    }

    @Test("Priority 255 without state starts as MASTER")
    func ownerWithoutStateIsMaster() throws {
        let v = try #require(instance("priority 255").config.vrrpInstances.first)
        #expect(v.state == .master)
    }

    @Test("nopreempt with state MASTER is cleared with a warning at the nopreempt line")
    func nopreemptWithMaster() throws {
        let r = instance("state MASTER", "priority 150", "nopreempt")
        let v = try #require(r.config.vrrpInstances.first)
        #expect(!v.nopreempt)
        #expect(positions(r, .keepalivedIgnores) == ["5:5"])
    }

    @Test("preempt_delay with state MASTER is cleared with a warning at its line")
    func preemptDelayWithMaster() throws {
        let r = instance("state MASTER", "priority 150", "preempt_delay 10")
        let v = try #require(r.config.vrrpInstances.first)
        #expect(v.preemptDelay == .zero)
        #expect(positions(r, .keepalivedIgnores) == ["5:5"])
    }

    @Test("nopreempt with priority 255 is cleared (the owner always preempts)")
    func nopreemptWithOwner() throws {
        let r = instance("state BACKUP", "priority 255", "nopreempt")
        let v = try #require(r.config.vrrpInstances.first)
        #expect(!v.nopreempt)
        #expect(positions(r, .keepalivedIgnores) == ["5:5"])
    }

    @Test("preempt_delay with nopreempt is reset to 0")
    func preemptDelayWithNopreempt() throws {
        let r = instance("nopreempt", "preempt_delay 10")
        let v = try #require(r.config.vrrpInstances.first)
        #expect(v.nopreempt && v.preemptDelay == .zero)
        #expect(positions(r, .keepalivedIgnores) == ["4:5"])
    }

    @Test("nopreempt and preempt_delay with state BACKUP below 255 stay, without a warning")
    func backupKeepsThem() throws {
        let r = instance("state BACKUP", "priority 100", "preempt_delay 10")
        let v = try #require(r.config.vrrpInstances.first)
        #expect(v.preemptDelay == .seconds(10))
        #expect(positions(r, .keepalivedIgnores).isEmpty)
        let n = try #require(instance("state BACKUP", "nopreempt").config.vrrpInstances.first)
        #expect(n.nopreempt)
    }

    @Test("state MASTER with auth_type AH below 255 starts as BACKUP, warned at the state")
    func masterWithAH() throws {
        let r = instance("state MASTER", "priority 150", "authentication {", "    auth_type AH", "    auth_pass secret", "}")
        let v = try #require(r.config.vrrpInstances.first)
        #expect(v.state == .backup)
        #expect(positions(r, .keepalivedIgnores) == ["3:11"])
    }

    @Test("The address owner's weighted trackers are warned at their reference, unweighted ones are not")
    func ownerWeightedTrackers() {
        let r = parse("""
        vrrp_script up { script /bin/true }
        vrrp_script heavy { script /bin/true weight 10 }
        vrrp_track_file f { file /tmp/f }
        vrrp_track_file g { file /tmp/g weight 0 }
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            priority 255
            track_interface {
                eth1 weight 5
                eth2
            }
            track_script {
                up
                heavy
            }
            track_file {
                f
                g
                f weight 3
            }
            virtual_ipaddress {
                192.168.0.80/24
            }
        }
        """)
        // eth1 (weighted), heavy (the script's weight), f (default weight 1 → 0), f weight 3 (dropped).
        #expect(positions(r, .keepalivedIgnores) == ["10:9", "15:9", "18:9", "20:9"])
    }

    @Test("Below priority 255 weighted trackers are not warned")
    func nonOwnerTrackersQuiet() {
        let r = parse("""
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
                192.168.0.80/24
            }
        }
        """)
        #expect(positions(r, .keepalivedIgnores).isEmpty)
    }
}
