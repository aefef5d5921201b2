import Foundation
import Testing
import Vocabulary
@testable import Config

@Test("global_defs keywords land in GlobalDefs")
func globalDefsBlock() {
    let r = parse("""
    global_defs {
      notification_email {
        a@x
        b@x
      }
      smtp_server 10.0.0.1 2525
      router_id R
      vrrp_garp_master_delay 2
      vrrp_garp_master_repeat 3
      vrrp_garp_master_refresh 60
      vrrp_garp_master_refresh_repeat 2
      vrrp_garp_interval 0.001
      vrrp_gna_interval 0.002
      vrrp_strict
      enable_script_security
      script_user nobody nogroup
      vrrp_version 3
    }
    """)
    #expect(r.errors.isEmpty, "\(r.rendered())")
    let g = r.config.globalDefs
    #expect(g.notificationEmail == ["a@x", "b@x"])
    #expect(g.smtpServer == "10.0.0.1" && g.smtpPort == 2525)
    #expect(g.vrrpGarpMasterDelay == .seconds(2) && g.vrrpGarpMasterRepeat == 3)
    #expect(g.vrrpGarpMasterRefresh == .seconds(60) && g.vrrpGarpMasterRefreshRepeat == 2)
    #expect(g.vrrpGarpInterval == .milliseconds(1) && g.vrrpGNAInterval == .milliseconds(2))
    #expect(g.vrrpStrict && g.enableScriptSecurity)
    #expect(g.scriptUser == "nobody" && g.scriptGroup == "nogroup")
    #expect(g.vrrpVersion == 3)
}

@Test("vrrp_script keeps its defaults and reads every keyword")
func vrrpScriptBlock() {
    let r = parse("vrrp_script chk {\n script \"/bin/check arg\"\n interval 2\n timeout 3\n weight -20 reverse\n rise 2\n fall 3\n user nobody\n init_fail\n}\nvrrp_script d {\n script /bin/true\n}\n")
    #expect(r.errors.isEmpty, "\(r.rendered())")
    let s = r.config.vrrpScripts[0]
    #expect(s.script == "/bin/check arg" && s.interval == .seconds(2) && s.timeout == .seconds(3))
    #expect(s.weight == -20 && s.weightReverse && s.rise == 2 && s.fall == 3 && s.user == "nobody" && s.initFail)
    let d = r.config.vrrpScripts[1]
    #expect(d.interval == .seconds(1) && d.weight == 0 && d.rise == 1 && d.fall == 1)
}

@Test("vrrp_track_file and vrrp_sync_group parse")
func trackFileAndSyncGroup() {
    let r = parse("vrrp_track_file f {\n file /run/f\n weight -5\n init_file 0 overwrite\n}\n" + minimalInstance
                  + "\nvrrp_sync_group G {\n group {\n  VI_1\n }\n notify_master /bin/m\n}\n")
    #expect(r.errors.isEmpty, "\(r.rendered())")
    #expect(r.config.vrrpTrackFiles.first?.file == "/run/f")
    #expect(r.config.vrrpTrackFiles.first?.weight == -5)
    #expect(r.config.vrrpTrackFiles.first?.initFileOverwrite == true)
    #expect(r.config.vrrpSyncGroups.first?.group.map(\.name) == ["VI_1"])
    #expect(r.config.vrrpSyncGroups.first?.notifyMaster?.command == "/bin/m")
}

