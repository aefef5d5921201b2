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
    #expect(r.diagnostics.count <= 2 * DiagnosticSink.limit + 3)
    _ = r.rendered()
}

@Test("After 1000 errors the reader stops and says so last; thousands of warnings neither stop it, nor hide an error, nor make a valid file invalid (fuzz finding)")
func errorLimitStopsReading() {
    // Found by `make fuzz-config-million` (a timeout): a ~SEQ of 64,654 generated lines, each an error.
    let bad = parse("~SEQ(I,1,5000) nonsense_$I\n")
    #expect(bad.errors.count == DiagnosticSink.limit + 1)
    #expect(bad.diagnostics.last?.message == "1000 errors: the rest of the configuration was not read")
    let warned = parse(String(repeating: "global_defs {\n  router_id x\n}\n", count: 1500)
                       + "vrrp_instance V {\n  interface eth0\n  virtual_router_id 300\n}\n")
    #expect(warned.warnings.count == DiagnosticSink.limit + 1)
    #expect(warned.warnings.last?.message.hasSuffix(" more warnings and notes not shown") == true)
    #expect(warned.errors.compactMap { $0.location.map { "\($0.line):\($0.column)" } } == ["4503:21"],
            "the error after 1500 warnings is found")
    #expect(parse(String(repeating: "global_defs {\n  router_id x\n}\n", count: 1500)).isValid)
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

@Test("A ~SEQ with a million steps is an error at its ~, and nothing is generated")
func malformedSequenceMillion() {
    let r = preprocess("  ~SEQ(I,1,1000000) x$I\n")
    #expect(r.lines.isEmpty)
    #expect(r.diagnostics.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0)" } == ["1:3"])
}

@Test("A ~SEQ step of 0 or of the wrong sign is an error, as in keepalived")
func malformedSequenceStep() {
    // keepalived 2.2.7: "Invalid ~SEQ values" for both.
    for text in ["~SEQ(K,1,0,3) zero\n", "~SEQ(K,3,1,1) wrong\n", "~SEQ(K,1,-1,3) wrong\n", "~SEQx(K,-3) neg\n",
                 "~SEQ(K 1) x\n", "~SEQ(K,1,2 x\n", "~SEQ(,1) x\n", "~LST(A) x\n", "~LST({A},{1,2}) x\n"] {
        let r = preprocess(text)
        #expect(r.lines.isEmpty, "\(text)")
        #expect(r.diagnostics.map(\.kind) == [.invalidValue], "\(text)")
    }
}

@Test("~SEQ bounds at the ends of Int neither trap nor run away")
func malformedSequenceExtremes() {
    let r = preprocess("~SEQ(I,9223372036854775806,1,99999999999999999999) x\n~SEQ(I,-9223372036854775808,9223372036854775807) y\n")
    #expect(r.lines == ["x", "x"])
    #expect(r.diagnostics.map(\.kind) == [.invalidValue])
}

@Test("A multi-line definition that uses itself stops at the nesting limit")
func malformedRecursiveMultiline() {
    let r = preprocess("$A= \\\nline \\\n$A\n$A\n")
    #expect(r.lines.count <= SourceReader.maxExpansionDepth + 1)
    #expect(r.diagnostics.contains { $0.kind == .invalidValue && $0.location?.line == 4 })
}

@Test("Mutually recursive definitions stop at the substitution limit")
func malformedMutualRecursion() {
    let r = preprocess("$A=$B\n$B=${A}\nx $A\n")
    #expect(r.lines == ["x $A"])
    #expect(r.diagnostics.map(\.kind) == [.invalidValue])
}

@Test("A ~SEQ that uses itself through a definition stops at the nesting limit")
func malformedRecursiveSequence() {
    let r = preprocess("$S=~SEQ(I,1,2) $S\n$S\n")
    #expect(r.lines.isEmpty)
    #expect(r.diagnostics.map(\.kind) == [.invalidValue])
}

