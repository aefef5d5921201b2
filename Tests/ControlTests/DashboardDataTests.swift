import Foundation
import Synchronization
import Testing
import Vocabulary
import TestSupport
@testable import HA
@testable import IPVS
@testable import Control

/// What the dashboard's pictures read: the peers in `/status`, the traffic in `/status`, the probes in `/probes`.
@Suite("Dashboard data: peers, traffic, probes")
struct DashboardDataTests {
    typealias F = StatusFixtures

    @Test("Peers: heard within three intervals a peer is the MASTER, at priority 0 leaving, later silent; lastHeard is the read time minus its age")
    func peers() throws {
        var b = F.book()
        let peer: IPAddress = "10.10.1.2", other: IPAddress = "10.10.1.3", gone: IPAddress = "10.10.1.4"
        b.runtimeRead(states: [:], counters: [:], peers: ["VI_1": [
            VRRPPeerReport(address: peer, priority: 200, interval: .seconds(1), age: .milliseconds(500), adverts: 12),
            VRRPPeerReport(address: other, priority: 0, interval: .seconds(1), age: .seconds(1), adverts: 3),
            VRRPPeerReport(address: gone, priority: 120, interval: .seconds(1), age: .seconds(4), adverts: 40),
        ]], now: F.at(10))
        let peers = try #require(b.snapshot(now: F.at(11)).instances.first?.peers)
        #expect(peers.map(\.role) == ["MASTER", "leaving", "silent"])
        #expect(peers[0] == PeerStatus(address: "10.10.1.2", priority: 200, role: "MASTER", lastHeard: F.at(9.5),
                                       advertIntervalSeconds: 1, adverts: 12))
        // Not asked yet: no list (nil), not an empty one.
        #expect(F.book().snapshot(now: F.at(1)).instances.first?.peers == nil)
    }

    @Test("Traffic: the kernel's rates and connection counts per service and real server")
    func traffic() {
        var web = IPVSServiceStatus(service: IPVSService(key: .address(.tcp, F.vip, port: 80)), stats: IPVSStats(),
                                    destinations: IPVSTrafficMetricsTests.services()[0].destinations)
        web.stats.connectionsPerSecond = 12
        web.stats.bytesInPerSecond = 5300
        web.stats.bytesOutPerSecond = 81000
        let t = ServiceTraffic(kernel: web)
        #expect(t.service == "TCP 10.10.1.100:80")
        #expect(t.connectionsPerSecond == 12 && t.bytesInPerSecond == 5300 && t.bytesOutPerSecond == 81000)
        #expect(t.activeConnections == 3 && t.inactiveConnections == 5)
        #expect(t.realServers.map(\.address) == ["10.10.2.21:8080", "10.10.2.22:8080"])
        #expect(t.realServers.map(\.weight) == [2, 0])
    }

    @Test("/status carries the traffic, read at most once a second however often it is asked")
    func trafficCached() async {
        let clock = Mutex(F.at(0))
        let recorder = StatusRecorder(instances: [F.instance()], virtualServers: [F.pool()],
                                      clock: { clock.withLock { $0 } }, ipvsWeight: { _ in 1 })
        #expect(await recorder.status().traffic == nil, "no reader: no traffic")
        let reads = Mutex(0)
        recorder.attach(trafficReader: {
            reads.withLock { $0 += 1 }
            return IPVSTraffic(totals: nil, services: IPVSTrafficMetricsTests.services())
        })
        let first = await recorder.status().traffic
        _ = await recorder.status()
        #expect(first?.count == 3)
        #expect(reads.withLock { $0 } == 1)
        clock.withLock { $0 = F.at(1.5) }
        _ = await recorder.status()
        #expect(reads.withLock { $0 } == 2)
    }

    @Test("/status and /probes JSON: peers and traffic keys as the page reads them; probes as [age, ms, up] arrays")
    func json() throws {
        var s = F.book().snapshot(now: F.at(3))
        s.instances[0].peers = [PeerStatus(address: "10.10.1.2", priority: 200, role: "MASTER", lastHeard: F.at(2),
                                           advertIntervalSeconds: 1, adverts: 4)]
        s.traffic = [ServiceTraffic(kernel: IPVSTrafficMetricsTests.services()[0])]
        let text = String(decoding: StatusJSON.encode(s, pretty: false), as: UTF8.self)
        for key in ["\"peers\":[{", "\"role\":\"MASTER\"", "\"lastHeard\":", "\"advertIntervalSeconds\":1",
                    "\"traffic\":[{", "\"connectionsPerSecond\":", "\"bytesInPerSecond\":", "\"activeConnections\":3"] {
            #expect(text.contains(key), "\(key)")
        }
        let back = try StatusJSON.decoder().decode(VigilStatus.self, from: StatusJSON.encode(s))
        #expect(back == s)
        let probes = ProbeHistoryStatus(generatedAt: F.at(3), realServers: [
            RealServerProbes(virtualServer: "10.10.1.100:80", realServer: "10.10.2.21:8080", probes: [[2, 0.25, 1], [1, 1000, 0]])])
        #expect(String(decoding: StatusJSON.encode(probes, pretty: false), as: UTF8.self).contains("\"probes\":[[2,0.25,1],[1,1000,0]]"))
    }

    @Test("The page's colours are the ones it draws with, each distinct")
    func colors() {
        let html = DashboardPage.html
        #expect(html.contains("const COLORS = {"))
        #expect(!html.contains("__COLORS__"))
        for (_, c) in DashboardPage.colors { #expect(html.contains("\"\(c)\"")) }
        #expect(Set(DashboardPage.colors.values).count == DashboardPage.colors.count)
        for id in ["timeline", "peers", "health", "traffic", "routes", "instances", "pools", "events"] {
            #expect(html.contains("id=\"\(id)\""))
        }
    }
}
