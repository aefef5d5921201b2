import Config
@testable import Director
import HA
import HealthCheck
import Testing
import Vocabulary

@Suite("Director plan: Config → HA (VRRP addressing)")
struct DirectorPlanVRRPTests {
    static func plan(_ text: String) throws -> DirectorPlan {
        let loaded = ConfigLoader.parse(text: text, fileName: "t.conf")
        #expect(loaded.isValid, "\(loaded.rendered())")
        return try DirectorPlan(config: loaded.config)
    }

    @Test("An IPv6 instance without version reaches HA as VRRPv3")
    func ipv6IsV3() throws {
        let p = try Self.plan("""
        global_defs { vrrp_version 2 }
        vrrp_instance VI_6 {
          interface eth0
          virtual_router_id 52
          virtual_ipaddress { 2001:db8::80 }
        }
        """)
        let instance = try #require(p.vrrp.instances.first)
        #expect(instance.configuration.version == .v3)
    }
}

@Suite("Director plan: advert checks reach HA")
struct DirectorPlanAdvertCheckTests {
    static let body = """
    vrrp_instance VI_1 {
      interface eth0
      virtual_router_id 51
      %@
      unicast_peer { 10.0.0.3 }
      virtual_ipaddress { 10.0.0.100 }
    }
    """

    static func spec(_ line: String, globals: String = "") throws -> VRRPInstanceSpec {
        let p = try DirectorPlanVRRPTests.plan("global_defs {\n\(globals)\n}\n" + body.replacingOccurrences(of: "%@", with: line))
        return try #require(p.vrrp.instances.first)
    }

    static func configuration(_ line: String, globals: String = "") throws -> VRRPInstanceConfiguration {
        try spec(line, globals: globals).configuration
    }

    @Test("By default the address list and no unicast source are checked")
    func defaults() throws {
        let c = try Self.configuration("")
        #expect(c.skipAddressListCheck == false)
        #expect(c.checkUnicastSource == false)
        #expect(c.unicastPeers == [IPAddress("10.0.0.3")])
    }

    @Test("skip_check_adv_addr and check_unicast_src reach the instance")
    func instanceFlags() throws {
        #expect(try Self.configuration("skip_check_adv_addr").skipAddressListCheck)
        #expect(try Self.configuration("check_unicast_src").checkUnicastSource)
    }

    @Test("vrrp_check_unicast_src applies to every instance; vrrp_skip_check_adv_addr to those after global_defs")
    func globalFlags() throws {
        #expect(try Self.configuration("", globals: "vrrp_check_unicast_src").checkUnicastSource)
        #expect(try Self.configuration("", globals: "vrrp_skip_check_adv_addr").skipAddressListCheck)
    }
}

@Suite("Director plan: advert source address")
struct DirectorPlanSourceTests {
    @Test("mcast_src_ip is the source address the transport binds and the tie-break uses")
    func mcastSource() throws {
        let p = try DirectorPlanVRRPTests.plan("""
        vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          mcast_src_ip 10.0.0.11
          virtual_ipaddress { 10.0.0.100 }
        }
        """)
        let instance = try #require(p.vrrp.instances.first)
        #expect(instance.unicastSource == IPAddress("10.0.0.11"))
        #expect(instance.configuration.primaryAddress == IPAddress("10.0.0.11"))
        #expect(instance.unicastPeers.isEmpty)
    }
}

@Suite("Director plan: unicast_ttl")
struct DirectorPlanUnicastTTLTests {
    @Test("unicast_ttl reaches the instance's transport settings; without it there is none (255)")
    func unicastTTL() throws {
        #expect(try DirectorPlanAdvertCheckTests.spec("unicast_ttl 64").unicastTTL == 64)
        #expect(try DirectorPlanAdvertCheckTests.spec("").unicastTTL == nil)
    }
}

@Suite("Director plan: multicast group")
struct DirectorPlanMulticastGroupTests {
    @Test("vrrp_mcast_group4 reaches IPv4 instances and vrrp_mcast_group6 IPv6 ones; none means the RFC group")
    func groups() throws {
        let p = try DirectorPlanVRRPTests.plan("""
        global_defs {
          vrrp_mcast_group4 224.0.0.19
          vrrp_mcast_group6 ff02::13
        }
        vrrp_instance V4 {
          interface eth0
          virtual_router_id 51
          virtual_ipaddress { 10.0.0.100 }
        }
        vrrp_instance V6 {
          interface eth0
          virtual_router_id 52
          virtual_ipaddress { 2001:db8::100 }
        }
        """)
        #expect(p.vrrp.instances.map(\.multicastGroup) == [IPAddress("224.0.0.19"), IPAddress("ff02::13")])
        #expect(try DirectorPlanAdvertCheckTests.spec("").multicastGroup == nil)
    }
}

