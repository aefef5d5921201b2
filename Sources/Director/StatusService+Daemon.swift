import Control

extension StatusService {
    /// Tells systemd about accepted reloads of `daemon` (RELOADING=1, then READY=1 with the new status).
    public func follow(_ daemon: Daemon) {
        daemon.onReload { _ in self.reloadAccepted() }
    }
}
