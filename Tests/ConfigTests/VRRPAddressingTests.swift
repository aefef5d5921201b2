import Testing
@testable import Config
import Vocabulary

/// An IPv6 instance (`body` goes between `interface` and the addresses) under `globals` (a global_defs body).
private func ipv6Instance(_ body: String = "", globals: String = "", addresses: String = "fe80::80\n        2001:db8::80") -> ConfigLoadResult {
    parse("""
    global_defs {
        \(globals)
    }
    vrrp_instance VI_6 {
        interface eth0
        virtual_router_id 52
        \(body)
        virtual_ipaddress {
            \(addresses)
        }
    }
    """)
}

@Suite("IPv6 instances are VRRPv3")
struct IPv6VersionTests {
    @Test("An IPv6 instance without version is VRRPv3 although vrrp_version defaults to 2")
    func ipv6WithoutVersion() {
        let r = ipv6Instance()
        #expect(r.config.vrrpInstances.first?.version == 3)
        #expect(r.diagnostics.isEmpty, "\(r.rendered())")
    }

    @Test("An IPv6 instance is VRRPv3 under an explicit vrrp_version 2, with no warning")
    func ipv6UnderGlobalVersion2() {
        let r = ipv6Instance(globals: "vrrp_version 2")
        #expect(r.config.vrrpInstances.first?.version == 3)
        #expect(r.diagnostics.isEmpty, "\(r.rendered())")
    }

    @Test("version 2 before the IPv6 addresses is a warning at that line and VRRPv3 is used")
    func version2BeforeAddresses() {
        let r = ipv6Instance("version 2")
        #expect(r.config.vrrpInstances.first?.version == 3)
        #expect(positions(r, .keepalivedIgnores) == ["7:5"])
        #expect(diagnostics(r, .keepalivedIgnores).first?.message.contains("VRRPv3") == true)
        #expect(r.errors.isEmpty)
    }

    @Test("version 2 after the IPv6 addresses is a warning at that line and VRRPv3 is used")
    func version2AfterAddresses() {
        let r = parse("vrrp_instance VI_6 {\n interface eth0\n virtual_router_id 52\n virtual_ipaddress {\n  2001:db8::80\n }\n version 2\n}\n")
        #expect(r.config.vrrpInstances.first?.version == 3)
        #expect(positions(r, .keepalivedIgnores) == ["7:2"])
    }

    @Test("An IPv6 instance takes a sub-second advert_int without the VRRPv2 rounding warning")
    func ipv6SubSecondAdvert() {
        let r = ipv6Instance("advert_int 0.5")
        #expect(r.config.vrrpInstances.first?.advertInterval == .milliseconds(500))
        #expect(r.diagnostics.isEmpty, "\(r.rendered())")
    }

    @Test("An instance without addresses is IPv6, hence VRRPv3, when its unicast peer is")
    func ipv6ByUnicastPeer() {
        let r = parse("vrrp_instance VI_6 {\n interface eth0\n virtual_router_id 52\n unicast_peer {\n  2001:db8::2\n }\n}\n")
        #expect(r.config.vrrpInstances.first?.version == 3)
    }

    @Test("An IPv4 instance keeps the vrrp_version default, 2 or 3")
    func ipv4KeepsGlobalVersion() {
        #expect(parse(minimalInstance).config.vrrpInstances.first?.version == 2)
        let r = parse("global_defs {\n vrrp_version 3\n}\n" + minimalInstance)
        #expect(r.config.vrrpInstances.first?.version == 3)
    }
}