@Test("Exponential fan-out of multi-line definitions stops at the generated-line limit")
func malformedExponentialMultiline() {
    var text = "$M0=x\n"
    for k in 1...30 { text += "$M\(k)= \\\n$M\(k - 1) \\\n$M\(k - 1)\n" }
    text += "$M30\n"
    let r = preprocess(text, lineLimit: 1000)
    #expect(r.lines.count <= 1000 + 1)   // the first line comes from the file line that used $M30
    #expect(r.diagnostics.filter { $0.kind == .invalidValue }.count == 1)
}

@Test("Nested ~SEQ lines whose product is huge stop at the generated-line limit")
func malformedNestedSequences() {
    let r = preprocess("~SEQ(A,1,60000) ~SEQ(B,1,60000) x\n", lineLimit: 5000)
    #expect(r.lines.count <= 5000)
    #expect(r.diagnostics.map(\.kind) == [.invalidValue])
}

@Test("A line with $ longer than the expansion limit is an error, not a copy of 10 MB")
func malformedHugeDollarLine() {
    let r = preprocess("$X=1\n" + String(repeating: "$X ", count: 4_000_000) + "\n")
    #expect(r.diagnostics.map(\.kind) == [.invalidValue])
    #expect(r.lines.count == 1)
}

@Test("A self-referencing definition used on 200 ~SEQ lines blows up once, then is refused at once (fuzz finding)")
func malformedRecursiveDefinitionRepeated() {
    // Found by `make fuzz-config-million` (a timeout): every generated line expanded $Y to the 64 KiB limit.
    let r = preprocess("$Y=a $Y\n~SEQ(I,1,200) x $Y\n")
    let messages = r.diagnostics.map(\.message)
    #expect(messages.count == 200)
    #expect(messages.first.map { $0.contains("more than") || $0.contains("exceeds") } == true, "\(messages.first ?? "")")
    #expect(messages.dropFirst().allSatisfy { $0.hasPrefix("'$Y' is not expanded: its expansion exceeded the limits at ") })
    let redefined = preprocess("$Y=a $Y\nx $Y\n$Y=b\nx $Y\n")
    #expect(redefined.diagnostics.count == 1, "a new definition is expanded again")
    #expect(redefined.lines.last?.contains("x b") == true, "\(redefined.lines)")
}

@Test("A definition longer than the expansion limit is an error")
func malformedHugeDefinition() {
    let one = preprocess("$X=" + String(repeating: "a", count: 70_000) + "\nx $X\n")
    #expect(one.diagnostics.map(\.kind) == [.invalidValue, .undefinedMacro])
    let multi = preprocess("$X= \\\n" + String(repeating: String(repeating: "a", count: 1000) + " \\\n", count: 70) + "end\nx\n")
    #expect(multi.diagnostics.map(\.kind) == [.invalidValue])
}

@Test("An include pattern with too many {a,b} alternatives is an error")
func malformedBraceExplosion() {
    let r = preprocess("include " + String(repeating: "{a,b}", count: 12) + "\n")
    #expect(r.diagnostics.map(\.kind) == [.include])
    // Many alternatives, each followed by thousands of unmatched braces: one linear pass per alternative.
    let pattern = String(repeating: "{a,b}", count: 7) + String(repeating: "{", count: 4000)
    #expect(SourceReader.braceAlternatives(pattern)?.count == 128)
}

@Test("Includes nested deeper than the limit are an error at the include that goes too deep")
func malformedDeepIncludes() {
    var files: [String: String] = [:]
    for k in 0..<100 { files["/k/f\(k).conf"] = "include f\(k + 1).conf\n" }
    let r = preprocess("include f0.conf\n", files: files)
    let errors = r.diagnostics.filter { $0.kind == .include }
    #expect(errors.count == 1)
    #expect(errors.first?.location?.file == "/k/f\(SourceReader.maxIncludeDepth - 2).conf")
}

@Test("A definition that includes the file using it is an include loop, not a hang")
func malformedIncludeThroughDefinition() {
    let r = preprocess("$I=include t2.conf\n$I\n", files: ["/k/t2.conf": "$I\n"])
    #expect(r.diagnostics.filter { $0.kind == .include }.count == 1)
}
