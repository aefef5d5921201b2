import Testing
import Vocabulary
@testable import BFD

private func at(_ ms: Int64) -> Instant { Instant(nanoseconds: ms * 1_000_000) }

@Suite("BFD Control packet (RFC 5880 §4.1)")
struct BFDControlPacketTests {
    @Test("A packet written by hand from the RFC's layout decodes, and encodes back to the same bytes")
    func vector() throws {
        // Version 1, diag 0 | state Up (3), P | mult 3 | len 24 | my 1 | your 2 | tx 300 ms | rx 300 ms | echo 0.
        let bytes: [UInt8] = [0x20, 0xE0, 3, 24, 0, 0, 0, 1, 0, 0, 0, 2, 0, 4, 0x93, 0xE0, 0, 4, 0x93, 0xE0, 0, 0, 0, 0]
        let p = try BFDControlPacket.decode(bytes)
        #expect(p.state == .up && p.poll && !p.final && p.detectMultiplier == 3)
        #expect(p.myDiscriminator == 1 && p.yourDiscriminator == 2)
        #expect(p.desiredMinTxInterval == 300_000 && p.requiredMinRxInterval == 300_000)
        #expect(p.encode() == bytes)
    }

    @Test("The reception checks of §6.8.6", arguments: [
        ([UInt8](repeating: 0, count: 10), BFDDecodingError.truncated(length: 10)),
        ([0x40, 0x40, 3, 24] + [UInt8](repeating: 1, count: 20), .unsupportedVersion(2)),
        ([0x20, 0x40, 3, 40] + [UInt8](repeating: 1, count: 20), .badLength(field: 40, received: 24)),
        ([0x20, 0x40, 0, 24] + [UInt8](repeating: 1, count: 20), .zeroDetectMultiplier),
        ([0x20, 0x41, 3, 24] + [UInt8](repeating: 1, count: 20), .multipoint),
        ([0x20, 0x44, 3, 24] + [UInt8](repeating: 1, count: 20), .authenticationPresent),
        ([0x20, 0x40, 3, 24, 0, 0, 0, 0] + [UInt8](repeating: 1, count: 16), .zeroMyDiscriminator),
        ([0x20, 0xC0, 3, 24, 0, 0, 0, 1, 0, 0, 0, 0] + [UInt8](repeating: 1, count: 12), .zeroYourDiscriminator(.up)),
    ])
    func refused(bytes: [UInt8], error: BFDDecodingError) {
        #expect(throws: error) { try BFDControlPacket.decode(bytes) }
    }
}

/// Two sessions wired back to back, packets delivered at once.
private struct Pair {
    var a: BFDSession
    var b: BFDSession
    var changes: [(Character, BFDState)] = []
    var sent = 0

    init(passiveB: Bool = false) {
        let n = IPAddress("10.0.0.2")!
        a = BFDSession(configuration: BFDSessionConfiguration(name: "a", neighbor: n, requiredMinRx: .milliseconds(100),
                                                              desiredMinTx: .milliseconds(100), multiplier: 3),
                       localDiscriminator: 11)
        b = BFDSession(configuration: BFDSessionConfiguration(name: "b", neighbor: n, requiredMinRx: .milliseconds(100),
                                                              desiredMinTx: .milliseconds(100), multiplier: 3,
                                                              passive: passiveB),
                       localDiscriminator: 22)
    }

    mutating func deliver(_ actions: [BFDSessionAction], from side: Character, now: Instant) {
        for action in actions {
            switch action {
            case .send(let p):
                sent += 1
                guard let decoded = try? BFDControlPacket.decode(p.encode()) else { continue }
                if side == "a" { deliver(b.received(decoded, now: now), from: "b", now: now) }
                else { deliver(a.received(decoded, now: now), from: "a", now: now) }
            case .stateChanged(_, let to, _): changes.append((side, to))
            }
        }
    }

    /// Runs both sessions' timers until `end`, `b` silenced from `muteB` on.
    mutating func run(until end: Instant, muteB: Instant? = nil) {
        var t = at(0)
        while t <= end {
            if let d = a.nextWakeup, d <= t { deliver(a.deadlineReached(now: t), from: "a", now: t) }
            if let d = b.nextWakeup, d <= t {
                let actions = b.deadlineReached(now: t)
                if let m = muteB, t >= m {
                    for case .stateChanged(_, let to, _) in actions { changes.append(("b", to)) }
                } else {
                    deliver(actions, from: "b", now: t)
                }
            }
            t = t + .milliseconds(1)
        }
    }
}

