import Foundation
import Testing
import Vocabulary
@testable import Config

@Suite("The keyword table")
struct KeywordTableTests {
    @Test("A keyword that is parsed but not acted on yet is a warning at its column, and its value is still read")
    func pendingKeywordWarns() {
        let r = parse("global_defs {\n  dynamic_interfaces\n}\n")
        #expect(positions(r, .unsupportedKeyword) == ["2:3"])
        #expect(r.errors.isEmpty)
        #expect(r.config.globalDefs.dynamicInterfaces == true)
        #expect(diagnostics(r, .unsupportedKeyword).first?.message.contains("not implemented yet") == true)
    }

    @Test("A 1.x keyword keepalived 2.x ignores is a warning that says so, not an error")
    func legacyKeyword() {
        let r = parse("""
            virtual_server 192.0.2.10 80 {
              nat_mask 255.255.255.0
              real_server 192.0.2.20 80 {
                TCP_CHECK {
                  nb_get_retry 3
                }
              }
            }

            """)
        #expect(r.errors.isEmpty)
        #expect(positions(r, .keepalivedIgnores) == ["2:3", "5:7"])
        #expect(diagnostics(r, .keepalivedIgnores).allSatisfy { $0.message.contains("as keepalived 2.x ignores it") })
        // keepalived 2.x keeps retry 1 for a TCP_CHECK that says nb_get_retry 3.
        #expect(r.config.virtualServers.first?.realServers.first?.checkers.first?.retry == 1)
    }

    @Test("nb_get_retry is retry in HTTP_GET, with keepalived's deprecation warning")
    func nbGetRetryInHTTP() {
        let r = parse("""
            virtual_server 192.0.2.10 80 {
              protocol TCP
              real_server 192.0.2.20 80 {
                HTTP_GET {
                  url {
                    path /
                  }
                  nb_get_retry 3
                }
              }
            }

            """)
        #expect(r.errors.isEmpty)
        #expect(positions(r, .nonCanonicalForm) == ["8:7"])
        #expect(r.config.virtualServers.first?.realServers.first?.checkers.first?.retry == 3)
    }

    @Test("A keyword of another block is an error that names where it belongs, never suggesting the word itself")
    func misplacedKeyword() {
        let r = parse("global_defs {\n  priority 100\n}\n")
        let d = diagnostics(r, .unknownKeyword)
        #expect(positions(r, .unknownKeyword) == ["2:3"])
        #expect(d.first?.message.contains("belongs in 'vrrp_instance'") == true)
        #expect(d.first?.message.contains("did you mean 'priority'") == false)
    }

    @Test("The root track_file block is vrrp_track_file, as in keepalived")
    func rootTrackFile() {
        let r = parse("track_file TF {\n  file /tmp/x\n}\n")
        #expect(r.errors.isEmpty)
        #expect(r.config.vrrpTrackFiles.map(\.name) == ["TF"])
    }

    @Test("enable_script_security with a value enables it, as keepalived does, with a warning at the value")
    func enableScriptSecurityValue() {
        let r = parse("global_defs {\n  enable_script_security 0\n}\n")
        #expect(r.config.globalDefs.enableScriptSecurity == true)
        #expect(positions(r, .keepalivedIgnores) == ["2:26"])
    }

    @Test("Keywords newer than 2.2.7 are known, each with its version")
    func newerKeywords() {
        let r = parse("global_defs {\n  vrrp_delay_after_boot 30\n  json_version 2\n}\n")
        #expect(r.errors.isEmpty)
        #expect(r.diagnostics.count == 1, "json_version is warned about; vrrp_delay_after_boot is implemented")
        let table = KeywordTable.rows()
        #expect(table.first { $0.keyword == "vrrp_delay_after_boot" }?.since == "2.4.0")
    }

    @Test("Every keyword that is not implemented explains what happens instead")
    func everyStatusExplained() {
        for row in KeywordTable.rows() where row.status != .implemented {
            #expect(!(row.status.explanation ?? "").isEmpty, "\(row.path) \(row.keyword)")
        }
    }

    @Test("No block lists a spelling twice")
    func noDuplicateSpellings() {
        func walk(_ ks: [Keyword], _ path: String) {
            var seen = Set<String>()
            for k in ks {
                for s in [k.name] + k.aliases {
                    #expect(seen.insert(s).inserted, "\(path): \(s) twice")
                }
                walk(k.children, path + "/" + k.name)
            }
        }
        walk(Keyword.grammar, "")
    }

