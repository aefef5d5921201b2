import Testing
import Vocabulary
@testable import HA

@Suite("VRRP trackers")
struct VRRPTrackersTests {
    func configuration(script: VRRPScriptSpec) -> VRRPRuntimeConfiguration {
        VRRPRuntimeConfiguration(
            instances: [routerSpec(scripts: [VRRPTrackReference(name: script.name, weight: 10)],
                                   interfaces: [VRRPTrackReference(name: "eth1", weight: 10)])],
            scripts: [script, VRRPScriptSpec(name: "unused", command: cmd("/bin/true"))])
    }

    @Test("Only what an instance references is watched")
    func watched() {
        var trackers = VRRPTrackers()
        trackers.configure(configuration(script: VRRPScriptSpec(name: "chk", command: cmd("/bin/true"))))
        #expect(Set(trackers.watchedScripts.keys) == ["chk"])
        #expect(trackers.watchedInterfaces == ["eth1", "eth0"])   // eth0: the primary interface
        #expect(trackers.watchedFiles.isEmpty)
    }

    @Test("The first reading of an interface is silent, a later different one is a change, an untracked one is ignored")
    func interfaceReadings() {
        var trackers = VRRPTrackers()
        trackers.configure(configuration(script: VRRPScriptSpec(name: "chk", command: cmd("/bin/true"))))
        #expect(trackers.interfaceRead("eth1", up: false) == nil)
        #expect(trackers.interfaceRead("eth1", up: false) == nil)
        #expect(trackers.interfaceRead("eth1", up: true) == .interface("eth1", up: true))
        #expect(trackers.interfaceRead("eth7", up: true) == nil)
        #expect(trackers.sum(for: routerSpec(interfaces: [VRRPTrackReference(name: "eth7", weight: 5)])).adjustment == 0)
    }

    @Test("A reload keeps an unchanged script's rise/fall state and resets a changed one")
    func reloadKeepsScriptState() {
        let chk = VRRPScriptSpec(name: "chk", command: cmd("/bin/check"), rise: 2, fall: 1)
        let spec = routerSpec(scripts: [VRRPTrackReference(name: "chk", weight: 10)])
        var trackers = VRRPTrackers()
        trackers.configure(configuration(script: chk))
        #expect(trackers.scriptFinished("chk", succeeded: false) == .script("chk", succeeded: false))
        trackers.configure(configuration(script: chk))
        #expect(trackers.sum(for: spec).adjustment == 0)
        var changed = chk
        changed.command = cmd("/bin/check --strict")
        trackers.configure(configuration(script: changed))
        #expect(trackers.sum(for: spec).adjustment == 10)
    }
}
