import HA
import IPVS
import Logging
import Control

extension Supervisor {
    /// Runs the VRRP `daemon` and this load balancer together (`vigil run` with virtual servers): the balancer follows
    /// the daemon's transitions, and when the daemon stops (SIGTERM/SIGINT: priority-0 adverts, VIPs removed) the
    /// balancer releases its services. If the balancer cannot start (no IPVS), the daemon is shut down too.
    public func run(alongside daemon: Daemon) async throws(SupervisorError) {
        let events = daemon.events
        let balancer = Task { () async -> SupervisorError? in
            do throws(SupervisorError) {
                try await self.run(vrrpEvents: events)
                return nil
            } catch {
                daemon.shutdown()
                return error
            }
        }
        var daemonError: DaemonError?
        do { try await daemon.run() } catch { daemonError = error }
        stop()
        if let e = await balancer.value { throw e }
        if let daemonError { throw .daemon(daemonError) }
    }
}

extension Supervisor {
    /// What `vigil run` runs, keepalived style: VRRP and the load balancer (default), VRRP only (`-P`, or a
    /// configuration without virtual servers), or checks and IPVS only (`-C`: no VRRP, every service installed,
    /// SIGTERM/SIGINT stop it).
    public static func runDaemon(_ daemon: Daemon, plan: DirectorPlan, vrrpOnly: Bool, checksOnly: Bool,
                                 releaseOnExit: Bool, logger: Logger,
                                 recorder: StatusRecorder? = nil,
                                 ownershipFile: IPVSOwnershipFile? = nil) async throws(SupervisorError) {
        recorder?.attach(runtime: daemon.vrrp)
        if let recorder { daemon.onReload { recorder.configurationChanged(plan: $0) } }
        guard !vrrpOnly, isNeeded(for: plan) else {
            // No Supervisor loop in this mode: the recorder is the events' only consumer.
            let observer = recorder.map { r in Task { for await e in daemon.events { r.vrrpEventReceived(e) } } }
            defer { observer?.cancel() }
            do { try await daemon.run() } catch { throw .daemon(error) }
            return
        }
        let balancer = Supervisor(plan: plan, mode: checksOnly ? .checksOnly : .followVRRP,
                                  releaseOnExit: releaseOnExit, logger: logger, recorder: recorder,
                                  ownershipFile: ownershipFile)
        daemon.onReload { balancer.reload($0) }
        if checksOnly {
            do { try daemon.claimPidFile() } catch { throw .daemon(error) }
            defer { daemon.releasePidFile() }
            let sources = balancer.stopOnSignals() + [daemon.reloadOnSignal()]
            defer { for s in sources { s.cancel() } }
            try await balancer.run(vrrpEvents: nil)
        } else {
            // The LVS table goes in before the VIPs on a takeover (HA holds the VIPs until this returns).
            await daemon.vrrp.setTakeoverHook({ instance, reason in
                await balancer.prepareTakeover(instance: instance, reason: reason)
            }, ready: { balancer.isPrepared($0) })
            try await balancer.run(alongside: daemon)
        }
    }
}