    @Test("docs/keywords.md is the table as generated")
    func docsInSync() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/keywords.md"), encoding: .utf8)
        #expect(doc == KeywordTable.markdown(), "run scripts/config/gen-keywords.sh")
    }
}

@Test("The README's list of warned-only keywords is the table's")
func readmeWarnedListInSync() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let begin = "<!-- generated: warned-only keywords (scripts/config/gen-keywords.sh) -->\n"
    let end = "<!-- end of generated list -->"
    guard let b = readme.range(of: begin), let e = readme.range(of: end, range: b.upperBound..<readme.endIndex) else {
        Issue.record("README.md lacks the generated list's markers")
        return
    }
    #expect(String(readme[b.upperBound..<e.lowerBound]) == KeywordTable.warnedOnlyMarkdown(),
            "run scripts/config/gen-keywords.sh")
}

@Suite("Value forms keepalived accepts")
struct ValueFormTests {
    @Test("An address with a prefix where keepalived drops it: unicast_src_ip, mcast_src_ip, unicast_peer")
    func prefixDropped() {
        let r = parse("""
            vrrp_instance VI_1 {
              interface eth0
              virtual_router_id 51
              unicast_src_ip 192.0.2.1/24
              mcast_src_ip 192.0.2.1/24
              unicast_peer {
                192.0.2.2/24
              }
              virtual_ipaddress {
                192.0.2.10/24
              }
            }

            """)
        #expect(r.errors.isEmpty)
        #expect(positions(r, .nonCanonicalForm) == ["4:18", "5:16", "7:5"])
        let v = r.config.vrrpInstances.first
        #expect(v?.unicastSourceIP == IPAddress("192.0.2.1"))
        #expect(v?.unicastPeers.map(\.address) == [IPAddress("192.0.2.2")].compactMap { $0 })
    }

