import Testing
import Vocabulary
@testable import Config

/// `minimalInstance` with a `virtual_routes` block of `lines`.
private func routes(_ lines: String...) -> ConfigLoadResult {
    parse(minimalInstance.replacingOccurrences(
        of: "interface eth0",
        with: "interface eth0\n    virtual_routes {\n" + lines.map { "        " + $0 }.joined(separator: "\n") + "\n    }"))
}

@Suite("virtual_routes and static_routes as keepalived 2.2.7 reads them")
struct RouteTests {
    @Test("A full line: destination, via, dev, src, table, metric, scope, protocol, onlink")
    func fullLine() throws {
        let r = routes("src 192.168.0.80 to 10.1.0.0/16 via 192.168.0.1 dev eth1 table 100 metric 5 scope link protocol static onlink")
        #expect(r.errors.isEmpty && r.warnings.isEmpty, "\(r.diagnostics)")
        let route = try #require(r.config.vrrpInstances.first?.virtualRoutes.first)
        #expect(route.destination == IPPrefix("10.1.0.0/16") && route.gateway == IPAddress("192.168.0.1"))
        #expect(route.device == "eth1" && route.preferredSource == IPAddress("192.168.0.80") && route.table == 100)
        #expect(route.metric == 5 && route.scope == 253 && route.routingProtocol == 4 && route.onlink)
    }

    @Test("Types, default, a host destination, IPv6 with from; defaults: main table, kind unicast")
    func forms() throws {
        let r = routes("blackhole 10.9.0.0/16", "default via 192.168.0.1", "10.2.0.1 dev eth0",
                       "2001:db8::/32 from 2001:db8:1::/48 via fe80::1 dev eth0", "inet6 default dev eth0")
        #expect(r.errors.isEmpty, "\(r.diagnostics)")
        let v = try #require(r.config.vrrpInstances.first?.virtualRoutes)
        #expect(v.count == 5)
        #expect(v[0].kind == .blackhole && v[0].table == 254)
        #expect(v[1].destination == IPPrefix("0.0.0.0/0") && v[1].kind == .unicast)
        #expect(v[2].destination == IPPrefix("10.2.0.1/32"))
        #expect(v[3].sourcePrefix == IPPrefix("2001:db8:1::/48") && v[3].isIPv6)
        #expect(v[4].destination == IPPrefix("::/0"))
    }

    @Test("What keepalived skips (unknown word, mixed families, IPv4 from, unknown table, no destination) is a warning at the word and the route is dropped")
    func skipped() throws {
        #expect(positions(routes("10.1.0.0/16 bogus"), .keepalivedIgnores) == ["4:21"])
        #expect(positions(routes("10.1.0.0/16 via fe80::1"), .keepalivedIgnores) == ["4:25"])
        #expect(positions(routes("10.1.0.0/16 from 10.0.0.0/8"), .keepalivedIgnores) == ["4:26"])
        let named = routes("10.1.0.0/16 table vip")
        #expect(named.errors.isEmpty && diagnostics(named, .keepalivedIgnores).first?.message.contains("rt_tables") == true)
        let text = minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    virtual_routes {\n        10.1.0.0/16 table vip\n    }")
        let known = parse(text, files: ["/etc/iproute2/rt_tables.d/lb.conf": "# LB\n200\tvip # the VIP's table\n"])
        #expect(known.errors.isEmpty && known.config.vrrpInstances.first?.virtualRoutes.first?.table == 200)
        #expect(positions(routes("via 192.168.0.1"), .keepalivedIgnores) == ["4:9"])
        #expect(routes("10.1.0.0/16 bogus").config.vrrpInstances.first?.virtualRoutes.isEmpty == true)
    }

    @Test("Options Vigil leaves out are warnings and the route stays; multipath is a warning and the route goes")
    func leftOut() throws {
        let r = routes("10.1.0.0/16 via 192.168.0.1 mtu lock 1400 advmss 1300", "10.2.0.0/16 nexthop via 192.168.0.1")
        #expect(r.errors.isEmpty)
        #expect(positions(r, .unsupportedKeyword) == ["4:37", "4:51", "5:21"])
        let v = try #require(r.config.vrrpInstances.first?.virtualRoutes)
        #expect(v.count == 1 && v[0].gateway == IPAddress("192.168.0.1"))
    }

