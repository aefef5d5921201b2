import Foundation
import Testing
@testable import Config

@Suite("The keyword table")
struct KeywordTableTests {
    @Test("A keyword that is parsed but not acted on yet is a warning at its column, and its value is still read")
    func pendingKeywordWarns() {
        let r = parse("global_defs {\n  vrrp_strict\n  vrrp_mcast_group4 224.0.0.19\n}\n")
        #expect(positions(r, .unsupportedKeyword) == ["2:3", "3:3"])
        #expect(r.errors.isEmpty)
        #expect(r.config.globalDefs.vrrpStrict == true)
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

    @Test("nb_get_retry is retry in HTTP_GET, as in keepalived")
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
        #expect(r.diagnostics.filter { $0.severity != .note }.isEmpty)
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
        #expect(r.diagnostics.count == 2)
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