    @Test("nopreempt 1: the extra word is ignored with a warning")
    func flagWithValue() {
        let r = parse(minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    nopreempt 1"))
        #expect(r.errors.isEmpty)
        #expect(r.config.vrrpInstances.first?.nopreempt == true)
        #expect(positions(r, .nonCanonicalForm) == ["3:15"])
    }

    @Test("connect_ip A 8000: the extra word is ignored, as keepalived ignores it")
    func connectIPExtra() {
        let r = parse("""
            virtual_server 192.0.2.10 80 {
              protocol TCP
              real_server 192.0.2.20 80 {
                TCP_CHECK {
                  connect_ip 192.0.2.21 8000
                }
              }
            }

            """)
        #expect(r.errors.isEmpty)
        #expect(positions(r, .nonCanonicalForm) == ["5:29"])
        #expect(r.config.virtualServers.first?.realServers.first?.checkers.first?.connection.connectIP == IPAddress("192.0.2.21"))
        #expect(r.config.virtualServers.first?.realServers.first?.checkers.first?.connection.connectPort == nil)
    }

    @Test("VIP options: brd + and - computed, no_track accepted, flags not applied yet warned, unknown words ignored")
    func vipOptions() {
        let r = parse("""
            vrrp_instance VI_1 {
              interface eth0
              virtual_router_id 51
              virtual_ipaddress {
                192.0.2.10/24 brd + no_track
                192.0.2.11/24 brd -
                2001:db8::1/64 -nodad noprefixroute home mngtmpaddr autojoin preferred_lft 0
                192.0.2.12/24 peer 192.0.2.13 foo
              }
            }

            """)
        #expect(r.errors.isEmpty)
        let vips = r.config.vrrpInstances.first?.virtualIPAddresses ?? []
        #expect(vips.first?.broadcast == IPAddress("192.0.2.255"))
        #expect(vips.dropFirst().first?.broadcast == IPAddress("192.0.2.0"))
        #expect(positions(r, .unsupportedKeyword) == ["7:20", "7:27", "7:41", "7:46", "7:57", "7:66", "8:19"])
        #expect(positions(r, .keepalivedIgnores) == ["8:35"])
    }

    @Test("virtual_server_group: full-address ranges, CIDR and entries without a port")
    func groupForms() {
        let r = parse("""
            virtual_server_group G {
              192.0.2.1-192.0.2.5 80
              192.0.2.8/29 443
              192.0.2.20
              192.0.2.30-40 8080
              192.0.1.1-192.0.2.1 80
            }

            """)
        #expect(positions(r, .nonCanonicalForm) == ["4:3"])
        #expect(positions(r, .invalidValue) == ["6:3"])
        let e = r.config.virtualServerGroups.first?.entries ?? []
        #expect(e.count == 4)
        let a = { (s: String) in IPAddress(s)! }
        #expect(e == [.range(first: a("192.0.2.1"), last: a("192.0.2.5"), port: 80),
                      .range(first: a("192.0.2.8"), last: a("192.0.2.15"), port: 443),
                      .range(first: a("192.0.2.20"), last: a("192.0.2.20"), port: 0),
                      .range(first: a("192.0.2.30"), last: a("192.0.2.40"), port: 8080)])
    }

    @Test("virtual_server IP without a port is port 0 and persistent, as keepalived makes it")
    func virtualServerWithoutPort() {
        let r = parse("virtual_server 192.0.2.10 {\n  protocol TCP\n  real_server 192.0.2.20 80 {\n  }\n}\n")
        #expect(r.errors.isEmpty)
        let vs = r.config.virtualServers.first
        #expect(vs?.address == .address(IPAddress("192.0.2.10")!, port: 0))
        #expect(vs?.persistenceTimeout == 360)
        #expect(positions(r, .nonCanonicalForm) == ["1:16"])
    }

    @Test("persistence_timeout above 2678400 is ignored with a warning, as keepalived ignores it")
    func persistenceRange() {
        let r = parse("virtual_server 192.0.2.10 80 {\n  protocol TCP\n  persistence_timeout 3000000\n}\n")
        #expect(r.errors.isEmpty)
        #expect(r.config.virtualServers.first?.persistenceTimeout == nil)
        #expect(positions(r, .keepalivedIgnores) == ["3:23"])
    }

    @Test("A second notify_master is ignored with a warning: keepalived keeps the first")
    func firstNotifyWins() {
        let r = parse(minimalInstance.replacingOccurrences(
            of: "interface eth0", with: "interface eth0\n    notify_master /bin/true\n    notify_master /bin/false"))
        #expect(r.config.vrrpInstances.first?.notifyMaster?.command == "/bin/true")
        #expect(positions(r, .keepalivedIgnores) == ["4:5"])
    }

    @Test("notify_deleted with or without a script; a second one is ignored as keepalived ignores it")
    func notifyDeleted() {
        let bare = parse(minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    notify_deleted"))
        #expect(bare.errors.isEmpty && bare.warnings.isEmpty, "\(bare.rendered())")
        #expect(bare.config.vrrpInstances.first?.notifyDeleted == true)
        #expect(bare.config.vrrpInstances.first?.notifyDeletedScript == nil)
        let r = parse(minimalInstance.replacingOccurrences(
            of: "interface eth0", with: "interface eth0\n    notify_deleted \"/bin/gone VI\" root\n    notify_deleted /bin/false"))
        #expect(r.config.vrrpInstances.first?.notifyDeleted == true)
        #expect(r.config.vrrpInstances.first?.notifyDeletedScript?.command == "/bin/gone VI")
        #expect(r.config.vrrpInstances.first?.notifyDeletedScript?.user == "root")
        #expect(positions(r, .keepalivedIgnores) == ["4:5"])
        #expect(parse(minimalInstance).config.vrrpInstances.first?.notifyDeleted == false)
    }

    @Test("No VIP: a warning for VRRPv2, keepalived 2.2.7's refusal for VRRPv3, and neither with no_virtual_ipaddress unless strict")
    func noVirtualIPAddress() {
        let bare = "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n"
        let v2 = parse(bare + "}\n")
        #expect(v2.errors.isEmpty && positions(v2, .suspicious) == ["1:1"], "\(v2.rendered())")
        let v3 = parse(bare + "    version 3\n}\n")
        #expect(v3.errors.count == 1 && v3.errors.first?.message.contains("VRRPv3 requires at least one") == true)
        let allowed = parse(bare + "    version 3\n    no_virtual_ipaddress\n}\n")
        #expect(allowed.errors.isEmpty && allowed.warnings.isEmpty, "\(allowed.rendered())")
        #expect(allowed.config.vrrpInstances.first?.noVirtualIPAddress == true)
        let strict = parse(bare + "    strict_mode\n    no_virtual_ipaddress\n}\n")
        #expect(strict.config.vrrpInstances.first?.noVirtualIPAddress == false)
        #expect(positions(strict, .keepalivedIgnores) == ["1:1"])
        #expect(strict.errors.count == 1, "\(strict.rendered())")
    }
}

