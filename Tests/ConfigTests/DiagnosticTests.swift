import Foundation
import Testing
@testable import Config

@Test("A typo is an error with a did-you-mean at its position")
func typoDidYouMean() {
    let r = parse("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n  weigth 2\n }\n}\n")
    let d = diagnostics(r, .unknownKeyword)
    #expect(positions(r, .unknownKeyword) == ["3:3"])
    #expect(d.first?.severity == .error)
    #expect(d.first?.message.contains("did you mean 'weight'?") == true)
}

@Test("A checker typo is an error, not silently ignored")
func checkerTypo() {
    let r = parse("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n  TCP_CHECK {\n   delay_befor_retry 3\n  }\n }\n}\n")
    #expect(positions(r, .unknownKeyword) == ["4:4"])
    #expect(diagnostics(r, .unknownKeyword).first?.message.contains("delay_before_retry") == true)
}

@Test("A keepalived keyword Vigil does not implement is a warning naming it")
func unsupportedKeyword() {
    let r = parse("global_defs {\n  enable_snmp_vrrp\n}\ntrack_group G1 {\n group {\n  VI_1\n }\n}\n")
    #expect(positions(r, .ignoredKeyword) == ["2:3"])
    #expect(positions(r, .unsupportedKeyword) == ["4:1"])
    #expect(r.errors.isEmpty)
    #expect(diagnostics(r, .ignoredKeyword).first?.message.contains("enable_snmp_vrrp") == true)
    #expect(diagnostics(r, .unsupportedKeyword).first?.message.contains("not implemented yet") == true)
}

@Test("A VRID outside 1–255 is an error at the value")
func vridRange() {
    let r = parse(minimalInstance.replacingOccurrences(of: "virtual_router_id 51", with: "virtual_router_id 256"))
    #expect(positions(r, .outOfRange) == ["3:23"])
}

