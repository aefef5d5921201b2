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

@Suite("track_bfd")
struct TrackBFDTests {
    private func spec(_ refs: [VRRPTrackReference]) -> VRRPInstanceSpec {
        var s = routerSpec()
        s.trackBFDs = refs
        return s
    }

    @Test("Weight 0: FAULT until the session is Up, and again when it leaves Up; a change is reported once")
    func unweighted() {
        let s = spec([VRRPTrackReference(name: "peer", weight: 0)])
        var t = VRRPTrackers()
        t.configure(VRRPRuntimeConfiguration(instances: [s]))
        #expect(t.sum(for: s).fault)
        #expect(t.bfdChanged("peer", up: true) == .bfd("peer", up: true))
        #expect(t.bfdChanged("peer", up: true) == nil)
        #expect(!t.sum(for: s).fault)
        #expect(t.bfdChanged("peer", up: false) == .bfd("peer", up: false))
        #expect(t.sum(for: s).fault)
        #expect(VRRPTrackers.references(s, .bfd("peer", up: true)))
        #expect(!VRRPTrackers.references(s, .bfd("other", up: true)))
    }

    @Test("Weighted: a positive weight counts while Up, a negative one while down; reverse inverts")
    func weighted() {
        let plus = spec([VRRPTrackReference(name: "peer", weight: 20)])
        let minus = spec([VRRPTrackReference(name: "peer", weight: -30)])
        let reversed = spec([VRRPTrackReference(name: "peer", weight: 20, reverse: true)])
        var t = VRRPTrackers()
        t.configure(VRRPRuntimeConfiguration(instances: [plus]))
        #expect(t.sum(for: plus).adjustment == 0 && t.sum(for: minus).adjustment == -30)
        _ = t.bfdChanged("peer", up: true)
        #expect(t.sum(for: plus).adjustment == 20 && t.sum(for: minus).adjustment == 0)
        #expect(t.sum(for: reversed).adjustment == -20)
    }
}
