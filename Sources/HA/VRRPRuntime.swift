#if canImport(Glibc)
import Glibc
import Foundation
import Logging

/// Something observable the runtime did; the Director consumes these as an `AsyncStream`.
public enum VRRPEvent: Sendable, Hashable {
    /// An instance changed state.
    case transition(instance: String, from: VRRPState, to: VRRPState, reason: VRRPTransitionReason)
    /// An I/O operation failed (send, address change); the runtime keeps running.
    case ioError(instance: String, message: String)
    /// The runtime finished shutting down.
    case stopped
}

/// Why the runtime could not start.
public enum VRRPRuntimeError: Error, Sendable, CustomStringConvertible {
    /// Opening the transport of an instance failed.
    case transport(instance: String, VRRPTransportError)

    public var description: String {
        switch self {
        case .transport(let i, let e): return "vrrp_instance \(i): \(e)"
        }
    }
}

/// Drives every `VRRPInstance` of a configuration with real sockets, netlink and a monotonic clock.
///
/// `run()` opens the transports, starts the instances and processes packets, timers and tracker
/// results one at a time until `shutdown()` is called; then every Master sends a priority-0 advert,
/// VIPs are removed, notify_stop scripts run, and `run()` returns. Transitions are logged as one line
/// each and published on `events`.
public actor VRRPRuntime {
    private enum Input: Sendable {
        case packet(Int, VRRPReceivedPacket)
        case tick
        case scriptResult(String, Bool)
        case interfaceState(String, Bool)
        case garpBurst(Int, UInt64)
        case shutdown
    }

    /// Transitions and errors, in order. Finishes after `.stopped`.
    public nonisolated let events: AsyncStream<VRRPEvent>
    private let eventSink: AsyncStream<VRRPEvent>.Continuation
    private let inputs: AsyncStream<Input>
    private let inputSink: AsyncStream<Input>.Continuation

    private let configuration: VRRPRuntimeConfiguration
    private let addressControl: any AddressControl
    private let logger: Logger
    private let origin = ContinuousClock.now
    private var instances: [VRRPInstance] = []
    private var transports: [any VRRPTransport] = []
    private var scriptTrackers: [String: ScriptTracker] = [:]
    private var interfaceUp: [String: Bool] = [:]
    private var timerTask: Task<Void, Never>?
    private var timerDeadline: Instant?
    private var helperTasks: [Task<Void, Never>] = []
    private var garpGeneration: [UInt64] = []

    /// Creates a runtime; nothing happens until `run()`.
    public init(configuration: VRRPRuntimeConfiguration, addressControl: any AddressControl = NetlinkAddressControl(),
                logger: Logger) {
        self.configuration = configuration
        self.addressControl = addressControl
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream(of: VRRPEvent.self, bufferingPolicy: .bufferingNewest(4096))
        (inputs, inputSink) = AsyncStream.makeStream(of: Input.self)
    }

    /// Asks the runtime to leave gracefully; `run()` returns when done. Safe to call from a signal handler task.
    public nonisolated func shutdown() {
        inputSink.yield(.shutdown)
    }

    /// The current state of each instance, by name.
    public func states() -> [String: VRRPState] {
        Dictionary(uniqueKeysWithValues: zip(configuration.instances.map(\.name), instances.map(\.currentState)))
    }

    /// Counters of each instance, by name.
    public func counters() -> [String: VRRPCounters] {
        Dictionary(uniqueKeysWithValues: zip(configuration.instances.map(\.name), instances.map(\.counters)))
    }

    private func now() -> Instant {
        Instant(nanoseconds: (ContinuousClock.now - origin).nanoseconds)
    }

    /// Runs until `shutdown()`. Throws if a transport cannot be opened (nothing is left running then).
    public func run() async throws(VRRPRuntimeError) {
        for spec in configuration.instances {
            do {
                let t = try RawSocketVRRPTransport(interface: spec.interface, ipv6: spec.isIPv6,
                                                   unicastSource: spec.unicastSource, unicastPeers: spec.unicastPeers)
                transports.append(t)
                var c = spec.configuration
                c.primaryAddress = t.sourceAddress
                instances.append(VRRPInstance(configuration: c))
            } catch {
                for t in transports { t.close() }
                throw .transport(instance: spec.name, error)
            }
        }
        garpGeneration = Array(repeating: 0, count: instances.count)
        for (i, t) in transports.enumerated() {
            let sink = inputSink
            helperTasks.append(Task { for await p in t.packets { sink.yield(.packet(i, p)) } })
        }
        startTrackers()
        let t = now()
        for i in instances.indices {
            applyTrackers(to: i, now: t)
            perform(instances[i].start(now: t), instance: i)
        }
        rearmTimer()
        loop: for await input in inputs {
            let t = now()
            switch input {
            case .packet(let i, let packet):
                received(packet, instance: i, now: t)
            case .tick:
                for i in instances.indices {
                    if let d = instances[i].nextDeadline, d <= t { perform(instances[i].deadlineReached(now: t), instance: i) }
                }
            case .scriptResult(let name, let ok):
                if scriptTrackers[name]?.resultReceived(success: ok) == true {
                    logger.info("VRRP_Script(\(name)) \(ok ? "succeeded" : "failed")")
                    for i in instances.indices where configuration.instances[i].trackScripts.contains(where: { $0.name == name }) {
                        applyTrackers(to: i, now: t)
                    }
                }
            case .interfaceState(let name, let up):
                if interfaceUp[name] != up {
                    interfaceUp[name] = up
                    logger.info("Netlink reports \(name) \(up ? "up" : "down")")
                    for i in instances.indices where configuration.instances[i].trackInterfaces.contains(where: { $0.name == name }) {
                        applyTrackers(to: i, now: t)
                    }
                }
            case .garpBurst(let i, let generation):
                if generation == garpGeneration[i], instances[i].currentState == .master { announce(i) }
            case .shutdown:
                for i in instances.indices { perform(instances[i].shutdown(now: t), instance: i) }
                break loop
            }
            rearmTimer()
        }
        timerTask?.cancel()
        for task in helperTasks { task.cancel() }
        for transport in transports { transport.close() }
        eventSink.yield(.stopped)
        eventSink.finish()
        inputSink.finish()
    }

    private func received(_ packet: VRRPReceivedPacket, instance i: Int, now: Instant) {
        let spec = configuration.instances[i]
        // Unicast: only the configured peers count.
        if !spec.unicastPeers.isEmpty && !spec.unicastPeers.contains(packet.source) { return }
        do {
            let ad = try VRRPAdvertisement.decode(packet.payload, source: packet.source, destination: packet.destination)
            // Adverts of other virtual routers on the same link are not ours to count.
            if ad.vrid != spec.configuration.vrid { return }
            perform(instances[i].advertisementReceived(ad, from: packet.source, ttl: packet.ttl, now: now), instance: i)
        } catch {
            perform(instances[i].malformedPacketReceived(error, from: packet.source), instance: i)
        }
    }

    private func rearmTimer() {
        let next = instances.compactMap(\.nextDeadline).min()
        guard next != timerDeadline else { return }
        timerTask?.cancel()
        timerDeadline = next
        guard let next else { return }
        let wake = origin + .nanoseconds(next.nanoseconds)
        let sink = inputSink
        timerTask = Task {
            do { try await Task.sleep(until: wake, clock: .continuous) } catch { return }
            sink.yield(.tick)
        }
    }

    private func perform(_ actions: [VRRPAction], instance i: Int) {
        let spec = configuration.instances[i]
        for action in actions {
            switch action {
            case .send(let ad):
                do { try transports[i].send(ad) } catch {
                    logger.error("\(spec.name): send failed: \(error)")
                    eventSink.yield(.ioError(instance: spec.name, message: "\(error)"))
                }
            case .addVIPs:
                do {
                    try addressControl.add(spec.virtualAddresses + spec.excludedAddresses, interface: spec.interface)
                } catch {
                    logger.error("\(spec.name): \(error)")
                    eventSink.yield(.ioError(instance: spec.name, message: "\(error)"))
                }
                garpGeneration[i] &+= 1
                announce(i)
                scheduleGARP(i)
            case .removeVIPs:
                garpGeneration[i] &+= 1
                do {
                    try addressControl.remove(spec.virtualAddresses + spec.excludedAddresses, interface: spec.interface)
                } catch {
                    logger.error("\(spec.name): \(error)")
                    eventSink.yield(.ioError(instance: spec.name, message: "\(error)"))
                }
            case .transition(let from, let to, let reason):
                logger.notice("\(spec.name): \(from) -> \(to) (\(reason))")
                eventSink.yield(.transition(instance: spec.name, from: from, to: to, reason: reason))
                runNotify(spec.notify, type: "INSTANCE", name: spec.name, state: to,
                          priority: instances[i].effectivePriority)
                syncGroupFollow(member: i, to: to)
            case .discarded(let reason, let from):
                logger.debug("\(spec.name): discarded advert from \(from): \(reason)")
            case .addressListMismatch(let from, let theirs):
                logger.warning("\(spec.name): advert from \(from) lists \(theirs.map(\.description).joined(separator: " ")), which differs from the configured virtual addresses")
            }
        }
    }

    private func syncGroupFollow(member i: Int, to: VRRPState) {
        let name = configuration.instances[i].name
        guard let group = configuration.syncGroups.first(where: { $0.members.contains(name) }) else { return }
        guard to == .master || to == .backup || to == .fault else { return }
        let t = now()
        for (j, spec) in configuration.instances.enumerated() where j != i && group.members.contains(spec.name) {
            if instances[j].currentState != to {
                perform(instances[j].syncGroupForced(to: to, group: group.name, now: t), instance: j)
            }
        }
        if instances.indices.filter({ group.members.contains(configuration.instances[$0].name) })
            .allSatisfy({ instances[$0].currentState == to }) {
            runNotify(group.notify, type: "GROUP", name: group.name, state: to, priority: 0)
        }
    }

    private func announce(_ i: Int) {
        let spec = configuration.instances[i]
        let count = max(1, spec.garp.masterRepeat)
        for _ in 0..<count {
            do { try addressControl.announce(spec.virtualAddresses + spec.excludedAddresses, interface: spec.interface) } catch {
                logger.error("\(spec.name): \(error)")
                return
            }
        }
    }

    private func scheduleGARP(_ i: Int) {
        let spec = configuration.instances[i]
        let generation = garpGeneration[i]
        let sink = inputSink
        let delay = spec.garp.masterDelay
        let refresh = spec.garp.masterRefresh
        guard delay > .zero || refresh > .zero else { return }
        helperTasks.append(Task {
            if delay > .zero {
                do { try await Task.sleep(for: delay) } catch { return }
                sink.yield(.garpBurst(i, generation))
            }
            guard refresh > .zero else { return }
            while !Task.isCancelled {
                do { try await Task.sleep(for: refresh) } catch { return }
                sink.yield(.garpBurst(i, generation))
            }
        })
    }

    // MARK: Trackers

    private func startTrackers() {
        let used = Set(configuration.instances.flatMap { $0.trackScripts.map(\.name) })
        for script in configuration.scripts where used.contains(script.name) {
            scriptTrackers[script.name] = ScriptTracker(rise: script.rise, fall: script.fall, initFail: script.initFail)
            let sink = inputSink
            let logger = self.logger
            helperTasks.append(Task {
                while !Task.isCancelled {
                    let ok = await ProcessScriptRunner.run(script.command, timeout: script.timeout, logger: logger)
                    sink.yield(.scriptResult(script.name, ok))
                    do { try await Task.sleep(for: script.interval) } catch { return }
                }
            })
        }
        let interfaces = Set(configuration.instances.flatMap { $0.trackInterfaces.map(\.name) })
        for name in interfaces {
            interfaceUp[name] = Self.linkIsUp(name)
            let sink = inputSink
            helperTasks.append(Task {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: .milliseconds(200)) } catch { return }
                    sink.yield(.interfaceState(name, Self.linkIsUp(name)))
                }
            })
        }
    }

    /// Reads the operational state from sysfs; "up" and "unknown" (e.g. dummy) count as up.
    static func linkIsUp(_ name: String) -> Bool {
        guard let f = fopen("/sys/class/net/\(name)/operstate", "r") else { return false }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 32)
        guard fgets(&line, 32, f) != nil else { return false }
        let end = line.firstIndex(of: 0) ?? line.count
        let text = String(decoding: line[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.hasPrefix("up") || text.hasPrefix("unknown")
    }

    private func applyTrackers(to i: Int, now: Instant) {
        let spec = configuration.instances[i]
        var adjustment = 0
        var fault = false
        for ref in spec.trackScripts {
            let up = scriptTrackers[ref.name]?.isUp ?? true
            if ref.weight == 0 { if !up { fault = true } } else if ref.weight > 0 { if up { adjustment += ref.weight } } else if !up { adjustment += ref.weight }
        }
        for ref in spec.trackInterfaces {
            let up = interfaceUp[ref.name] ?? false
            if ref.weight == 0 { if !up { fault = true } } else if ref.weight > 0 { if up { adjustment += ref.weight } } else if !up { adjustment += ref.weight }
        }
        perform(instances[i].priorityAdjustmentChanged(to: adjustment, now: now), instance: i)
        perform(instances[i].faultChanged(fault, now: now), instance: i)
    }

    private func runNotify(_ scripts: VRRPNotifyScripts, type: String, name: String, state: VRRPState, priority: UInt8) {
        let specific: String?
        switch state {
        case .master: specific = scripts.master
        case .backup: specific = scripts.backup
        case .fault: specific = scripts.fault
        case .stop: specific = scripts.stop
        case .initialize: specific = nil
        }
        if let s = specific { ProcessScriptRunner.launch(s, arguments: [], logger: logger) }
        if let g = scripts.generic {
            ProcessScriptRunner.launch(g, arguments: [type, name, state.rawValue, String(priority)], logger: logger)
        }
    }
}

