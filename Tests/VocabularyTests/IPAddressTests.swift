import Foundation
import Testing
import Vocabulary

@Suite("IP address: one type for every module")
struct IPAddressTests {
    @Test("Parses what inet_pton accepts and prints what inet_ntop prints",
          arguments: [("192.168.0.80", "192.168.0.80"), ("0.0.0.0", "0.0.0.0"), ("2001:DB8::1", "2001:db8::1"),
                      ("::ffff:10.0.0.1", "::ffff:10.0.0.1"), ("fe80:0:0:0:0:0:0:1", "fe80::1")])
    func roundTrip(text: String, printed: String) throws {
        let a = try #require(IPAddress(text))
        #expect(a.description == printed)
        #expect(IPAddress(bytes: a.bytes) == a)
    }

    @Test("Refuses what inet_pton refuses", arguments: ["", "1.2.3", "256.1.1.1", "01.2.3.4", "1.2.3.4.5", "[::1]",
                                                         "::1::", "host", "1.2.3.4/24", String(repeating: "1", count: 80)])
    func refuses(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test("Orders numerically, IPv4 before IPv6; the family carries the kernel's number")
    func order() throws {
        let a = try #require(IPAddress("10.0.0.2")), b = try #require(IPAddress("10.0.0.10"))
        let c = try #require(IPAddress("::1"))
        #expect(a < b && b < c)
        #expect(a.family == .inet && a.family.rawValue == 2 && c.family.rawValue == 10)
        #expect(IPAddress(family: .inet, bytes: c.bytes) == nil)
        #expect(c.withPort(443) == "[::1]:443" && a.withPort(80) == "10.0.0.2:80")
    }

    @Test("Encodes as its text, and a bad text does not decode")
    func codable() throws {
        let a = try #require(IPAddress("2001:db8::7"))
        let data = try JSONEncoder().encode([a])
        #expect(String(decoding: data, as: UTF8.self) == #"["2001:db8::7"]"#)
        #expect(try JSONDecoder().decode([IPAddress].self, from: data) == [a])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([IPAddress].self, from: Data(#"["x"]"#.utf8)) }
    }

    @Test("A prefix keeps its written length and refuses one past the family's")
    func prefix() throws {
        let p = try #require(IPPrefix("192.168.0.80/24"))
        #expect(p.prefixLength == 24 && p.description == "192.168.0.80/24")
        #expect(IPPrefix("10.0.0.1")?.effectivePrefixLength == 32)
        #expect(IPPrefix("::1")?.effectivePrefixLength == 128)
        #expect(IPPrefix("10.0.0.1/33") == nil && IPPrefix("10.0.0.1/x") == nil)
    }
}
