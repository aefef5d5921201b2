import Testing
import Vocabulary
@testable import Config

/// Words that used to reach the Director as strings are typed by the builder, with a diagnostic at line:col.
@Suite("Typed values")
struct TypedValueTests {
    private func load(_ text: String) -> ConfigLoadResult { ConfigLoader.parse(text: text) }

    private func errors(_ r: ConfigLoadResult) -> [String] {
        r.diagnostics.filter { $0.severity == .error }.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0): \($0.message)" }
    }

    @Test("UDP_CHECK hex payloads follow keepalived's free format")
    func hex() throws {
        #expect(try HexPattern.parse("Ab12f 3 456", wildcards: false).get() == HexPattern(bytes: [0xAB, 0x12, 0x0F, 0x03, 0x45, 0x06]))
        let wild = try HexPattern.parse("aX 0f", wildcards: true).get()
        #expect(wild.bytes == [0xA0, 0x0F] && wild.mask == [0xF0, 0xFF] && !wild.isExact)
        #expect(throws: HexPatternError.self) { try HexPattern.parse("zz", wildcards: false).get() }
        #expect(throws: HexPatternError.self) { try HexPattern.parse("0X", wildcards: false).get() }
    }

    @Test("A bad hex payload is an error at its column, not an empty payload")
    func badPayload() {
        let r = load("""
        virtual_server 10.0.0.1 53 {
          protocol UDP
          real_server 10.0.0.2 53 {
            UDP_CHECK { payload 00zz }
          }
        }
        """)
        #expect(errors(r) == ["4:25: payload: 'z' is not a hex digit in '00zz'"])
    }

    @Test("Tunnel options are typed: type, port, checksum; an unknown type is an error, not IPIP")
    func tunnel() {
        let good = load("""
        virtual_server 10.0.0.1 80 {
          lvs_method TUN type gue port 6080 csum
          real_server 10.0.0.2 80 { }
        }
        """)
        #expect(good.isValid)
        #expect(good.config.virtualServers.first?.tunnel == TunnelSettings(kind: .gue, port: 6080, checksum: .csum))
        let bad = load("""
        virtual_server 10.0.0.1 80 {
          lb_kind TUN type vxlan
          real_server 10.0.0.2 80 { }
        }
        """)
        #expect(errors(bad) == ["2:20: tunnel type must be ipip, gue or gre, not 'vxlan'"])
        let gueWithoutPort = load("""
        virtual_server 10.0.0.1 80 {
          lb_kind TUN type gue
          real_server 10.0.0.2 80 { }
        }
        """)
        #expect(errors(gueWithoutPort) == ["2:15: a GUE tunnel needs 'port N'"])
    }

    @Test("Scheduler flags and http_protocol are enums")
    func flagsAndProtocol() {
        let r = load("""
        virtual_server 10.0.0.1 80 {
          lb_algo mh
          mh-port
          flag-3
          real_server 10.0.0.2 80 { HTTP_GET { url { path / } http_protocol 1.0c } }
        }
        """)
        #expect(r.isValid)
        #expect(r.config.virtualServers.first?.schedulerFlags == [.mhPort, .flag3])
        #expect(r.config.virtualServers.first?.schedulerFlags.map(\.ipvsFlag) == [2, 3])
        guard case .http(let h) = r.config.virtualServers.first?.realServers.first?.checkers.first?.settings else {
            Issue.record("expected HTTP_GET settings")
            return
        }
        #expect(h.httpProtocol == .http10Close)
    }

    @Test("lvs_sync_daemon options are typed, each bad value an error at its own column")
    func syncDaemon() {
        let text = """
        vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          virtual_ipaddress { 10.0.0.100 }
        }
        global_defs {
          lvs_sync_daemon eth0 VI_1 id 7 maxlen 1400 ttl 300 group 224.0.0.81 colour blue
        }
        """
        let r = load(text)
        #expect(r.config.globalDefs.lvsSyncDaemon == LVSSyncDaemon(interface: "eth0", vrrpInstance: "VI_1", syncID: 7,
                                                                    maxlen: 1400, group: IPAddress("224.0.0.81")))
        #expect(errors(r).count == 2)
        #expect(errors(r).first?.hasPrefix("7:50:") == true, "\(errors(r))")
        #expect(errors(r).last == "7:71: lvs_sync_daemon: unknown option 'colour' (expected id, maxlen, port, ttl or group)")
    }
}
