import Testing
@testable import Config

@Test("An unterminated quote is an error, not a crash")
func malformedUnterminatedQuote() {
    let r = parse("vrrp_script s {\n script \"/bin/true\n}\n")
    #expect(positions(r, .lexical) == ["2:9"])
}

@Test("An unclosed block is an error at its opening brace")
func malformedUnclosed() {
    let r = parse("global_defs {\n router_id x\n")
    #expect(positions(r, .syntax) == ["1:13"])
}

@Test("A stray closing brace is an error")
func malformedStrayClose() {
    let r = parse("global_defs {\n}\n}\n")
    #expect(positions(r, .syntax) == ["3:1"])
}

@Test("Binary garbage produces errors, never a crash")
func malformedBinary() {
    var bytes: [UInt8] = []
    var x: UInt32 = 12345
    for _ in 0..<100_000 {
        x = x &* 1_103_515_245 &+ 12345
        bytes.append(UInt8(truncatingIfNeeded: x >> 16))
    }
    let r = ConfigLoader.parse(bytes: bytes)
    #expect(!r.isValid)
    #expect(r.diagnostics.count <= DiagnosticSink.limit + 1)
    _ = r.rendered()
}

@Test("A 10 MB line is an error in linear time")
func malformedHugeLine() {
    let line = String(repeating: "a", count: 10 * 1024 * 1024)
    let r = parse(line + " {\n}\n")
    #expect(positions(r, .unknownKeyword) == ["1:1"])
    #expect(r.rendered().utf8.count < 2000)
}

@Test("Deep nesting of unknown blocks does not overflow the stack")
func malformedDeepNesting() {
    let r = parse(String(repeating: "x {\n", count: 100_000))
    #expect(!r.isValid)
}

@Test("Deep nesting of known blocks does not overflow the stack")
func malformedDeepKnownNesting() {
    let r = parse(String(repeating: "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n", count: 20_000))
    #expect(!r.isValid)
}

@Test("A self-doubling macro stops at the expansion limit instead of hanging")
func malformedMacroBlowup() {
    let r = parse("$A=$A$A$A$A\nglobal_defs {\n router_id $A\n}\n")
    #expect(positions(r, .invalidValue) == ["3:12"])
}

@Test("A line whose macro expands to nothing inside a skipped block is not a crash (fuzzer finding)")
func malformedEmptyMacroLineInSkippedBlock() {
    // Found by `make fuzz-config`: an unknown keyword's block is skipped line by line, and a line made only of
    // `$Y` (defined empty) has no tokens; the parser indexed into it.
    let r = parse("$Y=\nbogus_block {\n$Y\n}\nglobal_defs {\n router_id x\n}\n")
    #expect(!r.isValid)
    #expect(r.config.globalDefs.routerID == "x")
}

@Test("lvs_sync_daemon options are checked: id out of range, an unknown option and a bad group are errors at their word")
func lvsSyncDaemonOptions() {
    let instance = "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 100\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n"
    let good = parse("global_defs {\n lvs_sync_daemon eth0 VI_1 id 51 maxlen 1400 port 8848 ttl 1 group 224.0.0.81\n}\n" + instance)
    #expect(good.isValid, "\(good.rendered())")
    let badID = parse("global_defs {\n lvs_sync_daemon eth0 VI_1 id 300\n}\n" + instance)
    #expect(positions(badID, .outOfRange) == ["2:31"])
    let unknown = parse("global_defs {\n lvs_sync_daemon eth0 VI_1 speed 9\n}\n" + instance)
    #expect(positions(unknown, .invalidValue) == ["2:28"])
    let group = parse("global_defs {\n lvs_sync_daemon eth0 VI_1 group nowhere\n}\n" + instance)
    #expect(positions(group, .invalidValue) == ["2:34"])
}
