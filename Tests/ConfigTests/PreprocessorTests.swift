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

@Test("A bare $NAME followed by a quote is not a reference, as in keepalived (write ${NAME})")
func macroNotBeforeQuote() {
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

// MARK: keepalived's preprocessor, driven line by line

/// The lines of tokens (joined by one space) the reader yields for `text` read as `/k/t.conf`, with its diagnostics.
func preprocess(_ text: String, files: [String: String] = [:], configID: String = "main",
                environment: [String: String] = [:], lineLimit: Int? = nil) -> (lines: [String], diagnostics: [Diagnostic]) {
    var reader = SourceReader(fileSystem: MemoryFileSystem(files), configID: configID, sink: DiagnosticSink())
    reader.environment = { environment[$0] }
    reader.workingDirectory = "/run"
    reader.randomState = 42
    if let lineLimit { reader.generatedLineLimit = lineLimit }
    reader.readText(Array(text.utf8), path: "/k/t.conf", chain: ["/k/t.conf"])
    var out: [Token] = []
    var lines: [String] = []
    while reader.nextLine(into: &out) { lines.append(out.map(\.text).joined(separator: " ")) }
    return (lines, reader.sink.finish())
}

@Test("A multi-line definition expands to several lines, each preprocessed again (@ID, $NAME) at its use")
func multilineDefinition() {
    // keepalived 2.2.7 -i main on the same text: line1_foo, cond_main, last_foo, all reported at the $M line.
    let text = "$A=foo # comment\n$M= \\\n  line1_$A \\\n  @main  cond_main \\\n  @^main cond_notmain \\\n  last_${A}\n$M\n"
    let r = preprocess(text)
    #expect(r.lines == ["line1_foo", "cond_main", "last_foo"])
}

@Test("An empty line ends a multi-line definition; a comment line inside it does not")
func multilineDefinitionEnds() {
    // keepalived 2.2.7: `$N=a \` then an empty line: `n_after` is a line of its own.
    #expect(preprocess("$N=a \\\n\nn_after\n$N\n").lines == ["n_after", "a"])
    #expect(preprocess("$N=a \\\n# note\n b\n$N\n").lines == ["a", "b"])
}

@Test("A multi-line definition used before the end of a line is left as written with a warning")
func multilineDefinitionNotAtEnd() {
    let r = preprocess("$M=a \\\nb\nx $M y\n")
    #expect(r.lines == ["x $M y"])
    #expect(r.diagnostics.contains { $0.kind == .undefinedMacro && $0.location?.column == 3 })
}

@Test("Multi-line definitions nest: one used inside another expands in place")
func multilineNested() {
    // keepalived 2.2.7 on the same shape: vs_0, real_server_0_1, inner_1, real_server_0_2, inner_2, vs_end.
    let text = "$RS= \\\nreal_server ${N} \\\nweight 1\n$VS= \\\nvs { \\\n$N=1 \\\n$RS \\\n$N=2 \\\n$RS \\\n}\n$VS\n"
    #expect(preprocess(text).lines == ["vs {", "real_server 1", "weight 1", "real_server 2", "weight 1", "}"])
}

@Test("~SEQ repeats the rest of the line with $var from start by step to end")
func sequenceBasic() {
    // keepalived 2.2.7: seq_1 seq_2 seq_3; ~SEQx(H,9,3,15) gives hex_9 hex_c hex_f.
    #expect(preprocess("~SEQ(I,1,3) seq_$I\n").lines == ["seq_1", "seq_2", "seq_3"])
    #expect(preprocess("~SEQx(H, 9, 3, 15) hex_${H}\n").lines == ["hex_9", "hex_c", "hex_f"])
    #expect(preprocess("~SEQx(H, 0x90, 0x10, 0xc0) a:${H}\n").lines == ["a:90", "a:a0", "a:b0", "a:c0"])
}

@Test("~SEQ with one or two numbers takes keepalived's default start and step")
func sequenceDefaults() {
    // keepalived 2.2.7: ~SEQ(K,3) runs 3 times, ~SEQ(K,-2) twice (-1, -2).
    #expect(preprocess("~SEQ(K,3) d$K\n").lines == ["d1", "d2", "d3"])
    #expect(preprocess("~SEQ(K,-2) n$K\n").lines == ["n-1", "n-2"])
    #expect(preprocess("~SEQ(K,5,3) r$K\n").lines == ["r5", "r4", "r3"])
}

@Test("~SEQ lines nest (outer variable outermost) and take definitions as parameters")
func sequenceNested() {
    // keepalived 2.2.7: s_1.0 s_1.1 s_2.0 s_2.1 for `~SEQ(A,1,$MAX) ~SEQ(B,0,1) s_${A}.${B}` with MAX=2.
    let r = preprocess("$MAX=2\n~SEQ(A,1,$MAX) ~SEQ(B,0,1) ${A}.${B}\n")
    #expect(r.lines == ["1.0", "1.1", "2.0", "2.1"])
}

@Test("A definition whose value is a ~SEQ line expands into the sequence")
func sequenceFromDefinition() {
    // keepalived 2.2.7: `$S=~SEQ(J,1,2) sj_$J` then `$S` gives sj_1 and sj_2.
    #expect(preprocess("$S=~SEQ(J,1,2) sj_$J\n$S\n").lines == ["sj_1", "sj_2"])
}

@Test("~LST sets one or several variables per value set; missing values are empty")
func listBlocks() {
    // keepalived 2.2.7: ~LST({P,Q},{1,2},{3}) lst_${P}_${Q} gives lst_1_2 and lst_3_.
    #expect(preprocess("~LST({P,Q},{1,2},{3}) lst_${P}_${Q}\n").lines == ["lst_1_2", "lst_3_"])
    // keepalived 2.2.7: l_1a l_1b l_2a l_2b for `~LST(IP, 1, 2) ~LST(X, a,b) l_${IP}${X}`.
    #expect(preprocess("~LST(IP, 1, 2) ~LST(X, a,b) ${IP}${X}\n").lines == ["1a", "1b", "2a", "2b"])
}

@Test("Substitution happens inside double quotes too")
func macroInsideQuotes() {
    let r = parse("$X=1\nvrrp_script s {\n script \"echo ${X} $X \"\n}\n")
    #expect(r.config.vrrpScripts.first?.script == "echo 1 1 ")
}

@Test("A bare $NAME is a reference only before a blank, ',', ')' or the line end")
func macroBareTerminators() {
    // keepalived 2.2.7: `dot_$X.5` stays, `comma_$X,z` becomes comma_1,z.
    #expect(preprocess("$X=1\ndot_$X.5\ncomma_$X,z\n").lines == ["dot_$X.5", "comma_1,z"])
}

@Test("A token made by substitution is reported at its $")
func macroColumn() {
    let r = parse("$B=bogus_keyword\nglobal_defs {\n   $B 1\n}\n")
    #expect(positions(r, .unknownKeyword) == ["3:4"])
}

@Test("A substitution that makes an @ID line is examined again (keepalived's $IF_MAIN example)")
func macroMakesConditional() {
    #expect(preprocess("$IF_MAIN=@main\n$IF_MAIN ifmain\n", configID: "main").lines == ["ifmain"])
    #expect(preprocess("$IF_MAIN=@main\n$IF_MAIN ifmain\n", configID: "other").lines == [])
}

@Test("${_PWD} is the directory of the file being read")
func builtinPWD() {
    let r = preprocess("include sub/x.conf\npwd ${_PWD}\n", files: ["/k/sub/x.conf": "inc ${_PWD}\n"])
    #expect(r.lines == ["inc /k/sub", "pwd /k"])
}

@Test("${_INSTANCE} is the config-id")
func builtinInstance() {
    // keepalived 2.2.7 -i main: inst_main.
    #expect(preprocess("inst_${_INSTANCE}\n", configID: "main").lines == ["inst_main"])
}

@Test("${_RANDOM} is in 0…32767, ${_RANDOM MIN MAX} in [MIN, MAX]; MIN above MAX is an error")
func builtinRandom() {
    // keepalived 2.2.7: rnd_${_RANDOM 5 7} gave rnd_5; ${_RANDOM} a number below 32768.
    let r = preprocess("~SEQ(I,1,50) ${_RANDOM 5 7} ${_RANDOM}\n")
    #expect(r.lines.count == 50)
    for line in r.lines {
        let parts = line.split(separator: " ").compactMap { Int($0) }
        #expect(parts.count == 2)
        #expect((5...7).contains(parts[0]) && (0...32767).contains(parts[1]))
    }
    let bad = preprocess("x ${_RANDOM 9 3}\n")
    #expect(bad.lines == ["x 9"])
    #expect(bad.diagnostics.contains { $0.kind == .invalidValue && $0.severity == .error })
    // Not numeric: left as written, and then split at its braces (keepalived 2.2.7 splits `${_ENV HOME}` alike).
    #expect(preprocess("x ${_RANDOM a}\n").lines == ["x $ { _RANDOM a }"])
}

@Test("${_ENV NAME} is the environment variable (keepalived 2.4), empty when unset")
func builtinEnv() {
    let r = preprocess("a ${_ENV HOME}b\nc ${_ENV NOPE}d\n", environment: ["HOME": "/root"])
    #expect(r.lines == ["a /rootb", "c d"])
}

@Test("${_HASH} and ${_BANG} are # and !: inside quotes they stay, outside they start a comment")
func builtinHashBang() {
    // keepalived 2.2.7: `x_${_HASH}y` is the word x_ (the # starts a comment), `bang_${_BANG}z` is bang_.
    let r = parse("vrrp_script s {\n script \"echo ${_HASH}${_BANG}\"\n}\n")
    #expect(r.config.vrrpScripts.first?.script == "echo #!")
    #expect(preprocess("x_${_HASH}y\nbang_${_BANG}z\n").lines == ["x_", "bang_"])
}

@Test("A user definition overrides a built-in")
func builtinOverride() {
    #expect(preprocess("$_HASH=H\nx${_HASH}\n").lines == ["xH"])
}

@Test("includew makes a glob that matches nothing an error; include only warns")
func includeVariantsWildcard() {
    let plain = preprocess("include none/*.conf\n").diagnostics.filter { $0.kind == .include }
    #expect(plain.map(\.severity) == [.warning])
    let strict = preprocess("includew none/*.conf\n").diagnostics.filter { $0.kind == .include }
    #expect(strict.map(\.severity) == [.error])
    #expect(preprocess("includer none/*.conf\n").diagnostics.filter { $0.kind == .include }.map(\.severity) == [.warning])
}

@Test("{a,b} alternatives in an include pattern are read in order; includeb makes a missing one an error")
func includeBraces() {
    let files = ["/k/d/a.conf": "from_a\n", "/k/d/b.conf": "from_b\n"]
    #expect(preprocess("include d/{b,a}.conf\n", files: files).lines == ["from_b", "from_a"])
    let plain = preprocess("include d/{a,zz}.conf\n", files: files)
    #expect(plain.lines == ["from_a"])
    #expect(plain.diagnostics.filter { $0.kind == .include }.map(\.severity) == [.warning])
    let strict = preprocess("includeb d/{a,zz}.conf\n", files: files)
    #expect(strict.diagnostics.filter { $0.kind == .include }.map(\.severity) == [.error])
}

@Test("Brace alternatives nest and a lone brace stays literal")
func braceAlternatives() {
    #expect(SourceReader.braceAlternatives("x{a,b{1,2}}y") == ["xay", "xb1y", "xb2y"])
    #expect(SourceReader.braceAlternatives("x{a}y") == ["x{a}y"])
    #expect(SourceReader.braceAlternatives("{,c}z") == ["z", "cz"])
    #expect(SourceReader.braceAlternatives("{x{a,b}}") == ["{xa}", "{xb}"])
}
