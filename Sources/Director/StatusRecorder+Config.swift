import Config
import HA

extension StatusRecorder {
    /// A recorder for what `config` declares (its VRRP instances and virtual servers).
    public convenience init(config: KeepalivedConfig) {
        self.init(instances: Self.instances(of: config), virtualServers: CheckTranslation.virtualServers(from: config))
    }

    /// A reload was accepted: follow the new configuration (unchanged names keep their state).
    public func configurationChanged(config: KeepalivedConfig) {
        configurationChanged(instances: Self.instances(of: config), virtualServers: CheckTranslation.virtualServers(from: config))
    }

    /// The VRRP instances of a configuration; none when it does not translate (such a configuration is refused by
    /// `vigil run` and by a reload before it gets here).
    private static func instances(of config: KeepalivedConfig) -> [HA.VRRPInstanceSpec] {
        (try? VRRPTranslation.runtimeConfiguration(config))?.instances ?? []
    }
}