@Test("vrrp_instance reads every modelled keyword")
func vrrpInstanceBlock() throws {
    let r = parse("""
    vrrp_script s {
      script /bin/true
    }
    vrrp_track_file tf {
      file /run/x
    }
    vrrp_instance VI_1 {
      state MASTER
      interface eth0
      virtual_router_id 51
      priority 150
      advert_int 2
      authentication {
        auth_type AH
        auth_pass pw
      }
      virtual_ipaddress {
        192.168.0.80/24 brd 192.168.0.255 dev eth1 scope global label eth1:0
        fe80::1/64 dev eth0 no_dad
      }
      virtual_ipaddress_excluded {
        10.9.9.9
      }
      virtual_routes {
        10.1.0.0/16 via 192.168.0.1
      }
      virtual_rules {
        from 10.0.0.0/8 table 100
      }
      track_script {
        s weight -30
      }
      track_interface {
        eth1 weight -10
        eth2
      }
      track_file {
        tf weight 2 reverse
      }
      nopreempt
      preempt_delay 5
      unicast_src_ip 10.0.0.1
      unicast_peer {
        10.0.0.2 min_ttl 1 max_ttl 10
      }
      notify_master "/bin/notify master" root
      notify_backup /bin/b
      notify_fault /bin/f
      notify_stop /bin/s
      notify /bin/n
      smtp_alert
      garp_master_delay 1
      garp_master_repeat 2
      garp_master_refresh 30
      garp_master_refresh_repeat 3
      accept
      dont_track_primary
      use_vmac vrrp51
    }
    """)
    #expect(r.errors.isEmpty, "\(r.rendered())")
    let v = try #require(r.config.vrrpInstances.first)
    // state MASTER with auth_type AH below 255 starts as BACKUP, which leaves nopreempt standing and so resets
    // preempt_delay, as keepalived 2.2.7 does (StartUpTests); warnings, not errors.
    #expect(v.state == .backup && v.interface == "eth0" && v.virtualRouterID == 51 && v.priority == 150)
    #expect(v.advertInterval == .seconds(2) && v.authentication?.type == .ah)
    #expect(v.virtualIPAddresses.count == 2)
    let vip = v.virtualIPAddresses[0]
    #expect(vip.broadcast?.description == "192.168.0.255" && vip.device == "eth1" && vip.scope == 0 && vip.label == "eth1:0")
    #expect(v.virtualIPAddresses[1].address.address.family == .inet6 && v.virtualIPAddresses[1].options == ["no_dad"])
    #expect(v.excludedVirtualIPAddresses.count == 1)
    #expect(v.virtualRoutes.first?.destination == IPPrefix("10.1.0.0/16") && v.virtualRoutes.first?.gateway == IPAddress("192.168.0.1"))
    #expect(v.virtualRules.first?.from == IPPrefix("10.0.0.0/8") && v.virtualRules.first?.action == .table(100) && v.virtualRules.first?.priority == 16384)
    #expect(v.trackScripts == [TrackReference(name: "s", weight: -30, location: v.trackScripts[0].location)])
    #expect(v.trackInterfaces.map(\.name) == ["eth1", "eth2"] && v.trackInterfaces[0].weight == -10)
    #expect(v.trackFiles.first?.reverse == true)
    #expect(v.nopreempt && v.preemptDelay == .zero)
    #expect(v.unicastSourceIP?.description == "10.0.0.1")
    #expect(v.unicastPeers.first?.minTTL == 1 && v.unicastPeers.first?.maxTTL == 10)
    #expect(v.notifyMaster?.command == "/bin/notify master" && v.notifyMaster?.user == "root")
    #expect(v.notifyBackup != nil && v.notifyFault != nil && v.notifyStop != nil && v.notify != nil)
    #expect(v.smtpAlert == true && v.garpMasterDelay == .seconds(1) && v.garpMasterRepeat == 2)
    #expect(v.garpMasterRefresh == .seconds(30) && v.garpMasterRefreshRepeat == 3)
    #expect(v.accept == true && v.dontTrackPrimary && v.useVMAC == "vrrp51")
}

@Test("vrrp_instance defaults follow keepalived")
func vrrpInstanceDefaults() throws {
    let v = try #require(parse(minimalInstance).config.vrrpInstances.first)
    #expect(v.state == .backup && v.priority == 100 && v.advertInterval == .seconds(1) && v.version == 2)
    #expect(v.garpMasterDelay == .seconds(5) && v.garpMasterRepeat == 5 && v.preemptDelay == .zero && !v.nopreempt)
}

