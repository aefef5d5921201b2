import Testing
@testable import HA

@Suite("Script tracker")
struct ScriptTrackerTests {
    @Test("Goes down only after `fall` consecutive failures")
    func fall() {
        var t = ScriptTracker(rise: 2, fall: 3)
        #expect(t.resultReceived(success: false) == false)
        #expect(t.resultReceived(success: false) == false)
        #expect(t.resultReceived(success: true) == false)
        #expect(t.resultReceived(success: false) == false)
        #expect(t.resultReceived(success: false) == false)
        #expect(t.resultReceived(success: false) == true)
        #expect(t.isUp == false)
    }

    @Test("Comes back up after `rise` consecutive successes")
    func rise() {
        var t = ScriptTracker(rise: 2, fall: 1, initFail: true)
        #expect(t.isUp == false)
        #expect(t.resultReceived(success: true) == false)
        #expect(t.resultReceived(success: true) == true)
        #expect(t.isUp)
    }
}
