import Config
import Foundation
import IPVS

/// `vigil ipvs list|plan|apply`: the kernel table, and a one-shot sync of it to a configuration's virtual servers
/// (like `ipvsadm -Ln` and `ipvsadm -R`), through the same plan and reconciler as `vigil run`.
public enum IPVSTool {
    /// `vigil ipvs list [--stats] [--json]`.
    public static func list(stats: Bool, json: Bool) throws(ToolFailure) -> String {
        do {
            let client = try NetlinkIPVSClient()
            let info = try client.info()
            let services = try client.status()
            return json ? IPVSListingJSON.render(info: info, services: services) + "\n"
                        : IPVSListing.text(info: info, services: services, stats: stats)
        } catch {
            throw ToolFailure("\(error)")
        }
    }

    /// `vigil ipvs plan -f FILE [--prune] [--state PATH]`: the operations `apply` would perform, one a line.
    public static func plan(file: String, prune: Bool, state: String?) async throws(ToolFailure) -> String {
        let desired = try desiredTable(file: file)
        do {
            let client = try NetlinkIPVSClient()
            let reconciler = try IPVSReconciler(control: client, ownershipFile: ownershipFile(state))
            let commands = await reconciler.plan(desired: desired, actual: try client.table(), prune: prune)
            return commands.map { "\($0)\n" }.joined() + "\(commands.count) operation(s)\n"
        } catch {
            throw ToolFailure("\(error)")
        }
    }

    /// What `apply` did: the lines for stdout and stderr, and whether every operation succeeded.
    public struct ApplyOutput: Sendable {
        /// The operations (unless quiet) and the summary line.
        public var stdout: String
        /// The timing line (with `timing`) and one line per refused operation.
        public var stderr: String
        /// No operation was refused.
        public var succeeded: Bool
    }

    /// `vigil ipvs apply -f FILE [--prune] [--state PATH] [--quiet] [--timing]`. The kernel table is read once;
    /// ownership (which services an earlier apply declared, the only ones `--prune` may delete) is kept by the
    /// reconciler in the same record `vigil run` uses.
    public static func apply(file: String, prune: Bool, state: String?, quiet: Bool,
                             timing: Bool) async throws(ToolFailure) -> ApplyOutput {
        let clock = ContinuousClock()
        let t0 = clock.now
        let desired = try desiredTable(file: file)
        let t1 = clock.now
        let report: IPVSChangeReport
        let actual: IPVSTable
        let (t2, t3): (ContinuousClock.Instant, ContinuousClock.Instant)
        do {
            let client = try NetlinkIPVSClient()
            actual = try client.table()
            t2 = clock.now
            let reconciler = try IPVSReconciler(control: client, ownershipFile: ownershipFile(state))
            let commands = await reconciler.plan(desired: desired, actual: actual, prune: prune)
            t3 = clock.now
            report = try await reconciler.execute(commands, desired: desired, actual: actual)
        } catch {
            throw ToolFailure("\(error)")
        }
        let t4 = clock.now
        var err = ""
        if timing {
            let objects = desired.services.values.reduce(desired.services.count) { $0 + $1.destinations.count }
            err += "timing: load \(ms(t1 - t0)) (\(objects) objects), read \(ms(t2 - t1)) (\(actual.services.count) services), "
                + "plan \(ms(t3 - t2)), execute \(ms(t4 - t3)) (\(report.commands.count) operations, "
                + "\(perOperation(t4 - t3, report.commands.count)))\n"
        }
        var out = quiet ? "" : report.commands.map { "\($0)\n" }.joined()
        for f in report.failures { err += "error: \(f)\n" }
        if let e = report.ownershipError { err += "error: ownership record not saved: \(e)\n" }
        out += "\(report.commands.count) operation(s), \(report.failures.count) failed\n"
        return ApplyOutput(stdout: out, stderr: err, succeeded: report.failures.isEmpty)
    }

    /// The table of FILE's virtual servers, every real server up at its configured weight (no health checks).
    static func desiredTable(file: String) throws(ToolFailure) -> IPVSTable {
        let result = ConfigLoader.load(path: file)
        guard result.isValid else { throw ToolFailure(result.rendered(), exitCode: 65) }
        let plan: DirectorPlan
        do { plan = try DirectorPlan(config: result.config) } catch { throw ToolFailure("\(error)\n", exitCode: 64) }
        guard plan.problems.isEmpty else {
            throw ToolFailure(plan.problems.map { "\($0)\n" }.joined(), exitCode: 64)
        }
        return plan.ipvsTable()
    }

    static func ownershipFile(_ path: String?) -> IPVSOwnershipFile {
        path.map(IPVSOwnershipFile.init(path:)) ?? .forCurrentNetworkNamespace()
    }

    static func ms(_ d: Duration) -> String { String(format: "%.1f ms", d.milliseconds) }

    static func perOperation(_ d: Duration, _ n: Int) -> String {
        guard n > 0 else { return "-" }
        return String(format: "%.1f µs/op", d.milliseconds * 1000 / Double(n))
    }
}
