import Testing
@testable import Config

@Suite("bfd_instance and track_bfd (keepalived 2.2.7)")
struct BFDConfigTests {
    @Test("Every option with keepalived's units (milliseconds with microseconds), defaults where not written")
    func options() throws {
        let r = parse("""
        bfd_instance peer {
            neighbour_ip 10.0.0.2
            source_ip 10.0.0.1
            min_rx 3.312
            min_tx 50
            idle_tx 2000
            multiplier 4
            passive
            ttl 254
            max_hops 1
            weight -20 reverse
            vrrp
        }
        bfd_instance other {
            neighbor_ip fe80::2
        }
        """)
        #expect(r.errors.isEmpty && r.warnings.isEmpty)
        let b = try #require(r.config.bfdInstances.first)
        #expect(b.neighbor?.description == "10.0.0.2" && b.source?.description == "10.0.0.1")
        #expect(b.minRx == .microseconds(3312) && b.minTx == .milliseconds(50) && b.idleTx == .seconds(2))
        #expect(b.multiplier == 4 && b.passive && b.ttl == 254 && b.maxHops == 1)
        #expect(b.weight == -20 && b.weightReverse && b.reachesVRRP && !b.reachesChecker)
        let d = try #require(r.config.bfdInstances.last)
        #expect(d.minRx == .milliseconds(10) && d.minTx == .milliseconds(10) && d.idleTx == .seconds(1))
        #expect(d.multiplier == 5 && !d.passive && d.maxHops == 0 && d.weight == 0 && d.reachesVRRP && d.reachesChecker)
    }

    @Test("Without neighbor_ip, with mixed families, twice, or with values out of range: errors at their place")
    func errors() {
        #expect(parse("bfd_instance x {\n    min_rx 10\n}\n").errors.count == 1)
        #expect(parse("bfd_instance x {\n    neighbor_ip 10.0.0.2\n    source_ip fe80::1\n}\n").errors.count == 1)
        let twice = parse("bfd_instance x {\n    neighbor_ip 10.0.0.2\n}\nbfd_instance x {\n    neighbor_ip 10.0.0.3\n}\n")
        #expect(twice.errors.count == 1 && twice.config.bfdInstances.count == 1)
        let bad = parse("bfd_instance x {\n    neighbor_ip 10.0.0.2\n    multiplier 0\n    min_tx soon\n}\n")
        #expect(positions(bad, .outOfRange).count + positions(bad, .invalidValue).count == 2)
    }

    @Test("track_bfd in an instance and a sync group; a name of no bfd_instance, or of a checker-only one, is dropped")
    func references() throws {
        let r = parse("""
        bfd_instance peer {
            neighbor_ip 10.0.0.2
        }
        bfd_instance checks {
            neighbor_ip 10.0.0.3
            checker
        }
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            track_bfd {
                peer weight 10
                checks
                nowhere
            }
            virtual_ipaddress {
                10.0.0.100
            }
        }
        vrrp_sync_group G {
            group {
                VI_1
            }
            track_bfd {
                peer
            }
        }
        """)
        let v = try #require(r.config.vrrpInstances.first)
        #expect(v.trackBFDs.map(\.name) == ["peer"] && v.trackBFDs.first?.weight == 10)
        #expect(r.config.vrrpSyncGroups.first?.trackBFDs.map(\.name) == ["peer"])
        #expect(positions(r, .undefinedReference) == ["13:9", "14:9"])
    }
}
