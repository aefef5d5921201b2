import Foundation
import Testing
@testable import Config

@Test("An include glob is resolved relative to the including file")
func includeGlobRelative() {
    let fs = MemoryFileSystem([
        "/etc/k/main.conf": "include conf.d/*.conf\n",
        "/etc/k/conf.d/a.conf": "global_defs {\n router_id A\n}\n",
        "/etc/k/conf.d/b.conf": minimalInstance,
    ])
    let r = ConfigLoader.load(path: "/etc/k/main.conf", configID: "", fileSystem: fs)
    #expect(r.errors.isEmpty, "\(r.rendered())")
    #expect(r.config.globalDefs.routerID == "A")
    #expect(r.config.vrrpInstances.count == 1)
}

@Test("A diagnostic inside an included file names that file and line")
func includeDiagnosticPosition() {
    let fs = MemoryFileSystem(["/k/main.conf": "include inc.conf\n", "/k/inc.conf": "global_defs {\n  weigth 1\n}\n"])
    let r = ConfigLoader.load(path: "/k/main.conf", configID: "", fileSystem: fs)
    let d = diagnostics(r, .unknownKeyword).first
    #expect(d?.location == SourceLocation(file: "/k/inc.conf", line: 2, column: 3))
}

@Test("An include loop is an error naming the chain")
func includeLoop() {
    let fs = MemoryFileSystem(["/k/a.conf": "include b.conf\n", "/k/b.conf": "include a.conf\n"])
    let r = ConfigLoader.load(path: "/k/a.conf", configID: "", fileSystem: fs)
    let d = diagnostics(r, .include)
    #expect(d.count == 1)
    #expect(d.first?.message.contains("/k/a.conf -> /k/b.conf -> /k/a.conf") == true)
    #expect(d.first?.location == SourceLocation(file: "/k/b.conf", line: 1, column: 9))
}

@Test("A missing literal include is an error; an empty glob is a warning")
func includeMissing() {
    let r1 = parse("include nothere.conf\n")
    #expect(diagnostics(r1, .include).first?.severity == .error)
    let r2 = parse("include none/*.conf\n")
    #expect(diagnostics(r2, .include).first?.severity == .warning)
}

@Test("$NAME and ${NAME} are substituted")
func macroSubstitution() {
    let r = parse("$PRIO=150\n$NET=192.168.0\n" + minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n priority $PRIO")
        .replacingOccurrences(of: "192.168.0.80/24", with: "${NET}.80/24"))
    #expect(r.errors.isEmpty, "\(r.rendered())")
    #expect(r.config.vrrpInstances.first?.priority == 150)
    #expect(r.config.vrrpInstances.first?.virtualIPAddresses.first?.address.description == "192.168.0.80/24")
}

@Test("A macro is not substituted inside quotes")
func macroNotInQuotes() {
    let r = parse("$X=1\nvrrp_script s {\n script \"echo $X\"\n}\n")
    #expect(r.config.vrrpScripts.first?.script == "echo $X")
}

@Test("An undefined macro is a warning and stays literal")
func macroUndefined() {
    let r = parse("global_defs {\n router_id $NOPE\n}\n")
    #expect(positions(r, .undefinedMacro) == ["2:12"])
    #expect(r.config.globalDefs.routerID == "$NOPE")
}

@Test("@ID lines apply only when the config-id matches; @^ID lines only when it does not")
func conditionalLines() {
    let text = "global_defs {\n @main router_id main_router\n @backup router_id backup_router\n}\nvrrp_instance V {\n interface e\n virtual_router_id 1\n unicast_peer {\n  @^main 1.2.3.4\n  @^backup 1.2.3.5\n }\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n"
    let main = parse(text, configID: "main")
    #expect(main.config.globalDefs.routerID == "main_router")
    #expect(main.config.vrrpInstances.first?.unicastPeers.map(\.address.description) == ["1.2.3.5"])
    let other = parse(text, configID: "other")
    #expect(other.config.globalDefs.routerID == nil)
    #expect(other.config.vrrpInstances.first?.unicastPeers.count == 2)
}

@Test("A conditional definition applies only to its config-id")
func conditionalDefinition() {
    let text = "@main $P=240\n@backup $P=200\n" + minimalInstance.replacingOccurrences(of: "interface eth0", with: "interface eth0\n priority $P")
    #expect(parse(text, configID: "main").config.vrrpInstances.first?.priority == 240)
    #expect(parse(text, configID: "backup").config.vrrpInstances.first?.priority == 200)
}