/// Runs scripts as child processes: tracker checks (waited for, killed at their timeout) and notify
/// scripts (fire and forget, so a slow script never delays a transition).
public enum ProcessScriptRunner {
    private static let bashAvailable = access("/bin/bash", X_OK) == 0

    private static func process(_ command: String, arguments: [String]) -> Process? {
        let argv = ScriptInvocation.argv(command, arguments: arguments, bashAvailable: bashAvailable)
        guard let exe = argv.first else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe.hasPrefix("/") ? exe : "/usr/bin/env")
        p.arguments = exe.hasPrefix("/") ? Array(argv.dropFirst()) : argv
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        return p
    }

    /// Starts a notify script and returns at once.
    public static func launch(_ command: String, arguments: [String], logger: Logger) {
        guard let p = process(command, arguments: arguments) else { return }
        do { try p.run() } catch { logger.error("notify script \(command): \(error)") }
    }

    /// Runs a check script; true when it exits 0 before `timeout`. A hung script is killed (SIGKILL) and fails.
    public static func run(_ command: String, timeout: Duration, logger: Logger) async -> Bool {
        guard let p = process(command, arguments: []) else { return false }
        return await withCheckedContinuation { (cont: CheckedContinuation<Bool, Never>) in
            let once = ResumeOnce(cont)
            p.terminationHandler = { proc in
                once.resume(proc.terminationReason == .exit && proc.terminationStatus == 0)
            }
            do { try p.run() } catch {
                logger.warning("vrrp_script \(command): \(error)")
                once.resume(false)
                return
            }
            let pid = p.processIdentifier
            Task {
                try? await Task.sleep(for: timeout)
                if p.isRunning { kill(pid, SIGKILL) }
            }
        }
    }
}

/// Resumes a continuation at most once (termination handler vs. launch failure).
private final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Bool, Never>?

    init(_ c: CheckedContinuation<Bool, Never>) { continuation = c }

    func resume(_ value: Bool) {
        lock.lock()
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.resume(returning: value)
    }
}
#endif
