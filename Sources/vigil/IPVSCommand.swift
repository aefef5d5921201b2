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

    @Flag(help: "Also delete services an earlier 'vigil ipvs apply' declared that FILE no longer declares (never others).")
    var prune = false

    @Option(help: "Ownership record (default: /run/vigil/ipvs-owned.<network namespace inode>).")
    var state: String?

    func run() async throws {
        let desired = try IPVSCLI.desiredTable(file: file)
        let record = IPVSCLI.ownershipFile(state)
        let client = try IPVSCLI.client()
        let actual = try client.table()
        let owned = prune ? try record.load() : []
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

    @Flag(help: "Also delete services an earlier 'vigil ipvs apply' declared that FILE no longer declares (never others).")
    var prune = false

    @Option(help: "Ownership record (default: /run/vigil/ipvs-owned.<network namespace inode>).")
    var state: String?

    @Flag(help: "Print only the summary line.")
    var quiet = false

    @Flag(help: "Print how long each phase took (load, read kernel table, plan, execute) on stderr.")
    var timing = false

    func run() async throws {
        let clock = ContinuousClock()
        let t0 = clock.now
        let desired = try IPVSCLI.desiredTable(file: file)
        let t1 = clock.now
        let client = try IPVSCLI.client()
        // The kernel table is read once: the plan is computed against it and executed.
        let actual = try client.table()
        let t2 = clock.now
        // Ownership: only services an earlier apply declared (recorded in the state file)
        // may be deleted, and only with --prune; hand-made services are never in the record.
        let record = IPVSCLI.ownershipFile(state)
        let previouslyOwned = try record.load()
        let owned = prune ? previouslyOwned : []
        let commands = IPVSPlan.diff(desired: desired, actual: actual, owned: owned)
        let t3 = clock.now
        let failures = commands.isEmpty ? [] : try client.execute(commands)
        let t4 = clock.now
        var nowOwned = previouslyOwned.intersection(actual.services.keys).union(desired.services.keys)
        let failed = Set(failures.map { $0.command })
        for c in commands { if case .deleteService(let k) = c, !failed.contains(c) { nowOwned.remove(k) } }
        if nowOwned != previouslyOwned { try record.save(nowOwned) }
        if timing {
            let objects = desired.services.values.reduce(desired.services.count) { $0 + $1.destinations.count }
            FileHandle.standardError.write(Data("""
                timing: load \(IPVSCLI.ms(t1 - t0)) (\(objects) objects), read \(IPVSCLI.ms(t2 - t1)) \
                (\(actual.services.count) services), plan \(IPVSCLI.ms(t3 - t2)), \
                execute \(IPVSCLI.ms(t4 - t3)) (\(commands.count) operations, \(IPVSCLI.perOperation(t4 - t3, commands.count)))

                """.utf8))
        }
        if !quiet { for c in commands { print(c) } }
        for f in failures { FileHandle.standardError.write(Data("error: \(f)\n".utf8)) }
        print("\(commands.count) operation(s), \(failures.count) failed")
        if !failures.isEmpty { throw ExitCode(1) }
    }
}

enum IPVSCLI {
    static func ms(_ d: Duration) -> String {
        let (s, a) = d.components
        return String(format: "%.1f ms", Double(s) * 1000 + Double(a) / 1e15)
    }

    static func perOperation(_ d: Duration, _ n: Int) -> String {
        guard n > 0 else { return "-" }
        let (s, a) = d.components
        let us = (Double(s) * 1e6 + Double(a) / 1e12) / Double(n)
        return String(format: "%.1f µs/op", us)
    }

    static func ownershipFile(_ path: String?) -> IPVSOwnershipFile {
        if let path { return IPVSOwnershipFile(path: path) }
        return IPVSOwnershipFile.forCurrentNetworkNamespace()
    }

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
        let plan: DirectorPlan
        do { plan = try DirectorPlan(config: result.config) } catch { throw ValidationError("\(error)") }
        guard plan.problems.isEmpty else {
            throw ValidationError(plan.problems.map(\.description).joined(separator: "\n"))
        }
        return plan.ipvsTable()
    }
}