    @Test("static_ipaddress and static_routes are read at the top level; 'gw' is the old spelling of via")
    func statics() throws {
        let r = parse("static_ipaddress {\n    10.0.9.1/24 dev eth1\n}\nstatic_routes {\n    10.8.0.0/16 gw 10.0.9.254\n}\n")
        #expect(r.errors.isEmpty)
        #expect(r.config.staticIPAddresses.first?.device == "eth1")
        #expect(r.config.staticRoutes.first?.gateway == IPAddress("10.0.9.254"))
        #expect(positions(r, .nonCanonicalForm) == ["5:17"])
    }
}

/// `minimalInstance` with a `virtual_rules` block of `lines`.
private func rules(_ lines: String...) -> ConfigLoadResult {
    parse(minimalInstance.replacingOccurrences(
        of: "interface eth0",
        with: "interface eth0\n    virtual_rules {\n" + lines.map { "        " + $0 }.joined(separator: "\n") + "\n    }"))
}

@Suite("virtual_rules and static_rules as keepalived 2.2.7 reads them")
struct RuleTests {
    @Test("A full line and the actions; lookup is table; type is optional before an action")
    func lines() throws {
        let r = rules("from 10.9.0.100 to 10.1.0.0/16 lookup 100 priority 100 fwmark 0x10/0xff iif eth0 oif eth1 tos 0x10 not",
                      "from all priority 200 type blackhole", "from all priority 300 goto 400", "inet6 from 2001:db8::/32 table main priority 5")
        #expect(r.errors.isEmpty && r.warnings.isEmpty, "\(r.diagnostics)")
        let v = try #require(r.config.vrrpInstances.first?.virtualRules)
        #expect(v.count == 4)
        #expect(v[0].from == IPPrefix("10.9.0.100") && v[0].to == IPPrefix("10.1.0.0/16") && v[0].action == .table(100))
        #expect(v[0].priority == 100 && v[0].fwmark == 16 && v[0].fwmask == 255 && v[0].inputInterface == "eth0")
        #expect(v[0].outputInterface == "eth1" && v[0].tos == 16 && v[0].invert)
        #expect(v[1].from == nil && v[1].action == .blackhole)
        #expect(v[2].action == .goto(400))
        #expect(v[3].isIPv6 && v[3].action == .table(254))
    }

    @Test("Without a preference: 16384 down per family, with a warning; without an action: an error and no rule")
    func defaults() throws {
        let r = rules("from 10.0.0.1 table 100", "from 10.0.0.2 table 100", "from 2001:db8::1 table 100")
        let v = try #require(r.config.vrrpInstances.first?.virtualRules)
        #expect(v.map(\.priority) == [16384, 16383, 16384])
        #expect(positions(r, .missingValue) == ["4:9", "5:9", "6:9"])
        let none = rules("from 10.0.0.1 priority 5")
        #expect(none.errors.isEmpty && positions(none, .keepalivedIgnores) == ["4:9"])
        #expect(none.config.vrrpInstances.first?.virtualRules.isEmpty == true)
    }

    @Test("Skipped with a warning at the word, as keepalived skips them: two actions, goto without a lower preference, mixed families; sport not installed")
    func problems() throws {
        #expect(positions(rules("from 10.0.0.1 table 100 blackhole priority 5"), .keepalivedIgnores) == ["4:33"])
        #expect(positions(rules("from 10.0.0.1 priority 500 goto 400"), .keepalivedIgnores) == ["4:9"])
        #expect(positions(rules("from 10.0.0.1 to 2001:db8::1 table 1 priority 1"), .keepalivedIgnores) == ["4:26"])
        #expect(rules("from 10.0.0.1 to 2001:db8::1 table 1 priority 1").errors.isEmpty)
        let sport = rules("from 10.0.0.1 sport 80 table 1 priority 1")
        #expect(positions(sport, .unsupportedKeyword) == ["4:23"])
        #expect(sport.config.vrrpInstances.first?.virtualRules.isEmpty == true)
        let s = parse("static_rules {\n    from 10.9.1.0/24 table 100 priority 101\n}\n")
        #expect(s.errors.isEmpty && s.config.staticRules.first?.priority == 101)
    }
}
