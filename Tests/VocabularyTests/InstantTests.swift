import Testing
import Vocabulary

@Suite("Instant and IDs")
struct InstantTests {
    @Test("Instants add durations, saturate instead of wrapping, and subtract to durations")
    func arithmetic() {
        let t = Instant.seconds(2)
        #expect(t + .milliseconds(500) == .milliseconds(2500))
        #expect((t + .milliseconds(500)) - t == .milliseconds(500))
        #expect(t - .seconds(1) == .seconds(1))
        #expect(Instant(nanoseconds: .max - 1) + .seconds(10) == Instant(nanoseconds: .max))
        #expect(Duration.seconds(Int64.max).nanoseconds == .max)
    }

    @Test("Configured seconds become durations clamped to 0 … limit")
    func clampedSeconds() {
        #expect(Duration.clampedSeconds(0.1) == .milliseconds(100))
        #expect(Duration.clampedSeconds(-3) == .zero)
        #expect(Duration.clampedSeconds(.nan) == .zero)
        #expect(Duration.clampedSeconds(1e12, limit: 86_400) == .seconds(86_400))
    }

    @Test("A virtual server's name carries its protocol unless TCP, so TCP and UDP on one port are two servers")
    func virtualServerIDs() throws {
        let ip = try #require(IPAddress("10.0.0.1"))
        let tcp = VirtualServerID(.ip(ip, port: 53))
        let udp = VirtualServerID(.ip(ip, port: 53), transport: .udp)
        #expect(tcp != udp)
        #expect(tcp.description == "10.0.0.1:53" && udp.description == "10.0.0.1:53/udp")
        #expect(VirtualServerID(.fwmark(7)).description == "fwmark 7")
        #expect(VirtualServerID(.group("web")).description == "group web")
        let rs = RealServerID(virtualServer: udp, address: try #require(IPAddress("::1")), port: 53)
        #expect(rs.description == "[::1]:53")
    }
}
