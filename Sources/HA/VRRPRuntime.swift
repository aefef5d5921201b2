#if canImport(Glibc)
import Dispatch
import Glibc
import Foundation
import Logging
import Vocabulary

/// Something observable the runtime did; the Director consumes these as an `AsyncStream`.
public enum VRRPEvent: Sendable, Hashable {
    /// An instance changed state.
    case transition(instance: String, from: VRRPState, to: VRRPState, reason: VRRPTransitionReason)
    /// An I/O operation failed (send, address change); the runtime keeps running.
    case ioError(instance: String, message: String)
    /// A BACKUP instance's master went silent (`true`: a takeover may follow) or advertises again (`false`); see
    /// `VRRPAction.masterSilence`.
    case masterSilence(instance: String, silent: Bool)
    /// The runtime finished shutting down.
    case stopped
}

/// An instance's effective priority and what makes it so (for status pages).
public struct VRRPPriorityReport: Sendable, Hashable {
    /// Base priority plus tracker weights, clamped 1…254 (255 stays 255).
    public var effective: UInt8
    /// Whether a weight-0 tracker holds the instance in FAULT.
    public var fault: Bool
    /// One line per tracker with its current state and what it adds: `track_script chk_nginx up: +20`,
    /// `track_interface eth1 down: FAULT`, `track_file maint value 1 × -20: -20`.
    public var trackers: [String]
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
        case packet(UInt64, VRRPReceivedPacket)
        case tick
        case scriptResult(String, Bool)
        case interfaceState(String, Bool)
        case fileValue(String, Int)
        case garpBurst(UInt64, UInt64)
        case addPendingVIPs(UInt64, UInt64)
        case reload(VRRPRuntimeConfiguration)
        case shutdown
    }

    /// One running instance: its spec, core, socket and receive task. `id` tells stale inputs apart after a reload.
    private struct Slot {
        var id: UInt64
        var spec: VRRPInstanceSpec
        var instance: VRRPInstance
        var transport: any VRRPTransport
        var receiver: Task<Void, Never>
        var garpGeneration: UInt64 = 0
        /// Became MASTER; the VIPs wait for the takeover hook (the LVS table goes in first).
        var vipsPending = false
    }

    /// Called when an instance becomes MASTER, before its VIPs are added, with the instance's name and the reason.
    /// The Director installs the instance's IPVS services here, so that the first packet to the VIP finds the
    /// table. The VIPs are added when the hook returns, or after `takeoverHookLimit` at the latest.
    public typealias TakeoverHook = @Sendable (_ instance: String, _ reason: String) async -> Void
    /// Asked first, synchronously, on a takeover: `true` when the instance's table is already in (prepared while its
    /// master was silent), so the VIPs go up at once, without the hook's round trip.
    public typealias TakeoverReady = @Sendable (_ instance: String) -> Bool
    /// The longest a takeover waits for its hook before the VIPs are added anyway.
    public static let takeoverHookLimit: Duration = .seconds(1)
    private var takeoverHook: TakeoverHook?
    private var takeoverReady: TakeoverReady?

    /// Transitions and errors, in order. Finishes after `.stopped`.
    public nonisolated let events: AsyncStream<VRRPEvent>
    private let eventSink: AsyncStream<VRRPEvent>.Continuation
    private let inputs: AsyncStream<Input>
    private let inputSink: AsyncStream<Input>.Continuation

    private var configuration: VRRPRuntimeConfiguration
    private let addressControl: any AddressControl
    private let logger: Logger
    private let scriptRunner: VRRPScripts
    private let origin = ContinuousClock.now
    private var slots: [Slot] = []
    private var nextSlotID: UInt64 = 1
    private var scriptTrackers: [String: ScriptTracker] = [:]
    private var trackerSpecs: [String: VRRPScriptSpec] = [:]
    private var trackerTasks: [String: Task<Void, Never>] = [:]
    private var interfaceUp: [String: Bool] = [:]
    private var interfaceTasks: [String: Task<Void, Never>] = [:]
    private var fileValues: [String: Int] = [:]
    private var fileTasks: [String: Task<Void, Never>] = [:]
    private var fileSpecs: [String: VRRPTrackFileSpec] = [:]
    private var timerTask: Task<Void, Never>?
    private var timerDeadline: Instant?
    private var garpTasks: [Task<Void, Never>] = []

    /// Creates a runtime; nothing happens until `run()`.
    public init(configuration: VRRPRuntimeConfiguration, addressControl: any AddressControl = NetlinkAddressControl(),
                logger: Logger) {
        self.configuration = configuration
        self.addressControl = addressControl
        self.logger = logger
        self.scriptRunner = VRRPScripts(runner: ScriptRunner(security: configuration.scriptSecurity))
        (events, eventSink) = AsyncStream.makeStream(of: VRRPEvent.self, bufferingPolicy: .bufferingNewest(4096))
        (inputs, inputSink) = AsyncStream.makeStream(of: Input.self)
    }

    /// Asks the runtime to leave gracefully; `run()` returns when done. Safe to call from a signal handler task.
    public nonisolated func shutdown() {
        inputSink.yield(.shutdown)
    }

    /// Sets the hook run before VIPs are added on a takeover (see `TakeoverHook`). Set it before `run()`.
    public func setTakeoverHook(_ hook: TakeoverHook?, ready: TakeoverReady? = nil) {
        takeoverHook = hook
        takeoverReady = ready
    }

    /// Replaces the configuration (SIGHUP). Instances whose spec is unchanged keep running untouched
    /// (no flap); removed or changed ones leave as on shutdown (priority 0 if Master) and changed or new
    /// ones start in Backup. Scripts with unchanged specs keep their rise/fall state.
    public nonisolated func reload(_ configuration: VRRPRuntimeConfiguration) {
        inputSink.yield(.reload(configuration))
    }

    /// The current state of each instance, by name.
    public func states() -> [String: VRRPState] {
        Dictionary(slots.map { ($0.spec.name, $0.instance.currentState) }, uniquingKeysWith: { a, _ in a })
    }

    /// The effective priority of each instance and the trackers behind it, by name.
    public func priorities() -> [String: VRRPPriorityReport] {
        Dictionary(slots.map { slot in
            let t = trackerSum(slot.spec)
            return (slot.spec.name, VRRPPriorityReport(effective: slot.instance.effectivePriority, fault: t.fault,
                                                       trackers: t.lines))
        }, uniquingKeysWith: { a, _ in a })
    }

    /// Counters of each instance, by name.
    public func counters() -> [String: VRRPCounters] {
        Dictionary(slots.map { ($0.spec.name, $0.instance.counters) }, uniquingKeysWith: { a, _ in a })
    }

    private func now() -> Instant {
        Instant(nanoseconds: (ContinuousClock.now - origin).nanoseconds)
    }

    private func openSlot(_ spec: VRRPInstanceSpec) throws(VRRPRuntimeError) -> Slot {
        let t: RawSocketVRRPTransport
        do {
            t = try RawSocketVRRPTransport(interface: spec.interface, ipv6: spec.isIPv6,
                                           unicastSource: spec.unicastSource, unicastPeers: spec.unicastPeers)
        } catch {
            throw .transport(instance: spec.name, error)
        }
        addressControl.prepare(spec.virtualAddresses + spec.excludedAddresses, interface: spec.interface)
        var c = spec.configuration
        c.primaryAddress = t.sourceAddress
        let id = nextSlotID
        nextSlotID += 1
        let sink = inputSink
        let receiver = Task { for await p in t.packets { sink.yield(.packet(id, p)) } }
        return Slot(id: id, spec: spec, instance: VRRPInstance(configuration: c), transport: t, receiver: receiver)
    }

    private func closeSlot(_ slot: Slot) {
        slot.receiver.cancel()
        slot.transport.close()
    }

    /// Runs until `shutdown()`. Throws if a transport cannot be opened at start (nothing is left running then).
    public func run() async throws(VRRPRuntimeError) {
        for spec in configuration.instances {
            do { slots.append(try openSlot(spec)) } catch {
                for s in slots { closeSlot(s) }
                slots = []
                throw error
            }
        }
        for s in slots where s.spec.configuration.version == .v2 && s.spec.configuration.authentication == .ah {
            logger.warning("\(s.spec.name): auth_type AH is not implemented; every advertisement will be discarded")
        }
        startTrackers()
        let t = now()
        for i in slots.indices {
            applyTrackers(to: i, now: t)
            perform(slots[i].instance.start(now: t), slot: i)
        }
        rearmTimer()
        loop: for await input in inputs {
            let t = now()
            switch input {
            case .packet(let id, let packet):
                if let i = slots.firstIndex(where: { $0.id == id }) { received(packet, slot: i, now: t) }
            case .tick:
                for i in slots.indices {
                    if let d = slots[i].instance.nextWakeup, d <= t { perform(slots[i].instance.deadlineReached(now: t), slot: i) }
                }
            case .scriptResult(let name, let ok):
                if scriptTrackers[name]?.resultReceived(success: ok) == true {
                    logger.info("VRRP_Script(\(name)) \(ok ? "succeeded" : "failed")")
                    for i in slots.indices where slots[i].spec.trackScripts.contains(where: { $0.name == name }) {
                        applyTrackers(to: i, now: t)
                    }
                }
            case .interfaceState(let name, let up):
                if interfaceUp[name] != up {
                    interfaceUp[name] = up
                    logger.info("interface \(name) is \(up ? "up" : "down")")
                    for i in slots.indices where slots[i].spec.trackInterfaces.contains(where: { $0.name == name }) {
                        applyTrackers(to: i, now: t)
                    }
                }
            case .fileValue(let name, let value):
                if fileValues[name] != value {
                    fileValues[name] = value
                    logger.info("track file \(name) now \(value)")
                    for i in slots.indices where slots[i].spec.trackFiles.contains(where: { $0.name == name }) {
                        applyTrackers(to: i, now: t)
                    }
                }
            case .garpBurst(let id, let generation):
                if let i = slots.firstIndex(where: { $0.id == id }), generation == slots[i].garpGeneration,
                   slots[i].instance.currentState == .master {
                    announce(i)
                }
            case .addPendingVIPs(let id, let generation):
                if let i = slots.firstIndex(where: { $0.id == id }), slots[i].vipsPending,
                   slots[i].garpGeneration == generation, slots[i].instance.currentState == .master {
                    addVIPs(i)
                }
            case .reload(let new):
                applyReload(new, now: t)
            case .shutdown:
                for i in slots.indices { perform(slots[i].instance.shutdown(now: t), slot: i) }
                break loop
            }
            rearmTimer()
        }
        timerTask?.cancel()
        for task in trackerTasks.values { task.cancel() }
        for task in interfaceTasks.values { task.cancel() }
        for task in fileTasks.values { task.cancel() }
        for task in garpTasks { task.cancel() }
        for s in slots { closeSlot(s) }
        eventSink.yield(.stopped)
        eventSink.finish()
        inputSink.finish()
    }

    private func applyReload(_ new: VRRPRuntimeConfiguration, now t: Instant) {
        let wanted = Dictionary(new.instances.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // Stop removed and changed instances.
        var kept: [Slot] = []
        for i in slots.indices {
            if wanted[slots[i].spec.name] == slots[i].spec {
                kept.append(slots[i])
            } else {
                perform(slots[i].instance.shutdown(now: t), slot: i)
                closeSlot(slots[i])
            }
        }
        slots = kept
        configuration = new
        startTrackers()
        for spec in new.instances where !slots.contains(where: { $0.spec.name == spec.name }) {
            do {
                slots.append(try openSlot(spec))
                let i = slots.count - 1
                applyTrackers(to: i, now: t)
                perform(slots[i].instance.start(now: t), slot: i)
            } catch {
                logger.error("\(error)")
                eventSink.yield(.ioError(instance: spec.name, message: "\(error)"))
            }
        }
        logger.notice("reloaded: \(slots.count) VRRP instance(s)")
    }

    private func received(_ packet: VRRPReceivedPacket, slot i: Int, now: Instant) {
        let spec = slots[i].spec
        // Unicast: only the configured peers count.
        if !spec.unicastPeers.isEmpty && !spec.unicastPeers.contains(packet.source) { return }
        do {
            let ad = try VRRPAdvertisement.decode(packet.payload, source: packet.source, destination: packet.destination)
            // Adverts of other virtual routers on the same link are not ours to count.
            if ad.vrid != spec.configuration.vrid { return }
            perform(slots[i].instance.advertisementReceived(ad, from: packet.source, ttl: packet.ttl, now: now), slot: i)
        } catch {
            perform(slots[i].instance.malformedPacketReceived(error, from: packet.source), slot: i)
        }
    }

    private func rearmTimer() {
        let next = slots.compactMap(\.instance.nextWakeup).min()
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

    private func perform(_ actions: [VRRPAction], slot i: Int) {
        let spec = slots[i].spec
        for action in actions {
            switch action {
            case .send(let ad):
                do { try slots[i].transport.send(ad) } catch {
                    logger.error("\(spec.name): send failed: \(error)")
                    eventSink.yield(.ioError(instance: spec.name, message: "\(error)"))
                }
            case .addVIPs:
                slots[i].garpGeneration &+= 1
                guard let hook = takeoverHook, takeoverReady?(spec.name) != true else {
                    addVIPs(i)
                    continue
                }
                // The table first: the hook installs it, then (or at the limit) the VIPs are added.
                slots[i].vipsPending = true
                let reason = actions.lazy.compactMap { action -> String? in
                    if case .transition(_, .master, let r) = action { return "\(r)" }
                    return nil
                }.first ?? "MASTER"
                let id = slots[i].id, generation = slots[i].garpGeneration, sink = inputSink, name = spec.name
                Task {
                    await hook(name, reason)
                    sink.yield(.addPendingVIPs(id, generation))
                }
                Task {
                    try? await Task.sleep(for: Self.takeoverHookLimit)
                    sink.yield(.addPendingVIPs(id, generation))
                }
            case .removeVIPs:
                slots[i].garpGeneration &+= 1
                if slots[i].vipsPending {
                    slots[i].vipsPending = false
                    continue
                }
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
                          priority: slots[i].instance.effectivePriority)
                syncGroupFollow(member: i, to: to)
            case .discarded(let reason, let from):
                logger.debug("\(spec.name): discarded advert from \(from): \(reason)")
            case .masterSilence(let silent):
                if silent {
                    logger.info("\(spec.name): master silent (no advert for 1.5 intervals, or priority 0), takeover may follow")
                } else {
                    logger.info("\(spec.name): master advertising again")
                }
                eventSink.yield(.masterSilence(instance: spec.name, silent: silent))
            case .addressListMismatch(let from, let theirs):
                logger.warning("\(spec.name): advert from \(from) lists \(theirs.map(\.description).joined(separator: " ")), which differs from the configured virtual addresses")
            }
        }
    }

    private func syncGroupFollow(member i: Int, to: VRRPState) {
        let name = slots[i].spec.name
        guard let group = configuration.syncGroups.first(where: { $0.members.contains(name) }) else { return }
        guard to == .master || to == .backup || to == .fault else { return }
        let t = now()
        for j in slots.indices where j != i && group.members.contains(slots[j].spec.name) {
            if slots[j].instance.currentState != to {
                perform(slots[j].instance.syncGroupForced(to: to, group: group.name, now: t), slot: j)
            }
        }
        if slots.filter({ group.members.contains($0.spec.name) }).allSatisfy({ $0.instance.currentState == to }) {
            runNotify(group.notify, type: "GROUP", name: group.name, state: to, priority: 0)
        }
    }

    private func addVIPs(_ i: Int) {
        let spec = slots[i].spec
        slots[i].vipsPending = false
        let addresses = spec.virtualAddresses + spec.excludedAddresses
        do {
            try addressControl.add(addresses, interface: spec.interface)
            announce(i)   // before the log line: the announcement is on the client-visible path
            logger.info("\(spec.name): virtual addresses added (\(addresses.count)) and announced")
        } catch {
            logger.error("\(spec.name): \(error)")
            eventSink.yield(.ioError(instance: spec.name, message: "\(error)"))
            announce(i)
        }
        scheduleGARP(i)
    }

    private func announce(_ i: Int) {
        let spec = slots[i].spec
        let count = max(1, spec.garp.masterRepeat)
        for _ in 0..<count {
            do { try addressControl.announce(spec.virtualAddresses + spec.excludedAddresses, interface: spec.interface) } catch {
                logger.error("\(spec.name): \(error)")
                return
            }
        }
    }

    private func scheduleGARP(_ i: Int) {
        let spec = slots[i].spec
        let generation = slots[i].garpGeneration
        let id = slots[i].id
        let sink = inputSink
        let delay = spec.garp.masterDelay
        let refresh = spec.garp.masterRefresh
        guard delay > .zero || refresh > .zero else { return }
        garpTasks.removeAll { $0.isCancelled }
        garpTasks.append(Task {
            if delay > .zero {
                do { try await Task.sleep(for: delay) } catch { return }
                sink.yield(.garpBurst(id, generation))
            }
            guard refresh > .zero else { return }
            while !Task.isCancelled {
                do { try await Task.sleep(for: refresh) } catch { return }
                sink.yield(.garpBurst(id, generation))
            }
        })
    }

    // MARK: Trackers

    /// Starts tracker tasks for scripts and interfaces referenced by the configuration; keeps those
    /// whose spec is unchanged and stops those no longer referenced.
    private func startTrackers() {
        let used = Set(configuration.instances.flatMap { $0.trackScripts.map(\.name) })
        let wanted = Dictionary(configuration.scripts.filter { used.contains($0.name) }.map { ($0.name, $0) },
                                uniquingKeysWith: { a, _ in a })
        for (name, task) in trackerTasks where wanted[name] != trackerSpecs[name] {
            task.cancel()
            trackerTasks[name] = nil
            scriptTrackers[name] = nil
            trackerSpecs[name] = nil
        }
        for (name, script) in wanted where trackerTasks[name] == nil {
            scriptTrackers[name] = ScriptTracker(rise: script.rise, fall: script.fall, initFail: script.initFail)
            trackerSpecs[name] = script
            let sink = inputSink
            let logger = self.logger
            trackerTasks[name] = Task {
                while !Task.isCancelled {
                    let ok = await scriptRunner.check(script.command, timeout: script.timeout, logger: logger)
                    if Task.isCancelled { return }
                    sink.yield(.scriptResult(script.name, ok))
                    do { try await Task.sleep(for: script.interval) } catch { return }
                }
            }
        }
        let interfaces = Set(configuration.instances.flatMap { $0.trackInterfaces.map(\.name) })
        for (name, task) in interfaceTasks where !interfaces.contains(name) {
            task.cancel()
            interfaceTasks[name] = nil
        }
        let usedFiles = Set(configuration.instances.flatMap { $0.trackFiles.map(\.name) })
        let wantedFiles = Dictionary(configuration.trackFiles.filter { usedFiles.contains($0.name) }.map { ($0.name, $0) },
                                     uniquingKeysWith: { a, _ in a })
        for (name, task) in fileTasks where wantedFiles[name] != fileSpecs[name] {
            task.cancel()
            fileTasks[name] = nil
            fileSpecs[name] = nil
        }
        for (name, spec) in wantedFiles where fileTasks[name] == nil {
            fileSpecs[name] = spec
            fileValues[name] = Self.readValue(spec)
            let sink = inputSink
            fileTasks[name] = Task {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: .milliseconds(200)) } catch { return }
                    sink.yield(.fileValue(name, Self.readValue(spec)))
                }
            }
        }
        for name in interfaces where interfaceTasks[name] == nil {
            interfaceUp[name] = Self.linkIsUp(name)
            let sink = inputSink
            interfaceTasks[name] = Task {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: .milliseconds(200)) } catch { return }
                    sink.yield(.interfaceState(name, Self.linkIsUp(name)))
                }
            }
        }
    }

    /// The integer at the start of the file, or the spec's `initValue` when missing or unparsable.
    static func readValue(_ spec: VRRPTrackFileSpec) -> Int {
        guard let f = fopen(spec.path, "r") else { return spec.initValue }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 64)
        guard fgets(&line, 64, f) != nil else { return spec.initValue }
        let end = line.firstIndex(of: 0) ?? line.count
        let text = String(decoding: line[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? spec.initValue
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
        let t = trackerSum(slots[i].spec)
        perform(slots[i].instance.priorityAdjustmentChanged(to: t.adjustment, now: now), slot: i)
        perform(slots[i].instance.faultChanged(t.fault, now: now), slot: i)
    }

    /// What the trackers of `spec` add up to now, with one line each saying why. A weight-0 tracker that fails means
    /// FAULT; a positive weight counts while up, a negative one while down; a file's value is multiplied by its weight.
    private func trackerSum(_ spec: VRRPInstanceSpec) -> (adjustment: Int, fault: Bool, lines: [String]) {
        var adjustment = 0
        var fault = false
        var lines: [String] = []
        func upDown(_ kind: String, _ name: String, weight: Int, up: Bool) {
            let what = "\(kind) \(name) \(up ? "up" : "down")"
            if weight == 0 {
                if !up { fault = true }
                lines.append("\(what): \(up ? "0" : "FAULT")")
            } else {
                let add = (weight > 0) == up ? weight : 0
                adjustment += add
                lines.append("\(what): \(add >= 0 ? "+" : "")\(add)")
            }
        }
        for ref in spec.trackScripts {
            upDown("track_script", ref.name, weight: ref.weight, up: scriptTrackers[ref.name]?.isUp ?? true)
        }
        for ref in spec.trackInterfaces {
            upDown("track_interface", ref.name, weight: ref.weight, up: interfaceUp[ref.name] ?? false)
        }
        for ref in spec.trackFiles {
            let value = fileValues[ref.name] ?? 0
            if ref.weight == 0 {
                if value != 0 { fault = true }
                lines.append("track_file \(ref.name) value \(value): \(value != 0 ? "FAULT" : "0")")
            } else {
                adjustment += value * ref.weight
                lines.append("track_file \(ref.name) value \(value) × \(ref.weight): \(value * ref.weight >= 0 ? "+" : "")\(value * ref.weight)")
            }
        }
        return (adjustment, fault, lines)
    }

    private func runNotify(_ scripts: VRRPNotifyScripts, type: String, name: String, state: VRRPState, priority: UInt8) {
        let specific: ScriptCommand?
        switch state {
        case .master: specific = scripts.master
        case .backup: specific = scripts.backup
        case .fault: specific = scripts.fault
        case .stop: specific = scripts.stop
        case .initialize: specific = nil
        }
        if let s = specific { scriptRunner.notify(s, arguments: [], logger: logger) }
        if let g = scripts.generic {
            scriptRunner.notify(g, arguments: [type, name, state.rawValue, String(priority)], logger: logger)
        }
    }
}

/// The runtime's scripts: tracker checks (waited for; at their timeout the whole process group — the script and
/// anything it forked — is killed) and notify scripts (fire and forget, so a slow script never delays a
/// transition). Both go through Vocabulary's `ScriptRunner`, which applies `user`/`script_user` and script security.
struct VRRPScripts: Sendable {
    var runner: ScriptRunner

    /// Starts a notify script and returns at once.
    func notify(_ command: ScriptCommand, arguments: [String], logger: Logger) {
        if let failure = runner.launch(command, arguments: arguments) {
            logger.error("notify script \(command): \(failure)")
        }
    }

    /// Runs a check script; true when it exits 0 before `timeout`.
    func check(_ command: ScriptCommand, timeout: Duration, logger: Logger) async -> Bool {
        let exit = await runner.run(command, timeout: timeout)
        if case .failedToStart(let reason) = exit { logger.warning("vrrp_script \(command): \(reason)") }
        return exit.succeeded
    }
}
#endif