@Suite("lvs_sync_daemon forms")
struct SyncDaemonFormTests {
    @Test("lvs_sync_daemon IF inst NAME names the instance, as keepalived reads it")
    func instWord() {
        let r = parse("global_defs {\n  lvs_sync_daemon eth1 inst VI_1 id 5\n}\n" + minimalInstance)
        #expect(r.errors.isEmpty, "\(r.rendered())")
        #expect(r.config.globalDefs.lvsSyncDaemon?.vrrpInstance == "VI_1")
        #expect(r.config.globalDefs.lvsSyncDaemon?.syncID == 5)
    }

    @Test("lvs_sync_daemon IF without an instance is read with its options and no warning (both daemons run)")
    func noInstance() {
        let r = parse("global_defs {\n  lvs_sync_daemon eth1 id 4 ttl 2\n}\n")
        #expect(r.errors.isEmpty && r.warnings.isEmpty, "\(r.rendered())")
        #expect(r.config.globalDefs.lvsSyncDaemon == LVSSyncDaemon(interface: "eth1", vrrpInstance: nil, syncID: 4, ttl: 2))
    }
}

@Suite("startup_script and shutdown_script")
struct LifecycleScriptKeywordTests {
    @Test("startup_script and shutdown_script take a command, user and group; their timeouts default to 10 s, 1–1000")
    func read() {
        let r = parse("global_defs {\n  startup_script \"/usr/local/bin/fw up\" nobody nogroup\n  startup_script_timeout 30\n  shutdown_script /usr/local/bin/fw-down\n}\n")
        #expect(r.errors.isEmpty && r.warnings.isEmpty, "\(r.rendered())")
        let g = r.config.globalDefs
        #expect(g.startupScript?.command == "/usr/local/bin/fw up")
        #expect(g.startupScript?.user == "nobody" && g.startupScript?.group == "nogroup")
        #expect(g.startupScriptTimeout == .seconds(30))
        #expect(g.shutdownScript?.command == "/usr/local/bin/fw-down")
        #expect(g.shutdownScriptTimeout == .seconds(10))
        let bad = parse("global_defs {\n  shutdown_script_timeout 0\n  startup_script_timeout 1001\n}\n")
        #expect(bad.errors.count == 2, "\(bad.rendered())")
    }
}

@Suite("Dump file keywords")
struct DumpFileKeywordTests {
    @Test("state_dump_file is read; stats_dump_file and json_dump_file warn that keepalived does not use them either")
    func dumpFiles() {
        let r = parse("global_defs {\n  state_dump_file /run/ka/\n  stats_dump_file /x\n  json_dump_file /y\n}\n")
        #expect(r.errors.isEmpty, "\(r.rendered())")
        #expect(r.config.globalDefs.stateDumpFile == "/run/ka/")
        #expect(positions(r, .keepalivedIgnores) == ["3:3", "4:3"])
    }
}

@Suite("lvs_timeouts")
struct LVSTimeoutsTests {
    @Test("lvs_timeouts reads tcp, tcpfin and udp in any order, each optional")
    func read() {
        let r = parse("global_defs {\n  lvs_timeouts udp 300 tcp 7200\n}\n")
        #expect(r.errors.isEmpty, "\(r.rendered())")
        #expect(r.warnings.isEmpty, "\(r.rendered())")
        #expect(r.config.globalDefs.lvsTimeouts == LVSTimeouts(tcp: 7200, udp: 300))
        let all = parse("global_defs {\n  lvs_timeouts tcp 900 tcpfin 120 udp 60\n}\n")
        #expect(all.config.globalDefs.lvsTimeouts == LVSTimeouts(tcp: 900, tcpFin: 120, udp: 60))
    }

