import Testing
@testable import Config

@Test("Braces glued to a word are separate tokens")
func gluedBraces() {
    let r = lexLine("vrrp_instance VI_1{auth}")
    #expect(r.tokens.map(\.1) == ["vrrp_instance", "VI_1", "{", "auth", "}"])
    #expect(r.tokens.map(\.0) == [.word, .word, .open, .word, .close])
}

@Test("Hash and bang start comments outside quotes")
func comments() {
    #expect(lexLine("priority 100 # the master").tokens.map(\.1) == ["priority", "100"])
    #expect(lexLine("priority 100 ! the master").tokens.map(\.1) == ["priority", "100"])
    #expect(lexLine("! whole line").tokens.isEmpty)
}

@Test("The classic maintenance script comes through as one quoted token")
func quotedScriptIntact() {
    let r = lexLine(#"script "[[ -f /etc/keepalived/down ]] && exit 1 || exit 0""#)
    #expect(r.tokens.count == 2)
    #expect(r.tokens[1].0 == .quoted)
    #expect(r.tokens[1].1 == "[[ -f /etc/keepalived/down ]] && exit 1 || exit 0")
}

@Test("Hash inside quotes is not a comment")
func hashInQuotes() {
    #expect(lexLine(#"script "echo #1""#).tokens.map(\.1) == ["script", "echo #1"])
}

@Test("Columns are 1-based byte offsets")
func columns() {
    #expect(lexLine("  priority\t100").tokens.map(\.2) == [3, 12])
}

@Test("An unterminated quote is reported at the quote's column")
func unterminatedQuote() {
    let r = lexLine(#"script "echo hi"#)
    #expect(r.problems == [.unterminatedQuote(column: 8)])
}

@Test("A control byte is reported once per line")
func controlByte() {
    let r = lexLine("a\u{01}b\u{02}")
    #expect(r.problems == [.controlByte(column: 2, byte: 1)])
    #expect(r.tokens.map(\.1) == ["a", "b"])
}

@Test("A one-line authentication block splits at the next keyword")
func oneLineBlock() {
    let r = parse("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n authentication { auth_type PASS auth_pass secret }\n virtual_ipaddress { 10.0.0.1 }\n}\n")
    #expect(r.errors.isEmpty, "\(r.rendered())")
    #expect(r.config.vrrpInstances.first?.authentication?.password == "secret")
}

@Test("A block brace on its own line opens the block")
func braceOnOwnLine() {
    let r = parse("global_defs\n{\n router_id x\n}\n")
    #expect(r.errors.isEmpty, "\(r.rendered())")
    #expect(r.config.globalDefs.routerID == "x")
}

@Test("\\# and \\! outside quotes are literal characters, not comments")
func escapedCommentCharacters() {
    // keepalived 2.2.7: `hash\#x` is the word hash#x, `q\!y` is q!y.
    #expect(lexLine(##"hash\#x q\!y # gone"##).tokens.map(\.1) == ["hash#x", "q!y"])
}

@Test("A double quote ends a word, as in keepalived")
func quoteEndsWord() {
    // keepalived 2.2.7: `ab"cd ef" x` reads the keyword ab.
    let r = lexLine(#"ab"cd ef" x"#)
    #expect(r.tokens.map(\.1) == ["ab", "cd ef", "x"])
    #expect(r.tokens.map(\.0) == [.word, .quoted, .word])
}

@Test("quotedWords splits a script command on blanks outside single or double quotes and decodes escapes")
func quotedWordsEscapes() throws {
    #expect(try LineLexer.quotedWords(#"/bin/x 'a b' "c d"e f\ g"#) == ["/bin/x", "a b", "c de", "f g"])
    #expect(try LineLexer.quotedWords(#"p \x41\101\cA\t\q"#) == ["p", "AA\u{01}\tq"])
    #expect(try LineLexer.quotedWords(#"p \t\'"#, escapes: false) == ["p", #"\t\'"#])
    #expect(throws: LineLexer.QuotedWordsError.unterminatedQuote("'")) { try LineLexer.quotedWords("a 'b") }
    #expect(throws: LineLexer.QuotedWordsError.trailingBackslash) { try LineLexer.quotedWords("a \\") }
}
