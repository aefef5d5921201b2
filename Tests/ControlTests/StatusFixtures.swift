import Foundation
import Testing
@testable import HA
import HealthCheck
import Vocabulary
import TestSupport
@testable import IPVS
@testable import Control

/// Shared inputs for the status tests: one instance VI_1 (priority 150, one VIP) and one virtual server with two
/// real servers, at fixed wall-clock instants.
enum StatusFixtures {
    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18T…Z, any fixed instant
    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    static let vip: IPAddress = "10.10.1.100"

    static func instance(name: String = "VI_1", priority: UInt8 = 150, tracks: [VRRPTrackReference] = []) -> VRRPInstanceSpec {
        VRRPInstanceSpec(
            configuration: VRRPInstanceConfiguration(name: name, vrid: 51, priority: priority, virtualAddresses: [vip],
                                                     primaryAddress: "10.10.1.1"),
            interface: "eth0", virtualAddresses: [VirtualAddress(address: vip)], trackScripts: tracks)
    }

    static let vs: VirtualServerID = "10.10.1.100:80"
    static let r1 = RealServerID(virtualServer: vs, address: "10.10.2.21", port: 8080)
    static let r2 = RealServerID(virtualServer: vs, address: "10.10.2.22", port: 8080)

    static func pool(alpha: Bool = false) -> VirtualServerHealth {
        VirtualServerHealth(id: vs, alpha: alpha, realServers: [
            RealServerTarget(key: r1, weight: 2, checkers: []),
            RealServerTarget(key: r2, weight: 1, checkers: []),
        ])
    }

    static func down(_ key: RealServerID, reason: String = "TCP_CHECK connect refused (2nd try)") -> HealthCheckEvent {
        .realServer(RealServerStateChange(key: key, state: RealServerState(alive: false, weight: 1, inhibitOnFailure: false),
                                          previous: RealServerState(alive: true, weight: 1, inhibitOnFailure: false),
                                          reason: reason))
    }

    static func up(_ key: RealServerID, weight: Int = 1) -> HealthCheckEvent {
        .realServer(RealServerStateChange(key: key, state: RealServerState(alive: true, weight: weight, inhibitOnFailure: false),
                                          previous: nil, reason: "TCP_CHECK connected"))
    }

    static let toMaster = VRRPEvent.transition(instance: "VI_1", from: .backup, to: .master,
                                               reason: .masterDownTimerExpired(lastAdvertAge: nil))
    static let toBackup = VRRPEvent.transition(instance: "VI_1", from: .initialize, to: .backup, reason: .startup)

    /// Stands for the Director's pool policy (`LVSTableBuilder.ipvsWeight`, tested in DirectorTests): Control
    /// cannot import the Director.
    static let ipvsWeight: @Sendable (RealServerState) -> Int? = { $0.alive ? $0.weight : ($0.inhibitOnFailure ? 0 : nil) }

    static func book(historyLimit: Int = 256) -> StatusBook {
        StatusBook(instances: [instance()], virtualServers: [pool()], pid: 4242, startedAt: t0, historyLimit: historyLimit,
                   ipvsWeight: ipvsWeight)
    }

    static let serviceKey = IPVSServiceKey.address(.tcp, "10.10.1.100", port: 80)
    static let addService = IPVSCommand.addService(IPVSService(key: serviceKey, scheduler: "rr"))
    static let addR1 = IPVSCommand.addDestination(serviceKey, IPVSDestination(key: IPVSDestinationKey(address: "10.10.2.21", port: 8080), forwarding: .masquerade, weight: 2))

    /// Prometheus text as the format wants it: every sample `NAME{labels} VALUE` or `NAME VALUE` has a TYPE line for
    /// its name before it and a numeric value, and no series appears twice.
    static func expectWellFormedExposition(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        var typed = Set<String>(), series = Set<String>()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") { typed.insert(String(line.split(separator: " ")[2])); continue }
            if line.hasPrefix("#") { continue }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            #expect(typed.contains(name), "\(name) has no TYPE line", sourceLocation: sourceLocation)
            #expect(Double(line.split(separator: " ").last ?? "") != nil, "\(line)", sourceLocation: sourceLocation)
            let key = String(line[..<(line.lastIndex(of: " ") ?? line.endIndex)])
            #expect(series.insert(key).inserted, "\(key) twice", sourceLocation: sourceLocation)
        }
    }
}