    @Test("An unknown option, a missing value and a value over 31 days are errors at the word")
    func malformed() {
        let r = parse("global_defs {\n  lvs_timeouts tcp 2678401 sctp 5 udp\n}\n")
        // As keepalived, the word after an unknown option is read as an option too ('5' at 2:33).
        #expect(positions(r, .outOfRange) + positions(r, .invalidValue) + positions(r, .missingValue) == ["2:20", "2:28", "2:33", "2:35"])
        #expect(r.config.globalDefs.lvsTimeouts == nil)
        #expect(!parse("global_defs {\n  lvs_timeouts\n}\n").errors.isEmpty)
    }
}

@Suite("lvs_flush_on_stop")
struct LVSFlushOnStopTests {
    @Test("lvs_flush_on_stop alone flushes all, VS deletes the services, lvs_flush_onstop is the old spelling, other words are errors")
    func forms() {
        #expect(parse("global_defs {\n  lvs_flush_on_stop\n}\n").config.globalDefs.lvsFlushOnStop == true)
        #expect(parse("global_defs {\n  lvs_flush_on_stop VS\n}\n").config.globalDefs.lvsFlushOnStop == false)
        let old = parse("global_defs {\n  lvs_flush_onstop\n}\n")
        #expect(old.config.globalDefs.lvsFlushOnStop == true)
        #expect(positions(old, .nonCanonicalForm) == ["2:3"])
        let bad = parse("global_defs {\n  lvs_flush_on_stop ALL\n}\n")
        #expect(positions(bad, .invalidValue) == ["2:21"])
        #expect(bad.config.globalDefs.lvsFlushOnStop == nil)
    }
}

@Suite("Virtual server without protocol")
struct DefaultProtocolTests {
    @Test("A virtual_server by address or on a group of addresses without protocol is UDP, as keepalived 2.2.7, with a warning; fwmark needs none")
    func udpDefault() {
        let byAddress = parse("virtual_server 10.0.0.1 53 {\n  real_server 10.0.0.2 53 {\n  }\n}\n")
        #expect(byAddress.config.virtualServers.first?.protocol == .udp)
        #expect(positions(byAddress, .missingValue) == ["1:1"])
        let tcp = parse("virtual_server 10.0.0.1 80 {\n  protocol TCP\n}\n")
        #expect(tcp.config.virtualServers.first?.protocol == .tcp)
        #expect(positions(tcp, .missingValue).isEmpty, "\(tcp.rendered())")
        let group = parse("virtual_server group G {\n}\nvirtual_server_group G {\n  10.0.0.1 80\n}\n")
        #expect(group.config.virtualServers.first?.protocol == .udp)
        #expect(positions(group, .missingValue) == ["1:1"])
        let marks = parse("virtual_server group M {\n}\nvirtual_server fwmark 3 {\n}\nvirtual_server_group M {\n  fwmark 7\n}\n")
        #expect(positions(marks, .missingValue).isEmpty, "\(marks.rendered())")
    }
}

@Suite("UDP_CHECK reply lengths")
struct UDPReplyLengthTests {
    @Test("min_reply_length and max_reply_length are read within 0-65535; min above max is a warning, as keepalived's error that loads")
    func lengths() {
        func udp(_ body: String) -> ConfigLoadResult {
            parse("virtual_server 10.0.0.1 53 {\n  protocol UDP\n  real_server 10.0.0.2 53 {\n    UDP_CHECK {\n\(body)    }\n  }\n}\n")
        }
        let ok = udp("      require_reply 1X\n      min_reply_length 2\n      max_reply_length 1000\n")
        guard case .udp(let u)? = ok.config.virtualServers.first?.realServers.first?.checkers.first?.settings else {
            Issue.record("no UDP_CHECK: \(ok.rendered())"); return
        }
        #expect(u.minReplyLength == 2 && u.maxReplyLength == 1000)
        #expect(u.requireReply?.mask == [0xF0])
        #expect(ok.errors.isEmpty && positions(ok, .suspicious).isEmpty, "\(ok.rendered())")
        let bad = udp("      max_reply_length 70000\n")
        #expect(positions(bad, .outOfRange) == ["5:24"], "\(bad.rendered())")
        let crossed = udp("      min_reply_length 300\n")
        #expect(positions(crossed, .suspicious) == ["4:5"], "\(crossed.rendered())")
    }
}
