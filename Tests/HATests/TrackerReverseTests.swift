import Testing
import Vocabulary
@testable import HA

@Suite("weight … reverse as keepalived 2.2.7 (weight multiplier -1)")
struct TrackerReverseTests {
    /// The sum for one instance tracking script `s` with `ref`, the script up or down.
    func sum(_ ref: VRRPTrackReference, scriptUp: Bool) -> VRRPTrackers.Sum {
        let spec = routerSpec(scripts: [ref])
        var trackers = VRRPTrackers()
        trackers.configure(VRRPRuntimeConfiguration(instances: [spec],
                                                    scripts: [VRRPScriptSpec(name: "s", command: cmd("/bin/true"))]))
        _ = trackers.scriptFinished("s", succeeded: scriptUp)
        return trackers.sum(for: spec)
    }

    @Test("weight 10 reverse: -10 while up, 0 while down; weight -10 reverse: 0 while up, +10 while down")
    func weighted() {
        #expect(sum(VRRPTrackReference(name: "s", weight: 10, reverse: true), scriptUp: true).adjustment == -10)
        #expect(sum(VRRPTrackReference(name: "s", weight: 10, reverse: true), scriptUp: false).adjustment == 0)
        #expect(sum(VRRPTrackReference(name: "s", weight: -10, reverse: true), scriptUp: true).adjustment == 0)
        #expect(sum(VRRPTrackReference(name: "s", weight: -10, reverse: true), scriptUp: false).adjustment == 10)
        #expect(sum(VRRPTrackReference(name: "s", weight: 10), scriptUp: true).adjustment == 10)
    }

    @Test("weight 0 reverse: FAULT while up, fine while down")
    func unweighted() {
        #expect(sum(VRRPTrackReference(name: "s", weight: 0, reverse: true), scriptUp: true).fault)
        #expect(!sum(VRRPTrackReference(name: "s", weight: 0, reverse: true), scriptUp: false).fault)
        #expect(sum(VRRPTrackReference(name: "s", weight: 0), scriptUp: false).fault)
    }

    @Test("A track file: its value times the negated weight; weight 0 reverse faults at 0")
    func file() {
        var spec = routerSpec(files: [VRRPTrackReference(name: "f", weight: 5, reverse: true)])
        var trackers = VRRPTrackers()
        trackers.configure(VRRPRuntimeConfiguration(instances: [spec], trackFiles: [VRRPTrackFileSpec(name: "f", path: "/f")]))
        _ = trackers.fileRead("f", value: 3)
        #expect(trackers.sum(for: spec).adjustment == -15)
        spec.trackFiles = [VRRPTrackReference(name: "f", weight: 0, reverse: true)]
        trackers.configure(VRRPRuntimeConfiguration(instances: [spec], trackFiles: [VRRPTrackFileSpec(name: "f", path: "/f")]))
        _ = trackers.fileRead("f", value: 0)
        #expect(trackers.sum(for: spec).fault)
        _ = trackers.fileRead("f", value: 2)
        #expect(!trackers.sum(for: spec).fault)
    }
}