@Suite("Director plan: down_timer_adverts reaches HA")
struct DirectorPlanDownTimerTests {
    @Test("The instance's value, the global default, and 3 when neither is written")
    func reachesHA() throws {
        #expect(try DirectorPlanAdvertCheckTests.configuration("down_timer_adverts 7").downTimerAdverts == 7)
        #expect(try DirectorPlanAdvertCheckTests.configuration("", globals: "vrrp_down_timer_adverts 4").downTimerAdverts == 4)
        #expect(try DirectorPlanAdvertCheckTests.configuration("").downTimerAdverts == 3)
    }
}

@Suite("Director plan: the SSL block reaches every SSL_GET, never HTTP_GET")
struct DirectorPlanSSLTests {
    @Test("certificate, key, password and ca on SSL_GET's TLS settings; no verification, as keepalived")
    func sslBlock() throws {
        let p = try DirectorPlanVRRPTests.plan("""
        SSL {
          password s3cret
          ca /etc/vigil/ca.pem
          certificate /etc/vigil/c.pem
          key /etc/vigil/k.pem
        }
        virtual_server 10.0.0.100 443 {
          protocol TCP
          real_server 10.0.0.11 443 {
            SSL_GET {
              url {
                path /health
              }
            }
            HTTP_GET {
              url {
                path /plain
              }
            }
          }
        }
        """)
        let checkers = try #require(p.health.first?.realServers.first?.checkers)
        var tlsSeen: [TLSSettings?] = []
        for c in checkers { if case .http(let h) = c.kind { tlsSeen.append(h.tls) } }
        #expect(tlsSeen.count == 2)
        let tls = try #require(tlsSeen.compactMap { $0 }.first)
        #expect(tls.certificateFile == "/etc/vigil/c.pem" && tls.keyFile == "/etc/vigil/k.pem")
        #expect(tls.keyPassword == "s3cret" && tls.caFile == "/etc/vigil/ca.pem" && !tls.verifyPeer)
        #expect(tlsSeen.filter { $0 == nil }.count == 1, "HTTP_GET stays plain")
    }
}

@Suite("Director plan: use_vmac reaches HA")
struct DirectorPlanVMACTests {
    @Test("use_ipvlan: the adverts on the ipvlan (named as use_vmac's), the VIPs on the instance's interface")
    func ipvlanSpec() throws {
        let p = try DirectorPlanVRRPTests.plan("""
        vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          use_ipvlan 10.0.0.51/24 private
          virtual_ipaddress { 10.0.0.100 }
        }
        """)
        let v = try #require(p.vrrp.instances.first)
        #expect(v.vmac == VMACSpec(name: "vrrp.51", base: "eth0", mac: [],
                                   ipvlan: IPVLANSpec(flags: 1, address: VirtualAddress(address: IPAddress("10.0.0.51"), prefixLength: 24))))
        #expect(v.interface == "eth0" && v.advertInterface == "vrrp.51" && v.link == "eth0")
    }

    @Test("The VIPs and announcements go on the macvlan, the adverts on it or on the base, with the virtual router MAC")
    func vmacSpec() throws {
        let p = try DirectorPlanVRRPTests.plan("""
        vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          use_vmac
          virtual_ipaddress { 10.0.0.100 }
        }
        vrrp_instance VI_6 {
          interface eth0
          virtual_router_id 52
          use_vmac vm6 02:11:22:33:44
          vmac_xmit_base
          virtual_ipaddress { 2001:db8::80 }
        }
        vrrp_instance VI_2 {
          interface eth0
          virtual_router_id 53
          virtual_ipaddress { 10.0.0.101 }
        }
        """)
        let v4 = try #require(p.vrrp.instances.first { $0.name == "VI_1" })
        #expect(v4.vmac == VMACSpec(name: "vrrp.51", base: "eth0", mac: [0, 0, 0x5e, 0, 1, 51]))
        #expect(v4.interface == "vrrp.51" && v4.advertInterface == "vrrp.51" && v4.link == "eth0")
        let v6 = try #require(p.vrrp.instances.first { $0.name == "VI_6" })
        #expect(v6.vmac == VMACSpec(name: "vm6", base: "eth0", mac: [2, 0x11, 0x22, 0x33, 0x44, 52], transmitsOnBase: true,
                                    ipv6: true))
        #expect(v6.interface == "vm6" && v6.advertInterface == "eth0")
        let plain = try #require(p.vrrp.instances.first { $0.name == "VI_2" })
        #expect(plain.vmac == nil && plain.advertInterface == "eth0")
    }

    @Test("Two instances with one macvlan name are refused at the second")
    func sameName() {
        let loaded = ConfigLoader.parse(text: """
        vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          use_vmac vm1
          virtual_ipaddress { 10.0.0.100 }
        }
        vrrp_instance VI_2 {
          interface eth1
          virtual_router_id 52
          use_vmac vm1
          virtual_ipaddress { 10.0.1.100 }
        }
        """, fileName: "t.conf")
        #expect(throws: PlanError.self) { try DirectorPlan(config: loaded.config) }
    }
}

