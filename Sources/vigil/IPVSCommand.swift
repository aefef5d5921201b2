import ArgumentParser
import Foundation
import Config
import Director
import IPVS

/// `vigil ipvs`: inspect and program the kernel's IPVS table.
struct IPVSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvs",
        abstract: "Inspect and program the kernel IPVS table",
        subcommands: [IPVSListCommand.self, IPVSPlanCommand.self, IPVSApplyCommand.self]
    )
}

/// `vigil ipvs list`: the kernel table, like `ipvsadm -Ln`.
struct IPVSListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Print the kernel IPVS table (like ipvsadm -Ln)"
    )

    @Flag(help: "Print traffic counters instead of weights and connections (like ipvsadm -Ln --stats).")
    var stats = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let client = try IPVSCLI.client()
        let info = try client.info()
        let services = try client.status()
        if json {
            print(IPVSCLI.json(info: info, services: services))
        } else {
            print(IPVSListing.text(info: info, services: services, stats: stats), terminator: "")
        }
    }
}

/// `vigil ipvs plan -f FILE`: the commands applying FILE would issue.
struct IPVSPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the IPVS operations that applying FILE's virtual servers would perform"
    )

    @Option(name: .shortAndLong, help: "keepalived.conf-style configuration file.")
    var file: String

    @Flag(help: "Also delete kernel services that FILE does not mention (by default they are left alone).")
    var prune = false

    func run() async throws {
        let desired = try IPVSCLI.desiredTable(file: file)
        let client = try IPVSCLI.client()
        let actual = try client.table()
        let owned = prune ? Set(actual.services.keys) : []
        let commands = IPVSPlan.diff(desired: desired, actual: actual, owned: owned)
        for c in commands { print(c) }
        print("\(commands.count) operation(s)")
    }
}

/// `vigil ipvs apply -f FILE`: a one-shot sync of the kernel table to FILE's virtual servers.
struct IPVSApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make the kernel IPVS table match FILE's virtual servers and print what changed"
    )

    @Option(name: .shortAndLong, help: "keepalived.conf-style configuration file.")
    var file: String

    @Flag(help: "Also delete kernel services that FILE does not mention (by default they are left alone).")
    var prune = false

    @Flag(help: "Print only the summary line.")
    var quiet = false

    @Flag(help: "Print how long each phase took (load, read kernel table, apply) on stderr.")
    var timing = false

    func run() async throws {
        let clock = ContinuousClock()
        let t0 = clock.now
        let desired = try IPVSCLI.desiredTable(file: file)
        let t1 = clock.now
        let client = try IPVSCLI.client()
        let actual = try client.table()
        let t2 = clock.now
        let owned = prune ? Set(actual.services.keys) : []
        let reconciler = IPVSReconciler(control: client, owned: owned)
        let report = try await reconciler.apply(desired: desired)
        if timing {
            let t3 = clock.now
            FileHandle.standardError.write(Data("timing: load \(t1 - t0), read \(t2 - t1), plan+apply (re-reads the table) \(t3 - t2)\n".utf8))
        }
        if !quiet { for c in report.commands { print(c) } }
        for f in report.failures { FileHandle.standardError.write(Data("error: \(f)\n".utf8)) }
        print("\(report.commands.count) operation(s), \(report.failures.count) failed")
        if !report.failures.isEmpty { throw ExitCode(1) }
    }
}

enum IPVSCLI {
    static func client() throws(IPVSError) -> NetlinkIPVSClient {
        try NetlinkIPVSClient()
    }

    static func desiredTable(file: String) throws -> IPVSTable {
        try IPVSConfigLoader.load(file: file)
    }

    static func json(info: IPVSInfo, services: [IPVSServiceStatus]) -> String {
        func stats(_ s: IPVSStats) -> [String: Any] {
            ["connections": s.connections, "packetsIn": s.packetsIn, "packetsOut": s.packetsOut,
             "bytesIn": s.bytesIn, "bytesOut": s.bytesOut, "connectionsPerSecond": s.connectionsPerSecond]
        }
        let list: [[String: Any]] = services.map { s in
            var svc: [String: Any] = ["scheduler": s.service.scheduler, "flags": s.service.effectiveFlags.rawValue,
                                      "persistenceTimeout": s.service.persistenceTimeout,
                                      "persistencePrefixLength": s.service.persistencePrefixLength,
                                      "stats": stats(s.stats)]
            switch s.service.key {
            case .address(let p, let a, let port):
                svc["protocol"] = p.name
                svc["address"] = a.description
                svc["port"] = port
            case .firewallMark(let m, let f):
                svc["firewallMark"] = m
                svc["family"] = f == .inet ? "inet" : "inet6"
            }
            svc["destinations"] = s.destinations.map { d -> [String: Any] in
                var out: [String: Any] = ["address": d.destination.key.address.description, "port": d.destination.key.port,
                                          "forwarding": d.destination.forwarding.name, "weight": d.destination.weight,
                                          "upperThreshold": d.destination.upperThreshold,
                                          "lowerThreshold": d.destination.lowerThreshold,
                                          "activeConnections": d.counters.active, "inactiveConnections": d.counters.inactive,
                                          "stats": stats(d.counters.stats)]
                if case .tunnel(let t, let port) = d.destination.forwarding {
                    out["tunnelType"] = t == .ipip ? "ipip" : t == .gue ? "gue" : "gre"
                    out["tunnelPort"] = port
                }
                return out
            }
            return svc
        }
        let root: [String: Any] = ["version": info.versionString, "connectionTableSize": info.connectionTableSize, "services": list]
        guard let data = try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Reads the desired table from a configuration file: every real server up, at its
/// configured weight (no health checks).
enum IPVSConfigLoader {
    static func load(file: String) throws -> IPVSTable {
        let result = ConfigLoader.load(path: file)
        guard result.isValid else {
            FileHandle.standardError.write(Data(result.rendered().utf8))
            throw ExitCode(65)
        }
        let (table, problems) = IPVSTranslation.desiredTable(result.config)
        guard problems.isEmpty else {
            throw ValidationError(problems.map(\.description).joined(separator: "\n"))
        }
        return table
    }
}
