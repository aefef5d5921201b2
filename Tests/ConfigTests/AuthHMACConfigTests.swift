import Foundation
import Testing
@testable import Config

private let hexKey = "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
private let textKey = "0123456789abcdef0123456789abcdef"

/// `minimalInstance` with an `auth_hmac` block of `lines` after `interface eth0` (the block opens on line 3), the
/// files given, and `extra` lines in the instance after the block.
private func load(_ lines: [String], extra: [String] = [], globals: [String] = [], files: [String: String] = [:],
                  modes: [String: UInt32] = [:]) -> ConfigLoadResult {
    let block = ["interface eth0", "    auth_hmac {"] + lines.map { "        " + $0 } + ["    }"] + extra.map { "    " + $0 }
    let body = minimalInstance.replacingOccurrences(of: "interface eth0", with: block.joined(separator: "\n"))
    let g = globals.isEmpty ? "" : "\nglobal_defs {\n" + globals.map { "    " + $0 }.joined(separator: "\n") + "\n}\n"
    return ConfigLoader.parse(text: body + g, fileName: "t.conf", fileSystem: MemoryFileSystem(files, modes: modes))
}

@Suite("auth_hmac (keepalived 2.4.0)")
struct AuthHMACConfigTests {
    @Test("Keys inline as hex: or text, from a file:, with the defaults keepalived gives")
    func keys() throws {
        let r = load(["key 1 \(hexKey)", "key 2 \(textKey)", "key 3 file:/etc/vigil/k3", "active_key 2"],
                     files: ["/etc/vigil/k3": "hex:" + String(repeating: "ab", count: 40) + "\n"],
                     modes: ["/etc/vigil/k3": 0o600])
        #expect(r.errors.isEmpty && r.warnings.isEmpty)
        let h = try #require(r.config.vrrpInstances.first?.authHMAC)
        #expect(h.keys.map(\.id) == [1, 2, 3])
        #expect(h.keys[0].bytes == Array(0..<32))
        #expect(h.keys[1].bytes == Array(textKey.utf8))
        #expect(h.keys[2].bytes == [UInt8](repeating: 0xab, count: 40) && h.keys[2].file == "/etc/vigil/k3")
        #expect(h.activeKey == 2 && h.mode == .enforce && h.antiReplay == .time && h.timeWindow == nil)
        #expect(h.effectiveTimeWindow(advertInterval: .seconds(1)) == 5)
        #expect(h.effectiveTimeWindow(advertInterval: .seconds(3)) == 9)
        #expect(h.effectiveTimeWindow(advertInterval: .milliseconds(500)) == 5)
        #expect(h.effectiveTimeWindow(advertInterval: .seconds(200)) == 300)
    }

    @Test("mode, anti_replay and time_window as written; wrong words and ranges are errors at them")
    func options() throws {
        let r = load(["key 1 \(hexKey)", "active_key 1", "mode receive-only", "anti_replay monotonic", "time_window 30"])
        #expect(r.errors.isEmpty)
        let h = try #require(r.config.vrrpInstances.first?.authHMAC)
        #expect(h.mode == .receiveOnly && h.antiReplay == .monotonic && h.timeWindow == 30)
        let bad = load(["key 1 \(hexKey)", "active_key 1", "mode strict", "anti_replay clock", "time_window 301"])
        #expect(positions(bad, .invalidValue) == ["6:14", "7:21"])
        #expect(positions(bad, .outOfRange) == ["8:21"])
    }

    @Test("A short or long key, bad hex, a duplicate id, an id out of range: errors naming the instance")
    func badKeys() {
        let r = load(["key 1 short", "key 2 hex:zz" + String(repeating: "00", count: 32),
                      "key 3 " + String(repeating: "x", count: 65), "key 256 \(textKey)", "key 4 \(textKey)",
                      "key 4 \(textKey)", "active_key 4"])
        #expect(r.errors.count == 5)
        #expect(r.errors.allSatisfy { $0.message.contains("VI_1") || $0.message.contains("256") })
        #expect(positions(r, .outOfRange).contains("4:15"))
        #expect(positions(r, .duplicate) == ["9:9"])
    }

