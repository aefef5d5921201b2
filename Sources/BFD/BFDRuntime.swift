#if canImport(Glibc)
import Glibc
import Logging
import Vocabulary

/// A session's state change, for the trackers (`track_bfd`, `BFD_CHECK`) and the log.
public struct BFDStateChange: Sendable, Hashable {
    public var name: String
    public var from: BFDState
    public var to: BFDState
    public var diagnostic: BFDDiagnostic
    public var isUp: Bool { to == .up }
}

/// Runs the `bfd_instance` sessions: the sockets, the timers, and each received packet to its session (by the
/// discriminator it names, else by its source address). The decisions are `BFDSession`'s.
public actor BFDRuntime {
    private struct Running {
        var session: BFDSession
        var socket: BFDSocket
    }

    private enum Input: Sendable {
        case datagram(BFDDatagram)
        case tick
    }

    private var sessions: [String: Running] = [:]
    private var receivers: [Bool: BFDSocket] = [:]
    private let logger: Logger
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private let inputs: AsyncStream<Input>
    private let inputSink: AsyncStream<Input>.Continuation
    /// State changes, in order; finishes after `stop()`.
    public nonisolated let changes: AsyncStream<BFDStateChange>
    private let changeSink: AsyncStream<BFDStateChange>.Continuation
    private var loop: Task<Void, Never>?
    private var timer: Task<Void, Never>?
    private var nextDiscriminator: UInt32
    private var nextPort: UInt16 = 49152

    public init(logger: Logger) {
        self.logger = logger
        origin = clock.now
        (inputs, inputSink) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .bufferingNewest(4096))
        (changes, changeSink) = AsyncStream.makeStream(of: BFDStateChange.self)
        nextDiscriminator = UInt32.random(in: 1...0x7fff_ffff)
    }

    private func now() -> Instant {
        let d = clock.now - origin
        let (s, a) = d.components
        return Instant(nanoseconds: s * 1_000_000_000 + a / 1_000_000_000)
    }

    /// The current state of each session.
    public func states() -> [String: BFDState] { sessions.mapValues(\.session.state) }

    /// Starts the sessions of `configurations` (those already running with the same settings go on; removed ones
    /// stop with an AdminDown packet). A session whose socket cannot be made is reported and left out.
    public func apply(_ configurations: [BFDSessionConfiguration]) {
        let wanted = Dictionary(configurations.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, r) in sessions where wanted[name] != r.session.configuration {
            stopSession(name)
        }
        let t = now()
        for c in configurations where sessions[c.name] == nil {
            do {
                let ipv6 = c.neighbor.isIPv6
                if receivers[ipv6] == nil {
                    let r = try BFDSocket.receiver(ipv6: ipv6)
                    let sink = inputSink
                    r.receive { sink.yield(.datagram($0)) }
                    receivers[ipv6] = r
                }
                let socket = try BFDSocket.sender(source: c.source, ipv6: ipv6, ttl: c.ttl, firstPort: nextPort)
                nextPort = nextPort == 65535 ? 49152 : nextPort + 1
                var session = BFDSession(configuration: c, localDiscriminator: discriminator())
                let actions = session.start(now: t)
                sessions[c.name] = Running(session: session, socket: socket)
                logger.info("bfd_instance \(c.name): session to \(c.neighbor) started\(c.passive ? " (passive)" : "")")
                perform(actions, name: c.name)
            } catch {
                logger.error("bfd_instance \(c.name): cannot start: \(error)")
            }
        }
        if loop == nil { loop = Task { await self.run() } }
        schedule()
    }

    /// Stops every session (AdminDown to each neighbor), the sockets and the loop.
    public func stop() {
        for name in Array(sessions.keys) { stopSession(name) }
        for r in receivers.values { r.close(receiving: true) }
        receivers = [:]
        timer?.cancel()
        loop?.cancel()
        inputSink.finish()
        changeSink.finish()
    }

    private func stopSession(_ name: String) {
        guard var r = sessions[name] else { return }
        let actions = r.session.stop()
        sessions[name] = r
        perform(actions, name: name)
        r.socket.close(receiving: false)
        sessions[name] = nil
    }

    private func discriminator() -> UInt32 {
        repeat { nextDiscriminator = nextDiscriminator == UInt32.max ? 1 : nextDiscriminator + 1 }
        while sessions.values.contains { $0.session.localDiscriminator == nextDiscriminator }
        return nextDiscriminator
    }

    private func run() async {
        for await input in inputs {
            let t = now()
            switch input {
            case .datagram(let d): received(d, now: t)
            case .tick: break
            }
            for name in sessions.keys.sorted() {
                guard var r = sessions[name], let due = r.session.nextWakeup, due <= t else { continue }
                let actions = r.session.deadlineReached(now: t)
                sessions[name] = r
                perform(actions, name: name)
            }
            schedule()
        }
    }

    private func received(_ d: BFDDatagram, now t: Instant) {
        let packet: BFDControlPacket
        do { packet = try BFDControlPacket.decode(d.bytes) } catch {
            logger.debug("bfd: packet from \(d.source) dropped: \(error)")
            return
        }
        let name: String?
        if packet.yourDiscriminator != 0 {
            name = sessions.first { $0.value.session.localDiscriminator == packet.yourDiscriminator }?.key
        } else {
            name = sessions.first { $0.value.session.configuration.neighbor == d.source }?.key
        }
        guard let name, var r = sessions[name] else {
            logger.debug("bfd: packet from \(d.source) (your discriminator \(packet.yourDiscriminator)) matches no session")
            return
        }
        guard r.session.configuration.neighbor == d.source else {
            logger.debug("bfd_instance \(name): packet from \(d.source), not the neighbor, dropped")
            return
        }
        guard r.session.configuration.acceptsTTL(d.ttl) else {
            logger.debug("bfd_instance \(name): packet with TTL \(d.ttl) dropped (max_hops \(r.session.configuration.maxHops))")
            return
        }
        let actions = r.session.received(packet, now: t)
        sessions[name] = r
        perform(actions, name: name)
    }

    private func perform(_ actions: [BFDSessionAction], name: String) {
        guard let r = sessions[name] else { return }
        for a in actions {
            switch a {
            case .send(let p):
                do { try r.socket.send(p.encode(), to: r.session.configuration.neighbor) } catch {
                    logger.debug("bfd_instance \(name): \(error)")
                }
            case .stateChanged(let from, let to, let diagnostic):
                let why = diagnostic == .none ? "" : " (\(diagnostic))"
                logger.notice("bfd_instance \(name): \(from) -> \(to)\(why)")
                changeSink.yield(BFDStateChange(name: name, from: from, to: to, diagnostic: diagnostic))
            }
        }
    }

    /// One tick at the earliest deadline of all sessions.
    private func schedule() {
        timer?.cancel()
        guard let next = sessions.values.compactMap(\.session.nextWakeup).min() else { return }
        let delay = max(.zero, next - now())
        let sink = inputSink
        timer = Task {
            do { try await Task.sleep(for: delay) } catch { return }
            sink.yield(.tick)
        }
    }
}
#endif
