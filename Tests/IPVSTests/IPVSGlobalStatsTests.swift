import Foundation
import Testing

@testable import IPVS

@Suite("IPVS totals from /proc/net/ip_vs_stats")
struct IPVSGlobalStatsTests {
    /// The kernel's layout (net/netfilter/ipvs/ip_vs_ctl.c): hexadecimal totals, then hexadecimal rates.
    static let kernelText = """
           Total Incoming Outgoing         Incoming         Outgoing
           Conns  Packets  Packets            Bytes            Bytes
              2A      1F4        0           1E8480                0

         Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s
               1        A        0              3E8                0

        """

    @Test("the totals and the rates are read as hexadecimal numbers")
    func kernelLayout() throws {
        let s = try #require(IPVSGlobalStats.parse(Self.kernelText))
        #expect(s.connections == 42)
        #expect(s.packetsIn == 500)
        #expect(s.packetsOut == 0)
        #expect(s.bytesIn == 2_000_000)
        #expect(s.connectionsPerSecond == 1)
        #expect(s.packetsInPerSecond == 10)
        #expect(s.bytesInPerSecond == 1000)
    }

    @Test("a totals line that is missing, short, long, not hexadecimal or over 64 bits is no reading; bad rates are zero")
    func malformed() throws {
        let header = "   Total Incoming Outgoing Incoming Outgoing\n   Conns  Packets  Packets Bytes Bytes\n"
        for totals in ["", "1 2 3 4", "1 2 3 4 5 6", "1 2 3 4 G", "1 2 3 4 -5", "1 2 3 4 10000000000000000", "1 2 3 4 +5"] {
            #expect(IPVSGlobalStats.parse(header + totals + "\n") == nil, "\(totals)")
        }
        #expect(IPVSGlobalStats.parse("") == nil)
        #expect(IPVSGlobalStats.parse("\n\n") == nil)
        let noRates = try #require(IPVSGlobalStats.parse(header + "1 2 3 4 FFFFFFFFFFFFFFFF\n\nx\nnot rates\n"))
        #expect(noRates.bytesOut == UInt64.max)
        #expect(noRates.connectionsPerSecond == 0)
    }

    @Test("read() takes the file's text; a missing file is no reading")
    func read() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ip_vs_stats-\(getpid())").path
        try Self.kernelText.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(IPVSGlobalStats(path: path).read()?.connections == 42)
        #expect(IPVSGlobalStats(path: path + ".absent").read() == nil)
    }
}