@Suite("skip_check_adv_addr and check_unicast_src")
struct AdvertCheckKeywordTests {
    static func instance(_ body: String, globals: String = "") -> ConfigLoadResult {
        parse("global_defs {\n \(globals)\n}\n"
              + minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    \(body)"))
    }

    @Test("The address-list check is on by default; skip_check_adv_addr turns skipping on with no warning")
    func skipCheckAdvAddr() {
        #expect(parse(minimalInstance).config.vrrpInstances.first?.skipCheckAdvAddr == false)
        let r = Self.instance("skip_check_adv_addr")
        #expect(r.config.vrrpInstances.first?.skipCheckAdvAddr == true)
        #expect(r.diagnostics.isEmpty, "\(r.rendered())")
        #expect(Self.instance("skip_check_adv_addr on").config.vrrpInstances.first?.skipCheckAdvAddr == true)
    }

    @Test("skip_check_adv_addr off turns skipping on, as keepalived reads it, with a warning at the value")
    func skipCheckAdvAddrOff() {
        let r = Self.instance("skip_check_adv_addr off")
        #expect(r.config.vrrpInstances.first?.skipCheckAdvAddr == true)
        #expect(positions(r, .keepalivedIgnores) == ["6:25"])
    }

    @Test("vrrp_skip_check_adv_addr is the default of the instances that follow global_defs")
    func globalSkip() {
        let r = Self.instance("", globals: "vrrp_skip_check_adv_addr")
        #expect(r.config.vrrpInstances.first?.skipCheckAdvAddr == true)
        #expect(r.diagnostics.isEmpty, "\(r.rendered())")
    }

    @Test("check_unicast_src is off by default and on when written, or when a peer has min_ttl or max_ttl")
    func checkUnicastSrc() {
        #expect(parse(minimalInstance).config.vrrpInstances.first?.checkUnicastSrc == false)
        let r = Self.instance("check_unicast_src\n    unicast_peer {\n        192.168.0.2\n    }")
        #expect(r.config.vrrpInstances.first?.checkUnicastSrc == true)
        #expect(r.diagnostics.isEmpty, "\(r.rendered())")
        let ttl = Self.instance("unicast_peer {\n        192.168.0.2 max_ttl 200\n    }")
        #expect(ttl.config.vrrpInstances.first?.checkUnicastSrc == true)
    }

    @Test("vrrp_check_unicast_src is accepted without a warning")
    func globalCheckUnicastSrc() {
        let r = Self.instance("", globals: "vrrp_check_unicast_src")
        #expect(r.config.globalDefs.vrrpCheckUnicastSrc)
        #expect(r.diagnostics.isEmpty, "\(r.rendered())")
    }
}

@Suite("mcast_src_ip")
struct MulticastSourceTests {
    @Test("mcast_src_ip sets the advert source, with no warning")
    func mcastSourceIP() {
        let r = AdvertCheckKeywordTests.instance("mcast_src_ip 192.168.0.11")
        #expect(r.config.vrrpInstances.first?.sourceIP == IPAddress("192.168.0.11"))
        #expect(r.diagnostics.isEmpty, "\(r.rendered())")
    }

    @Test("mcast_src_ip and unicast_src_ip are one setting: the last written wins, as in keepalived")
    func lastSourceWins() {
        let mcastLast = AdvertCheckKeywordTests.instance("unicast_src_ip 192.168.0.12\n    mcast_src_ip 192.168.0.11")
        #expect(mcastLast.config.vrrpInstances.first?.sourceIP == IPAddress("192.168.0.11"))
        let unicastLast = AdvertCheckKeywordTests.instance("mcast_src_ip 192.168.0.11\n    unicast_src_ip 192.168.0.12")
        #expect(unicastLast.config.vrrpInstances.first?.sourceIP == IPAddress("192.168.0.12"))
    }
}

@Suite("A unicast keyword without a unicast_peer, and unicast_fault_no_peer")
struct UnicastWithoutPeerTests {
    @Test("Without a peer: multicast with keepalived's deprecation as a warning at the first unicast keyword")
    func multicastFallback() {
        let r = AdvertCheckKeywordTests.instance("check_unicast_src\n    unicast_src_ip 192.168.0.12")
        #expect(positions(r, .keepalivedIgnores) == ["6:5"])
        #expect(r.errors.isEmpty)
        #expect(r.config.vrrpInstances.first?.unicastFaultNoPeer == false)
    }