    @Test("A key file that cannot be read is an error; one readable by others a warning; a trailing line end is dropped")
    func keyFiles() throws {
        let missing = load(["key 1 file:/nope", "active_key 1"])
        // The key is not defined, so active_key names nothing: a second error, as keepalived gives.
        #expect(missing.errors.map(\.message).contains { $0.contains("'/nope' cannot be read") })
        #expect(missing.errors.count == 2)
        let open = load(["key 1 file:/k", "active_key 1"], files: ["/k": textKey + "\r\n"], modes: ["/k": 0o644])
        #expect(open.errors.isEmpty)
        #expect(open.warnings.count == 1 && open.warnings[0].message.contains("readable by group or others"))
        #expect(try #require(open.config.vrrpInstances.first?.authHMAC).keys[0].bytes == Array(textKey.utf8))
    }

    @Test("No active_key, or one naming no key: an error (keepalived runs without authentication)")
    func activeKey() {
        #expect(load(["key 1 \(hexKey)"]).errors.count == 1)
        let r = load(["key 1 \(hexKey)", "active_key 2"])
        #expect(r.errors.count == 1 && r.errors[0].message.contains("active_key 2 is not a defined key"))
    }

    @Test("With authentication, the authentication block goes; strict mode forces enforce")
    func completion() throws {
        let r = load(["key 1 \(hexKey)", "active_key 1", "mode permissive"],
                     extra: ["authentication {", "    auth_type PASS", "    auth_pass secret", "}"])
        #expect(r.errors.isEmpty)
        let v = try #require(r.config.vrrpInstances.first)
        #expect(v.authentication == nil && v.authHMAC?.mode == .permissive)
        #expect(r.warnings.contains { $0.message.contains("auth_hmac cannot be combined with authentication") })
        let strict = load(["key 1 \(hexKey)", "active_key 1", "mode permissive"], globals: ["vrrp_strict"])
        #expect(try #require(strict.config.vrrpInstances.first).authHMAC?.mode == .enforce)
        #expect(strict.warnings.contains { $0.message.contains("strict mode requires auth_hmac mode enforce") })
    }

    @Test("The model's JSON names each key's id, length and file, never the key")
    func jsonHidesKeys() throws {
        let r = load(["key 1 \(textKey)", "active_key 1"])
        let data = try JSONEncoder().encode(r.config)
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("\"bytes\"") && text.contains("\"length\":32"))
    }
}

@Suite("garp_group")
struct GARPGroupConfigTests {
    @Test("Intervals and interfaces as written; both forms read")
    func reads() throws {
        let r = parse("""
        garp_group {
            garp_interval 0.2
            gna_interval 0.05
            interface eth0
        }
        garp_group {
            garp_interval 0.5
            interfaces {
                eth1
                eth2
            }
        }
        """)
        #expect(r.errors.isEmpty && r.warnings.isEmpty)
        #expect(r.config.garpGroups.count == 2)
        #expect(r.config.garpGroups[0].garpInterval == .milliseconds(200))
        #expect(r.config.garpGroups[0].gnaInterval == .milliseconds(50) && r.config.garpGroups[0].interfaces == ["eth0"])
        #expect(r.config.garpGroups[1].gnaInterval == nil && r.config.garpGroups[1].interfaces == ["eth1", "eth2"])
    }

    @Test("An interface in two groups stays in the first; a group without an interval is dropped; a second is very large")
    func keepalivedRules() {
        let r = parse("""
        garp_group {
            garp_interval 0.1
            interface eth0
        }
        garp_group {
            garp_interval 2
            interface eth0
        }
        garp_group {
            interface eth1
        }
        """)
        #expect(r.config.garpGroups.count == 2)
        #expect(r.config.garpGroups[1].interfaces.isEmpty)
        #expect(positions(r, .keepalivedIgnores) == ["7:15", "9:1"])
        #expect(positions(r, .suspicious) == ["6:19"])
    }
}