@Suite("Director plan: the names of unnamed macvlans, as keepalived makes them")
struct DirectorPlanVMACNameTests {
    @Test("Same VRID on two interfaces and in IPv6: vrrp.51, then vrrp6.51 (IPv6) and vrrp1.51; a name written later is avoided")
    func generated() throws {
        let p = try DirectorPlanVRRPTests.plan("""
        vrrp_instance A {
          interface eth0
          virtual_router_id 51
          use_vmac
          virtual_ipaddress { 10.0.0.100 }
        }
        vrrp_instance B {
          interface eth0
          virtual_router_id 51
          use_vmac
          virtual_ipaddress { 2001:db8::80 }
        }
        vrrp_instance C {
          interface eth1
          virtual_router_id 51
          use_vmac
          virtual_ipaddress { 10.0.1.100 }
        }
        vrrp_instance D {
          interface eth2
          virtual_router_id 51
          use_vmac vrrp1.51
          virtual_ipaddress { 10.0.2.100 }
        }
        """)
        let names = ["A", "B", "C", "D"].map { n in p.vrrp.instances.first { $0.name == n }?.vmac?.name }
        #expect(names == ["vrrp.51", "vrrp6.51", "vrrp2.51", "vrrp1.51"])
    }

    @Test("vmac_prefix (wherever written) replaces vrrp; a second one is an error and the first stays")
    func prefix() throws {
        let text = """
        vrrp_instance A {
          interface eth0
          virtual_router_id 51
          use_vmac
          virtual_ipaddress { 10.0.0.100 }
        }
        global_defs {
          vmac_prefix vk
        }
        """
        let p = try DirectorPlanVRRPTests.plan(text)
        #expect(p.vrrp.instances.first?.vmac?.name == "vk.51")
        #expect(p.vrrp.instances.first?.interface == "vk.51")
        let twice = ConfigLoader.parse(text: text.replacingOccurrences(of: "vmac_prefix vk", with: "vmac_prefix vk\n  vmac_prefix zz"),
                                       fileName: "t.conf")
        #expect(twice.errors.count == 1 && twice.config.globalDefs.vmacPrefix == "vk")
    }
}

@Suite("Director plan: vrrp_track_process reaches HA")
struct DirectorPlanTrackProcessTests {
    @Test("Name alone matches the process name; parameters or full_command the command line; weights and delays")
    func specs() throws {
        let p = try DirectorPlanVRRPTests.plan("""
        vrrp_track_process a {
          process nginx
        }
        vrrp_track_process b {
          process /usr/sbin/haproxy -f
          param_match initial
          weight -30
          delay 2
        }
        vrrp_track_process c {
          process sleep
          full_command
          quorum_max 1
        }
        vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          track_process {
            a
            b
            c weight 5
          }
          virtual_ipaddress { 10.0.0.100 }
        }
        """)
        let byName = Dictionary(uniqueKeysWithValues: p.vrrp.trackProcesses.map { ($0.name, $0) })
        #expect(byName["a"] == VRRPTrackProcessSpec(name: "a", process: "nginx"))
        #expect(byName["b"] == VRRPTrackProcessSpec(name: "b", process: "/usr/sbin/haproxy", parameters: ["-f"],
                                                    match: .initial, forkDelay: .seconds(2), terminateDelay: .seconds(2)))
        #expect(byName["c"]?.match == .exact && byName["c"]?.quorumMax == 1)
        let refs = try #require(p.vrrp.instances.first).trackProcesses
        #expect(refs == [VRRPTrackReference(name: "a", weight: 0), VRRPTrackReference(name: "b", weight: -30),
                         VRRPTrackReference(name: "c", weight: 5)])
    }
}