    @Test("With unicast_fault_no_peer and no peer: read, and a warning that the instance stays in FAULT")
    func faultNoPeer() {
        let r = AdvertCheckKeywordTests.instance("unicast_fault_no_peer")
        #expect(r.config.vrrpInstances.first?.unicastFaultNoPeer == true)
        #expect(positions(r, .suspicious) == ["6:5"])
        #expect(positions(r, .keepalivedIgnores).isEmpty && positions(r, .unsupportedKeyword).isEmpty)
    }

    @Test("With a peer: neither warning")
    func withPeer() {
        let r = AdvertCheckKeywordTests.instance("unicast_fault_no_peer\n    unicast_peer {\n        192.168.0.2\n    }")
        #expect(r.diagnostics.isEmpty, "\(r.rendered())")
    }
}

@Suite("unicast_ttl")
struct UnicastTTLTests {
    @Test("unicast_ttl with unicast peers is read, with no warning")
    func withPeers() {
        let r = AdvertCheckKeywordTests.instance("unicast_ttl 64\n    unicast_peer {\n        192.168.0.2\n    }")
        #expect(r.config.vrrpInstances.first?.unicastTTL == 64)
        #expect(r.diagnostics.isEmpty, "\(r.rendered())")
    }

    @Test("unicast_ttl without unicast peers is a warning at its line and ignored, as keepalived resets it")
    func withoutPeers() {
        let r = AdvertCheckKeywordTests.instance("unicast_ttl 64")
        #expect(r.config.vrrpInstances.first?.unicastTTL == nil)
        #expect(positions(r, .keepalivedIgnores) == ["6:5"])
    }

    @Test("unicast_ttl outside 0…255 is an error at the value")
    func outOfRange() {
        let r = AdvertCheckKeywordTests.instance("unicast_ttl 256\n    unicast_peer {\n        192.168.0.2\n    }")
        #expect(positions(r, .outOfRange) == ["6:17"])
    }
}

@Suite("vrrp_mcast_group4 and vrrp_mcast_group6")
struct MulticastGroupTests {
    @Test("A multicast group of the right family is read, with no warning")
    func groups() {
        let r = parse("global_defs {\n vrrp_mcast_group4 224.0.0.19\n vrrp_mcast_group6 ff02::13\n}\n")
        #expect(r.config.globalDefs.vrrpMcastGroup4 == IPAddress("224.0.0.19"))
        #expect(r.config.globalDefs.vrrpMcastGroup6 == IPAddress("ff02::13"))
        #expect(r.diagnostics.isEmpty, "\(r.rendered())")
    }