@Test("Priority 0 is out of range; 255 is a warning about address ownership")
func priorityRange() {
    let r0 = parse(minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    priority 0"))
    #expect(positions(r0, .outOfRange) == ["3:14"])
    let r255 = parse(minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    priority 255"))
    #expect(positions(r255, .suspicious) == ["3:14"])
    #expect(r255.errors.isEmpty)
}

@Test("advert_int ranges depend on the VRRP version")
func advertIntPerVersion() {
    let v2 = parse(minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    advert_int 0.5"))
    #expect(positions(v2, .keepalivedIgnores) == ["1:1"])  // rounded up to 1 s, as keepalived does
    #expect(v2.errors.isEmpty)
    let v2big = parse(minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    advert_int 256"))
    #expect(positions(v2big, .outOfRange) == ["3:16"])
    let v3 = parse(minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    version 3\n    advert_int 0.5"))
    #expect(v3.errors.isEmpty, "\(v3.rendered())")
    let v3big = parse(minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n    version 3\n    advert_int 41"))
    #expect(positions(v3big, .outOfRange) == ["1:1"])
}

@Test("auth_pass longer than 8 characters is a truncation warning")
func authPassTruncated() {
    let r = parse(minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n authentication {\n  auth_type PASS\n  auth_pass 123456789\n }"))
    #expect(positions(r, .truncatedPassword) == ["5:13"])
    #expect(r.config.vrrpInstances.first?.authentication?.effectivePassword == "12345678")
}

@Test("The same VRID twice on one interface is an error pointing at both")
func duplicateVRID() {
    let second = minimalInstance.replacingOccurrences(of: "VI_1", with: "VI_2").replacingOccurrences(of: "192.168.0.80", with: "192.168.0.81")
    let r = parse(minimalInstance + "\n" + second)
    let d = diagnostics(r, .duplicateVRID)
    #expect(positions(r, .duplicateVRID) == ["10:23"])
    #expect(d.first?.related.first?.location.line == 3)
}

@Test("A VIP in two instances is a warning, as keepalived's (the configuration loads)")
func duplicateVIP() {
    let second = minimalInstance.replacingOccurrences(of: "VI_1", with: "VI_2").replacingOccurrences(of: "51", with: "52")
    let r = parse(minimalInstance + "\n" + second)
    #expect(positions(r, .duplicateVIP) == ["12:9"])
    #expect(r.isValid && r.diagnostics.first(where: { $0.kind == .duplicateVIP })?.severity == .warning)
}

@Test("Unknown lb_algo and lb_kind are errors at the value")
func unknownLBValues() {
    let r = parse("virtual_server 10.0.0.1 80 {\n lb_algo rrr\n lb_kind NATT\n real_server 10.0.0.2 80 {\n }\n}\n")
    #expect(positions(r, .invalidValue) == ["2:10", "3:10"])
}

@Test("Invalid addresses and ports are errors at the value")
func invalidAddressAndPort() {
    let r = parse("virtual_server 10.0.0.300 80 {\n}\nvirtual_server 10.0.0.1 70000 {\n}\n")
    #expect(positions(r, .invalidValue) == ["1:16"])
    #expect(positions(r, .outOfRange) == ["3:25"])
}

@Test("track_script naming no vrrp_script is an error at the entry")
func undefinedTrackScript() {
    let r = parse(minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n track_script {\n   nope\n }"))
    #expect(positions(r, .undefinedReference) == ["4:4"])
}

@Test("A script in shell syntax is a warning")
func shellSyntaxScript() {
    let r = parse("vrrp_script chk {\n  script \"[[ -f /etc/keepalived/down ]] && exit 1 || exit 0\"\n}\n")
    #expect(positions(r, .shellSyntax) == ["2:10"])
    #expect(r.errors.isEmpty)
    let ok = parse("vrrp_script chk {\n  script \"/bin/bash -c '[[ -f /x ]] && exit 1 || exit 0'\"\n}\n")
    #expect(diagnostics(ok, .shellSyntax).isEmpty)
}

@Test("A sync group naming no instance is an error")
func syncGroupUndefined() {
    let r = parse("vrrp_sync_group G {\n group {\n  VI_9\n }\n}\n")
    #expect(positions(r, .undefinedReference) == ["3:3"])
}

@Test("Missing required values are errors at the keyword")
func missingValues() {
    let r = parse("vrrp_instance V {\n priority\n}\nvrrp_script s {\n}\n")
    #expect(positions(r, .missingValue) == ["2:2", "1:1", "1:1", "4:1"])
}

@Test("An extra word after a value keyword is ignored with a warning at its column, as keepalived ignores it")
func tooManyArguments() {
    let r = parse("global_defs {\n vrrp_version 3 4\n}\n")
    #expect(positions(r, .nonCanonicalForm) == ["2:17"])
    #expect(r.errors.isEmpty)
    #expect(r.config.globalDefs.vrrpVersion == 3)
}

@Test("Host facts are warnings only")
func hostFactsAreWarnings() {
    let fs = MemoryFileSystem(["/k.conf": minimalInstance.replacingOccurrences(of: "eth0", with: "nosuchif0")
                                + "\nvrrp_script s {\n script /no/such/script\n}\n"])
    let r = ConfigLoader.load(path: "/k.conf", configID: "", fileSystem: fs, hostChecks: true)
    #expect(positions(r, .hostFact) == ["1:1", "9:9"])
    #expect(r.errors.isEmpty)
}

@Test("Diagnostics render as file:line:col with the source line and a caret")
func rendering() {
    let r = parse("global_defs {\n  weigth 3\n}\n")
    #expect(r.rendered().hasPrefix("t.conf:2:3: error: unknown keyword 'weigth'; did you mean 'weight'?\n      weigth 3\n      ^\n"))
}

@Test("Every error is collected, not only the first")
func collectsAll() {
    let r = parse("global_defs {\n a1\n a2\n a3\n}\n")
    #expect(positions(r, .unknownKeyword) == ["2:2", "3:2", "4:2"])
}
