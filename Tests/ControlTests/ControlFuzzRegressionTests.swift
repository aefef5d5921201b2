import Foundation
import Testing
@testable import Control

@Suite("Control inputs that the fuzzer checks (make fuzz-control)")
struct ControlFuzzRegressionTests {
    @Test("A `[` inside the brackets is refused: it would print as a host that does not parse back")
    func bracketInBrackets() throws {
        #expect(throws: ControlEndpointError.self) { try ControlEndpoint(parsing: "[[]:9") }
        for text in ["[::1]:9678", "[127.0.0.1]:80", "a]:80", "9678", "unix:/run/vigil/control.sock"] {
            let e = try ControlEndpoint(parsing: text)
            #expect(try ControlEndpoint(parsing: e.description) == e)
        }
    }

    /// A /status reply with two REJECTED counters whose sum is past Int.max.
    static let overflowing = """
        {"schema": 1, "pid": 1, "startedAt": "2026-11-18T02:13:20Z", "generatedAt": "2026-11-18T02:13:30Z",
         "instances": [{"name": "VI_1", "interface": "eth0", "vrid": 51, "version": 2, "state": "MASTER",
                        "priority": 100, "priorityReason": "base 100", "vips": [],
                        "adverts": {"sent": 0, "received": 0, "priorityZeroReceived": 0,
                                    "rejected": {"bad_ttl": 9223372036854775807, "auth_mismatch": 2}},
                        "transitionCount": 0, "transitions": []}],
         "virtualServers": [], "ipvs": {"reconciles": 0, "operations": {}, "errors": {}}}
        """

    @Test("`vigil status` renders counters that overflow when summed (held at Int.max), instead of trapping")
    func rejectedOverflow() throws {
        let text = try StatusClient.rendered(Array(Self.overflowing.utf8), from: .default, events: false, json: false)
        #expect(text.contains("\(Int.max)"))
        #expect(StatusTable.total([Int.max, 2]) == Int.max && StatusTable.total([Int.min, -1]) == Int.min)
        #expect(StatusTable.total([1, 2, 3]) == 6)
    }

    @Test("The reply's body follows the head of a 200; another status or no head end is an error")
    func replyBody() throws {
        #expect(try HTTPGet.body(ofReply: Array("HTTP/1.1 200 OK\r\nA: b\r\n\r\n{}".utf8)) == Array("{}".utf8))
        #expect(throws: HTTPGetError.self) { try HTTPGet.body(ofReply: Array("HTTP/1.1 404 Not Found\r\n\r\n".utf8)) }
        #expect(throws: HTTPGetError.self) { try HTTPGet.body(ofReply: Array("HTTP/1.1 200 OK\r\n".utf8)) }
    }

    @Test("/events?after&limit: any integers select the newest events after `after`, none for a negative limit")
    func eventWindow() {
        let history = (1...5).map {
            StatusEvent(seq: $0, at: Date(timeIntervalSince1970: 0), kind: .vrrp, subject: "VI_1", message: "m")
        }
        #expect(StatusEvent.window(history, after: 3, limit: nil).map(\.seq) == [4, 5])
        #expect(StatusEvent.window(history, after: nil, limit: 2).map(\.seq) == [4, 5])
        #expect(StatusEvent.window(history, after: Int.min, limit: Int.min).isEmpty)
        #expect(StatusEvent.window(history, after: Int.max, limit: Int.max).isEmpty)
    }
}