    @Test("A unicast address or one of the other family is an error at the value, as keepalived refuses it")
    func refused() {
        let r = parse("global_defs {\n vrrp_mcast_group4 10.0.0.1\n vrrp_mcast_group6 224.0.0.19\n vrrp_mcast_group4 ff02::13\n}\n")
        #expect(positions(r, .invalidValue) == ["2:20", "3:20", "4:20"])
        #expect(r.config.globalDefs.vrrpMcastGroup4 == nil)
        #expect(r.config.globalDefs.vrrpMcastGroup6 == nil)
    }
}

@Suite("mcast_dst_ip")
struct MulticastDestinationTests {
    /// `minimalInstance` with `line` before the addresses.
    func instance(_ line: String) -> ConfigLoadResult {
        parse(minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    \(line)"))
    }

    @Test("An IPv4 multicast group is the instance's; a unicast address, another family or ff05:: are errors")
    func values() throws {
        let r = instance("mcast_dst_ip 224.0.0.99")
        #expect(r.errors.isEmpty)
        #expect(r.config.vrrpInstances.first?.multicastDestination == IPAddress("224.0.0.99"))
        #expect(positions(instance("mcast_dst_ip 10.0.0.1"), .invalidValue) == ["3:18"])
        let v6 = parse(minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    unicast_src_ip fe80::1\n    mcast_dst_ip ff05::12"))
        #expect(v6.errors.count >= 1 && v6.errors.contains { $0.message.contains("link-local multicast") })
        let mixed = parse("vrrp_instance V {\n    interface eth0\n    virtual_router_id 5\n    mcast_src_ip 10.0.0.1\n    mcast_dst_ip ff02::12\n    virtual_ipaddress {\n        10.0.0.100\n    }\n}\n")
        #expect(mixed.errors.contains { $0.message.contains("address family (IPv4)") })
    }

    @Test("With unicast_peer it is dropped with a warning at its line, as keepalived ignores it")
    func unicastIgnores() throws {
        let r = instance("mcast_dst_ip 224.0.0.99\n    unicast_peer {\n        192.168.0.2\n    }")
        #expect(r.config.vrrpInstances.first?.multicastDestination == nil)
        #expect(positions(r, .keepalivedIgnores) == ["3:5"])
    }
}

/// An IPv4 instance with `body`.
private func vmacInstance(_ body: String) -> ConfigLoadResult {
    parse("""
    vrrp_instance VI_1 {
        interface eth0
        virtual_router_id 51
        \(body)
        virtual_ipaddress {
            10.0.0.100
        }
    }
    """)
}

@Suite("use_vmac [NAME] [MAC] as keepalived 2.2.7 reads it")
struct UseVMACTests {
    @Test("Without arguments: the default name, no MAC, no warning; vmac_xmit_base is read")
    func plain() {
        let r = vmacInstance("use_vmac\n    vmac_xmit_base")
        #expect(r.config.vrrpInstances.first?.useVMAC == "")
        #expect(r.config.vrrpInstances.first?.vmacAddress == nil)
        #expect(r.config.vrrpInstances.first?.vmacXmitBase == true)
        #expect(r.diagnostics.isEmpty, "\(r.rendered())")
    }

    @Test("promote_secondaries is read; with use_vmac it is cleared with keepalived's warning at the keyword")
    func promoteSecondaries() {
        let plain = vmacInstance("promote_secondaries")
        #expect(plain.config.vrrpInstances.first?.promoteSecondaries == true)
        #expect(plain.diagnostics.isEmpty, "\(plain.rendered())")
        let vmac = vmacInstance("use_vmac\n    promote_secondaries")
        #expect(vmac.config.vrrpInstances.first?.promoteSecondaries == false)
        #expect(positions(vmac, .keepalivedIgnores) == ["5:5"])
    }

    @Test("A name, a MAC, a name and a MAC, five octets")
    func namesAndMACs() {
        #expect(vmacInstance("use_vmac vm1").config.vrrpInstances.first?.useVMAC == "vm1")
        let mac = vmacInstance("use_vmac 02:11:22:33:44:55").config.vrrpInstances.first
        #expect(mac?.useVMAC == "" && mac?.vmacAddress == [2, 0x11, 0x22, 0x33, 0x44, 0x55])
        let both = vmacInstance("use_vmac vm1 02:11:22:33:44:55")
        #expect(both.config.vrrpInstances.first?.useVMAC == "vm1")
        #expect(both.config.vrrpInstances.first?.vmacAddress?.count == 6)
        #expect(both.diagnostics.isEmpty, "\(both.rendered())")
        #expect(vmacInstance("use_vmac vm1 2:11:22:33:44").config.vrrpInstances.first?.vmacAddress == [2, 0x11, 0x22, 0x33, 0x44])
    }

    @Test("A long name, a bad MAC and a multicast MAC are warnings at their word, and ignored as keepalived ignores them")
    func ignoredWords() {
        let long = vmacInstance("use_vmac averyveryverylongname0")
        #expect(positions(long, .keepalivedIgnores) == ["4:14"])
        #expect(long.config.vrrpInstances.first?.useVMAC == "")
        let bad = vmacInstance("use_vmac vm1 zz:11")
        #expect(positions(bad, .keepalivedIgnores) == ["4:18"])
        #expect(bad.config.vrrpInstances.first?.vmacAddress == nil)
        let multicast = vmacInstance("use_vmac vm1 01:11:22:33:44:55")
        #expect(positions(multicast, .keepalivedIgnores) == ["4:18"])
        #expect(multicast.config.vrrpInstances.first?.vmacAddress == nil)
        #expect(long.errors.isEmpty && bad.errors.isEmpty && multicast.errors.isEmpty)
    }

    @Test("use_vmac with unicast peers and no vmac_xmit_base: a warning, and the adverts go from the base")
    func unicastNeedsXmitBase() {
        let r = vmacInstance("use_vmac\n    unicast_peer {\n        10.0.0.2\n    }")
        #expect(positions(r, .keepalivedIgnores) == ["4:5"])
        #expect(r.config.vrrpInstances.first?.vmacXmitBase == true)
        #expect(vmacInstance("use_vmac\n    vmac_xmit_base\n    unicast_peer {\n        10.0.0.2\n    }").diagnostics.isEmpty)
    }
}

@Suite("vrrp_track_process and track_process")
struct TrackProcessConfigTests {
    @Test("The block's keywords, the references in an instance and a sync group; no warning")
    func block() {
        let r = parse("""
        vrrp_track_process web {
            process /usr/sbin/nginx -g "daemon off;"
            param_match partial
            weight -20 reverse
            quorum 2
            quorum_max 4
            delay 1.5
            fork_delay 3
            full_command
        }
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            track_process {
                web weight 10
            }
            virtual_ipaddress {
                10.0.0.100
            }
        }
        vrrp_sync_group G {
            group {
                VI_1
            }
            sync_group_tracking_weight
            track_process {
                web
            }
        }
        """)
        #expect(r.diagnostics.isEmpty, "\(r.rendered())")
        let p = r.config.vrrpTrackProcesses.first
        #expect(p?.process == ["/usr/sbin/nginx", "-g", "daemon off;"])
        #expect(p?.paramMatch == .partial && p?.weight == -20 && p?.weightReverse == true)
        #expect(p?.quorum == 2 && p?.quorumMax == 4 && p?.fullCommand == true)
        #expect(p?.terminateDelay == .milliseconds(1500) && p?.forkDelay == .seconds(3))
        #expect(r.config.vrrpInstances.first?.trackProcesses.first?.weight == 10)
        #expect(r.config.vrrpSyncGroups.first?.trackProcesses.first?.name == "web")
    }

    @Test("Errors: no process, a bad param_match, quorum_max below quorum; quorum_max 0 alone means quorum 0")
    func errors() {
        let none = parse("vrrp_track_process p {\n    weight 1\n}\n")
        #expect(positions(none, .missingValue) == ["1:1"])
        let bad = parse("vrrp_track_process p {\n    process x\n    param_match whole\n}\n")
        #expect(positions(bad, .invalidValue) == ["3:17"])
        let below = parse("vrrp_track_process p {\n    process x\n    quorum 3\n    quorum_max 2\n}\n")
        #expect(positions(below, .outOfRange) == ["4:5"])
        let zero = parse("vrrp_track_process p {\n    process x\n    quorum_max 0\n}\n")
        #expect(zero.errors.isEmpty && zero.config.vrrpTrackProcesses.first?.quorum == 0)
    }

    @Test("A reference to no vrrp_track_process is a warning; a weight in an address owner is a warning")
    func references() {
        let r = parse("""
        vrrp_track_process p {
            process x
        }
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            priority 255
            track_process {
                nothere
                p weight 5
            }
            virtual_ipaddress {
                10.0.0.100
            }
        }
        """)
        #expect(positions(r, .undefinedReference) == ["9:9"])
        #expect(positions(r, .keepalivedIgnores) == ["10:9"])
        #expect(r.errors.isEmpty)
    }

    @Test("An entry naming a block defined below it is dropped with a warning, as keepalived ignores it")
    func forwardReference() {
        let r = parse("""
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            track_process {
                later
            }
            virtual_ipaddress {
                10.0.0.100
            }
        }
        vrrp_track_process later {
            process x
        }
        """)
        #expect(positions(r, .keepalivedIgnores) == ["5:9"])
        #expect(r.config.vrrpInstances.first?.trackProcesses.isEmpty == true)
        #expect(diagnostics(r, .undefinedReference).isEmpty)
    }

    @Test("track_script and track_file entries naming blocks defined below them, in an instance and in a sync group, are dropped too; those above stay")
    func forwardScriptsAndFiles() {
        let r = parse("""
        vrrp_script early {
            script "/bin/true"
        }
        vrrp_sync_group G {
            group { VI_1 }
            track_script { chk }
            track_file { tf }
        }
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            track_script {
                early
                chk
            }
            track_file {
                tf weight 1
            }
            virtual_ipaddress {
                10.0.0.100
            }
        }
        vrrp_script chk {
            script "/bin/true"
        }
        vrrp_track_file tf {
            file /tmp/tf
        }
        """)
        #expect(Set(positions(r, .keepalivedIgnores)) == ["6:20", "7:18", "14:9", "17:9"])
        #expect(r.config.vrrpInstances.first?.trackScripts.map(\.name) == ["early"])
        #expect(r.config.vrrpInstances.first?.trackFiles.isEmpty == true)
        #expect(r.config.vrrpSyncGroups.first?.trackScripts.isEmpty == true)
        #expect(r.config.vrrpSyncGroups.first?.trackFiles.isEmpty == true)
        #expect(r.errors.isEmpty)
    }
}

@Suite("use_ipvlan as keepalived reads it")
struct UseIPVLANTests {
    @Test("Name, address and type in any order; without arguments the generated name, bridge, no address")
    func forms() throws {
        let full = vmacInstance("use_ipvlan ipv51 10.0.0.51/24 private")
        #expect(full.diagnostics.isEmpty, "\(full.rendered())")
        let c = try #require(full.config.vrrpInstances.first?.useIPVLAN)
        #expect(c.name == "ipv51" && c.address?.description == "10.0.0.51/24" && c.mode == .private)
        let named = try #require(vmacInstance("use_ipvlan vepa name bridge").config.vrrpInstances.first?.useIPVLAN)
        #expect(named.name == "bridge" && named.mode == .vepa)
        let bare = try #require(vmacInstance("use_ipvlan").config.vrrpInstances.first?.useIPVLAN)
        #expect(bare.name.isEmpty && bare.address == nil && bare.mode == .bridge)
    }

    @Test("A second type, address or name is warned and ignored; group is warned; with use_vmac an error")
    func keepalivedRules() throws {
        let r = vmacInstance("use_ipvlan a 10.0.0.51 bridge vepa 10.0.0.52 b group 3")
        let c = try #require(r.config.vrrpInstances.first?.useIPVLAN)
        #expect(c.name == "a" && c.address?.description == "10.0.0.51" && c.mode == .bridge)
        #expect(diagnostics(r, .keepalivedIgnores).count == 3)
        #expect(diagnostics(r, .unsupportedKeyword).count == 1)
        #expect(vmacInstance("use_vmac\n    use_ipvlan").errors.count == 1)
    }
}

@Suite("track_src_ip")
struct TrackSrcIPConfigTests {
    @Test("With mcast_src_ip it is on; without a configured source address it is warned and off")
    func needsSource() throws {
        let on = vmacInstance("mcast_src_ip 10.0.0.11\n    track_src_ip")
        #expect(on.diagnostics.isEmpty, "\(on.rendered())")
        #expect(try #require(on.config.vrrpInstances.first).trackSrcIP)
        let off = vmacInstance("track_src_ip")
        #expect(try #require(off.config.vrrpInstances.first).trackSrcIP == false)
        #expect(diagnostics(off, .suspicious).contains { $0.message.contains("no configured source address") })
    }
}