@Suite("BFD session (RFC 5880 §6)")
struct BFDSessionTests {
    @Test("Two active sessions come Up: the one that hears Down goes to Init, the other from Down to Up on its Init")
    func bringUp() {
        var p = Pair()
        p.deliver(p.a.start(now: at(0)), from: "a", now: at(0))
        p.deliver(p.b.start(now: at(0)), from: "b", now: at(0))
        p.run(until: at(50))
        #expect(p.a.state == .up && p.b.state == .up)
        #expect(p.changes.filter { $0.0 == "a" }.map(\.1) == [.up])
        #expect(p.changes.filter { $0.0 == "b" }.map(\.1) == [.initializing, .up])
        #expect(p.a.remoteDiscriminator == 22 && p.b.remoteDiscriminator == 11)
    }

    @Test("A passive session sends nothing until it hears the peer, then comes Up")
    func passive() {
        var p = Pair(passiveB: true)
        #expect(p.b.start(now: at(0)).isEmpty)
        #expect(p.b.nextWakeup == nil)
        p.deliver(p.a.start(now: at(0)), from: "a", now: at(0))
        p.run(until: at(50))
        #expect(p.a.state == .up && p.b.state == .up)
    }

    @Test("A silent peer takes the session Down after the detection time (3 × 100 ms), with its diagnostic")
    func detection() {
        var p = Pair()
        p.deliver(p.a.start(now: at(0)), from: "a", now: at(0))
        p.deliver(p.b.start(now: at(0)), from: "b", now: at(0))
        p.run(until: at(1000))
        #expect(p.a.state == .up)
        #expect(p.a.detectionTime == .milliseconds(300))
        p.run(until: at(1400), muteB: at(0))
        #expect(p.a.state == .down && p.a.diagnostic == .controlDetectionTimeExpired)
    }

    @Test("Once Up, packets go every min_tx less up to 25 % jitter; while Down, every idle_tx (1 s)")
    func intervals() {
        var s = BFDSession(configuration: BFDSessionConfiguration(name: "s", neighbor: IPAddress("10.0.0.2")!,
                                                                  desiredMinTx: .milliseconds(100)),
                           localDiscriminator: 5)
        _ = s.start(now: at(0))
        let next = s.nextTransmit ?? at(0)
        #expect(next >= at(750) && next <= at(1000))
        #expect(s.packet(final: false).desiredMinTxInterval == 1_000_000)
    }

    @Test("A Poll is answered with a Final at once; stop sends AdminDown and the peer goes Down")
    func pollAndStop() {
        var p = Pair()
        p.deliver(p.a.start(now: at(0)), from: "a", now: at(0))
        p.deliver(p.b.start(now: at(0)), from: "b", now: at(0))
        p.run(until: at(50))
        var poll = p.b.packet(final: false)
        poll.poll = true
        poll.state = .up
        let answer = p.a.received(poll, now: at(60))
        #expect(answer.contains { if case .send(let x) = $0 { x.final && !x.poll } else { false } })
        let stop = p.b.stop()
        p.deliver(stop, from: "b", now: at(70))
        #expect(p.a.state == .down && p.a.diagnostic == .neighborSignaledDown)
        #expect(p.b.state == .adminDown)
    }

    @Test("A packet naming another discriminator is ignored")
    func wrongDiscriminator() {
        var p = Pair()
        var foreign = p.b.packet(final: false)
        foreign.yourDiscriminator = 999
        #expect(p.a.received(foreign, now: at(0)).isEmpty)
        #expect(p.a.state == .down)
    }

    @Test("max_hops: 0 accepts TTL 255 only; 255 accepts any")
    func hops() {
        let strict = BFDSessionConfiguration(name: "s", neighbor: IPAddress("10.0.0.2")!)
        #expect(strict.acceptsTTL(255) && !strict.acceptsTTL(254))
        let loose = BFDSessionConfiguration(name: "s", neighbor: IPAddress("10.0.0.2")!, maxHops: 255)
        #expect(loose.acceptsTTL(1))
    }
}

@Suite("BFD session: a peer that asks for no packets")
struct BFDZeroRxTests {
    @Test("RequiredMinRxInterval 0: periodic packets stop (no busy timer), a Poll is still answered")
    func zeroRx() {
        var s = BFDSession(configuration: BFDSessionConfiguration(name: "s", neighbor: IPAddress("10.0.0.2")!),
                           localDiscriminator: 7)
        _ = s.start(now: Instant(nanoseconds: 0))
        var p = BFDControlPacket(state: .down, detectMultiplier: 3, myDiscriminator: 9, yourDiscriminator: 0,
                                 desiredMinTxInterval: 1_000_000, requiredMinRxInterval: 0)
        _ = s.received(p, now: Instant(nanoseconds: 1_000))
        #expect(s.nextTransmit == nil)
        let later = s.deadlineReached(now: Instant(nanoseconds: 5_000_000_000))
        #expect(!later.contains { if case .send = $0 { true } else { false } })
        p.poll = true
        p.yourDiscriminator = 7
        let answer = s.received(p, now: Instant(nanoseconds: 6_000_000_000))
        #expect(answer.contains { if case .send(let x) = $0 { x.final } else { false } })
    }
}
