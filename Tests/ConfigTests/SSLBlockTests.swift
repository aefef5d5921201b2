import Testing
@testable import Config

/// The top-level `SSL` block as keepalived 2.2.7 reads it (check_parser.c): password, ca, certificate, key; a second
/// block replaces the first.
@Suite("SSL block")
struct SSLBlockTests {
    @Test("Every keyword is read")
    func reads() throws {
        let r = parse("SSL {\n  password s3cret\n  ca /etc/vigil/ca.pem\n  certificate /etc/vigil/c.pem\n  key /etc/vigil/k.pem\n}\n")
        #expect(r.errors.isEmpty && r.warnings.isEmpty, "\(r.rendered())")
        let s = try #require(r.config.ssl)
        #expect(s.password == "s3cret" && s.caFile == "/etc/vigil/ca.pem")
        #expect(s.certificateFile == "/etc/vigil/c.pem" && s.keyFile == "/etc/vigil/k.pem")
        #expect(s.location.line == 1)
    }

    @Test("No block: nil; an empty block: all nil")
    func absent() throws {
        #expect(parse("global_defs {\n}\n").config.ssl == nil)
        let empty = try #require(parse("SSL {\n}\n").config.ssl)
        #expect(empty.certificateFile == nil && empty.keyFile == nil)
    }

    @Test("A second block replaces the first, with a warning at it (keepalived: 'SSL context already specified')")
    func secondReplaces() throws {
        let r = parse("SSL {\n  certificate /a.pem\n  key /a.key\n}\nSSL {\n  certificate /b.pem\n  key /b.key\n}\n")
        #expect(r.warnings.count == 1)
        #expect(r.warnings.first?.location?.line == 5)
        #expect(try #require(r.config.ssl).certificateFile == "/b.pem")
    }

    @Test("A keyword without its value is an error at it (keepalived: 'SSL password missing')")
    func missingValue() {
        let r = parse("SSL {\n  password\n}\n")
        #expect(r.errors.count == 1)
        #expect(r.errors.first?.location?.line == 2)
    }

    @Test("A key without a certificate is warned about: no client certificate is presented")
    func keyWithoutCertificate() {
        #expect(parse("SSL {\n  key /k.pem\n}\n").warnings.count == 1)
    }
}