@Test("virtual_server with every checker kind")
func virtualServerBlock() throws {
    let r = parse("""
    virtual_server 10.0.0.1 80 {
      delay_loop 6
      lvs_sched wrr
      lvs_method DR
      persistence_timeout 50
      persistence_granularity 255.255.255.0
      protocol TCP
      sorry_server 10.0.0.99 8080
      sorry_server_inhibit
      virtualhost www.example.com
      alpha
      omega
      quorum 2
      hysteresis 1
      quorum_up /bin/up
      quorum_down /bin/down
      ha_suspend
      ops
      real_server 10.0.0.2 80 {
        weight 3
        inhibit_on_failure
        notify_up /bin/u
        notify_down /bin/d
        uthreshold 100
        lthreshold 10
        TCP_CHECK {
          connect_port 81
          connect_timeout 2
        }
        HTTP_GET {
          url {
            path /health
            digest 9b3a0c85a887a256d6939da88aabd8cd
            status_code 200 300-399
          }
          connect_ip 10.0.0.3
          bindto 10.0.0.1
          bind_port 5555
          nb_get_retry 4
          delay_before_retry 2
          warmup 1
        }
        SSL_GET {
          url {
            path /
          }
          enable_sni
        }
        MISC_CHECK {
          misc_path "/bin/check 10.0.0.2"
          misc_timeout 5
          misc_dynamic
          user nobody
        }
        SMTP_CHECK {
          helo_name me
        }
        DNS_CHECK {
          type A
          name example.com
        }
        UDP_CHECK {
          payload 00ff
          require_reply
        }
        PING_CHECK {
        }
        FILE_CHECK {
          track_file tf
          weight 5
        }
      }
    }
    """)
    #expect(r.errors.isEmpty, "\(r.rendered())")
    let vs = try #require(r.config.virtualServers.first)
    #expect(vs.address == .address(IPAddress("10.0.0.1")!, port: 80))
    #expect(vs.delayLoop == .seconds(6) && vs.lbAlgo == .wrr && vs.lbKind == .dr && vs.persistenceTimeout == 50)
    #expect(vs.persistenceGranularity?.description == "255.255.255.0" && vs.protocol == .tcp)
    #expect(vs.sorryServer?.description == "10.0.0.99" && vs.sorryServerPort == 8080 && vs.sorryServerInhibit)
    #expect(vs.virtualhost == "www.example.com" && vs.alpha && vs.omega && vs.quorum == 2 && vs.hysteresis == 1)
    #expect(vs.quorumUp?.command == "/bin/up" && vs.quorumDown?.command == "/bin/down" && vs.haSuspend && vs.ops)
    let rs = try #require(vs.realServers.first)
    #expect(rs.weight == 3 && rs.inhibitOnFailure && rs.upperThreshold == 100 && rs.lowerThreshold == 10)
    #expect(rs.lbKind == .dr && rs.notifyUp != nil && rs.notifyDown != nil)
    #expect(rs.checkers.map(\.kind) == [.tcp, .http, .ssl, .misc, .smtp, .dns, .udp, .ping, .file])
    let tcp = rs.checkers[0]
    #expect(tcp.connection.connectPort == 81 && tcp.connection.connectTimeout == .seconds(2) && tcp.retry == 1 && tcp.delayLoop == .seconds(6))
    #expect(tcp.settings == .tcp)
    let http = rs.checkers[1]
    guard case .http(let h) = http.settings else { Issue.record("expected HTTP_GET settings"); return }
    #expect(h.urls.first?.path == "/health" && h.urls.first?.digest == "9b3a0c85a887a256d6939da88aabd8cd")
    #expect(h.urls.first?.statusCodes == [StatusCodeRange(200, 200), StatusCodeRange(300, 399)])
    #expect(http.connection.connectIP?.description == "10.0.0.3" && http.connection.bindTo?.description == "10.0.0.1" && http.connection.bindPort == 5555)
    #expect(http.retry == 4 && http.delayBeforeRetry == .seconds(2) && http.warmup == .seconds(1) && h.virtualhost == "www.example.com")
    guard case .ssl(_, let enableSNI) = rs.checkers[2].settings else { Issue.record("expected SSL_GET settings"); return }
    #expect(enableSNI && rs.checkers[2].delayBeforeRetry == .seconds(3))
    guard case .misc(let misc) = rs.checkers[3].settings else { Issue.record("expected MISC_CHECK settings"); return }
    #expect(misc.path == "/bin/check 10.0.0.2" && misc.dynamic && rs.checkers[3].retry == 0)
    #expect(rs.checkers[4].settings == .smtp(SMTPCheckerSettings(heloName: "me")))
    #expect(rs.checkers[5].settings == .dns(DNSCheckerSettings(type: "A", name: "example.com")) && rs.checkers[5].retry == 3)
    #expect(rs.checkers[6].settings == .udp(UDPCheckerSettings(payload: HexPattern(bytes: [0x00, 0xff]),
                                                               requireReply: HexPattern(bytes: []))))
    #expect(rs.checkers[7].settings == .ping)
    #expect(rs.checkers[8].settings == .file(FileCheckerSettings(trackFile: "tf", weight: 5)))
}

@Test("Timers are inherited virtual_server → real_server → checker")
func timerInheritance() throws {
    let r = parse("virtual_server 10.0.0.1 80 {\n delay_loop 7\n connect_timeout 9\n real_server 10.0.0.2 80 {\n  retry 4\n  TCP_CHECK {\n  }\n }\n}\n")
    #expect(r.errors.isEmpty, "\(r.rendered())")
    let c = try #require(r.config.virtualServers.first?.realServers.first?.checkers.first)
    #expect(c.delayLoop == .seconds(7) && c.connection.connectTimeout == .seconds(9) && c.retry == 4 && c.delayBeforeRetry == .seconds(1))
}

@Test("virtual_server fwmark and group forms, and virtual_server_group entries")
func virtualServerForms() {
    let r = parse("virtual_server_group G {\n 10.0.0.1-10 80\n fwmark 7\n}\nvirtual_server group G {\n real_server 10.0.0.2 80 {\n }\n}\nvirtual_server fwmark 5 {\n real_server 10.0.0.3 80 {\n }\n}\n")
    #expect(r.errors.isEmpty, "\(r.rendered())")
    #expect(r.config.virtualServers.map(\.address) == [.group("G"), .fwmark(5)])
    #expect(r.config.virtualServerGroups.first?.entries == [
        .range(first: IPAddress("10.0.0.1")!, last: IPAddress("10.0.0.10")!, port: 80), .fwmark(7)])
}

@Test("Model round-trips through JSON")
func modelCodable() throws {
    let r = parse(minimalInstance)
    let data = try JSONEncoder().encode(r.config)
    let back = try JSONDecoder().decode(KeepalivedConfig.self, from: data)
    #expect(back == r.config)
}
