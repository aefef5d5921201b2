#if canImport(Glibc)
import Foundation
import Glibc
import Logging
import Synchronization
import Vocabulary

/// Why the runtime could not start.
public enum VRRPRuntimeError: Error, Sendable, CustomStringConvertible {
    /// Opening the transport of an instance failed.
    case transport(instance: String, VRRPTransportError)
    /// The `use_vmac` macvlan of an instance could not be had.
    case vmac(instance: String, VMACError)

    public var description: String {
        switch self {
        case .transport(let i, let e): return "vrrp_instance \(i): \(e)"
        case .vmac(let i, let e): return "vrrp_instance \(i): \(e)"
        }
    }
}

/// Drives a `VRRPRouter` with real sockets, netlink (addresses, and link events for interface tracking), track
/// files, child processes and a monotonic clock.
///
/// `run()` opens the transports, starts the instances and feeds the router packets, timer ticks, tracker readings
/// and takeover reports one at a time until `shutdown()` is called; then every Master sends a priority-0 advert,
/// VIPs are removed, notify_stop scripts run, and `run()` returns. The runtime performs the router's actions and
/// decides nothing itself: transitions are logged as one line each and published on `events`.
public actor VRRPRuntime {
    private enum Input: Sendable {
        case packet(link: UInt64, instance: String, VRRPReceivedPacket)
        case tick
        case scriptResult(String, Bool)
        case links(LinkMonitorEvent)
        case fileValue(String, Int)
        case takeoverPrepared(ticket: UInt64)
        case preemptionHold(instance: String, held: Bool)
        case reload(VRRPRuntimeConfiguration)
        case processes(ProcessMonitorEvent)
        case bfd(String, up: Bool)
        case shutdown
    }

    /// An instance's open transport. `id` tells its packets apart from those of an earlier transport of the same name.
    private struct Link {
        var id: UInt64
        var transport: any VRRPTransport
        var receiver: Task<Void, Never>
    }

    /// Called when an instance becomes MASTER, before its VIPs are added, with the instance's name and the reason.
    /// The Director installs the instance's IPVS services here, so that the first packet to the VIP finds the
    /// table. The VIPs are added when the hook returns, or after `takeoverHookLimit` at the latest.
    public typealias TakeoverHook = @Sendable (_ instance: String, _ reason: String) async -> Void
    /// Asked first, synchronously, on a takeover: `true` when the instance's table is already in (prepared while its
    /// master was silent), so the VIPs go up at once, without the hook's round trip.
    public typealias TakeoverReady = @Sendable (_ instance: String) -> Bool
    /// The longest a takeover waits for its hook before the VIPs are added anyway.
    public static let takeoverHookLimit: Duration = VRRPRouter.takeoverLimit
    private var takeoverHook: TakeoverHook?
    private var takeoverReady: TakeoverReady?

    /// Transitions and errors, in order. Finishes after `.stopped`.
    public nonisolated let events: AsyncStream<VRRPEvent>
    private let eventSink: AsyncStream<VRRPEvent>.Continuation
    private let inputs: AsyncStream<Input>
    private let inputSink: AsyncStream<Input>.Continuation

    private var router: VRRPRouter
    private let addressControl: any AddressControl
    private let vipFilter: any VIPFilter
    private let routeControl: any RouteControl
    private let vmacControl: any VMACControl
    /// The macvlans this run has (created or reused), by macvlan name, and the base switches' values before it.
    private var vmacs: [String: VMACSpec] = [:]
    private var baseSwitchesBefore: [String: VMACPlan.Switch] = [:]
    private var fifos: NotifyFifos?
    private var vipFilterBook = VIPFilterBook()
    private let scripts: VRRPScripts
    private let logger: Logger
    private let origin = ContinuousClock.now
    private var links: [String: Link] = [:]
    private var nextLinkID: UInt64 = 1
    private var scriptTasks = WatchTasks<VRRPScriptSpec>()
    /// The scripts whose run is in progress (written by their tasks, read by `scriptStatuses`).
    private let runningScripts = RunningScripts()
    /// Link states from rtnetlink (a dump at start, then events); the router hears the changes of names it watches.
    private var linkTable = LinkTable()
    /// When each gratuitous ARP / unsolicited NA may go out (`vrrp_garp_interval`, `garp_group`).
    private var pacer = GARPPacer()
    private var linkMonitor: NetlinkLinkMonitor?
    private var linkTask: Task<Void, Never>?
    private var fileTasks = WatchTasks<VRRPTrackFileSpec>()
    /// `vrrp_track_process`: the monitor (while some instance tracks a process) and what it reported.
    private var processMonitor: ProcConnectorProcessMonitor?
    private var processTask: Task<Void, Never>?
    private var census = ProcessCensus()
    private var timerTask: Task<Void, Never>?
    private var timerDeadline: Instant?

    /// Creates a runtime; nothing happens until `run()`.
    public init(configuration: VRRPRuntimeConfiguration, addressControl: any AddressControl = NetlinkAddressControl(),
                vipFilter: (any VIPFilter)? = nil, routeControl: any RouteControl = NetlinkRouteControl(),
                vmacControl: any VMACControl = NetlinkVMACControl(), logger: Logger) {
        self.router = VRRPRouter(configuration: configuration)
        self.pacer = GARPPacer(garpInterval: configuration.garpInterval, gnaInterval: configuration.gnaInterval,
                               groups: configuration.garpGroups)
        self.addressControl = addressControl
        self.routeControl = routeControl
        self.vmacControl = vmacControl
        self.vipFilter = vipFilter ?? NFTablesVIPFilter(settings: configuration.vipFilter)
        self.logger = logger
        self.scripts = VRRPScripts(runner: ScriptRunner(security: configuration.scriptSecurity))
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

    /// Replaces the configuration (SIGHUP); see `VRRPRouter.configurationReloaded(_:now:)`.
    public nonisolated func reload(_ configuration: VRRPRuntimeConfiguration) {
        inputSink.yield(.reload(configuration))
    }

    /// Holds (`true`) or releases the preemption of instance `name`: the Director's failback hold (see
    /// `VRRPInstance.preemptionHeld`).
    public nonisolated func holdPreemption(instance name: String, _ held: Bool) {
        inputSink.yield(.preemptionHold(instance: name, held: held))
    }

    /// BFD session `name` went Up (`true`) or left Up: `track_bfd`.
    public nonisolated func bfdChanged(_ name: String, up: Bool) {
        inputSink.yield(.bfd(name, up: up))
    }

    /// A planned handover of `names` (nil: every instance), or its end (`cancel`); see `VRRPRouter.handover`.
    public func handover(_ names: [String]?, cancel: Bool) -> [String: String] {
        let t = now()
        let (actions, outcome) = router.handover(names, cancel: cancel, now: t)
        perform(actions, now: t)
        rearmTimer()
        return outcome
    }

    /// The current state of each instance, by name.
    public func states() -> [String: VRRPState] { router.states }

    /// The effective priority of each instance and the trackers behind it, by name.
    public func priorities() -> [String: VRRPPriorityReport] { router.priorities }

    /// Counters of each instance, by name.
    public func counters() -> [String: VRRPCounters] { router.counters }

    /// The peers each instance has heard (their last accepted advert), by instance name, most recently heard first.
    public func peers() -> [String: [VRRPPeerReport]] {
        let now = now()
        return router.peers.mapValues { heard in
            heard.map { address, p in
                VRRPPeerReport(address: address, priority: Int(p.priority),
                               interval: .milliseconds(Int64(p.intervalCentiseconds) * 10), age: now - p.lastHeard,
                               adverts: p.adverts)
            }.sorted { $0.age < $1.age }
        }
    }

    /// Each tracked `vrrp_script`: whether it is up (keepalived's GOOD) and whether a run is in progress now, by name.
    public func scriptStatuses() -> [String: VRRPScriptStatus] {
        let running = runningScripts.withLock { $0 }
        return Dictionary(uniqueKeysWithValues: router.scriptsUp.map {
            ($0.key, VRRPScriptStatus(up: $0.value, running: running.contains($0.key)))
        })
    }

    private nonisolated func now() -> Instant {
        Instant(nanoseconds: (ContinuousClock.now - origin).nanoseconds)
    }

    /// Opens the transport of `spec` and returns the address the kernel sends from.
    private func open(_ spec: VRRPInstanceSpec) throws(VRRPRuntimeError) -> IPAddress {
        let t: RawSocketVRRPTransport
        do {
            t = try RawSocketVRRPTransport(interface: spec.advertInterface, ipv6: spec.isIPv6,
                                           unicastSource: spec.unicastSource, unicastPeers: spec.unicastPeers,
                                           unicastTTL: spec.unicastTTL, multicastGroup: spec.multicastGroup,
                                           addressInterface: spec.sourceAddressInterface,
                                           authenticationHeaderKey: spec.authenticationHeaderKey,
                                           authHMAC: spec.configuration.authHMAC)
        } catch {
            throw .transport(instance: spec.name, error)
        }
        addressControl.prepare(spec.allAddresses, interface: spec.interface)
        let id = nextLinkID
        nextLinkID += 1
        let sink = inputSink, name = spec.name
        let receiver = Task { for await p in t.packets { sink.yield(.packet(link: id, instance: name, p)) } }
        links[spec.name] = Link(id: id, transport: t, receiver: receiver)
        return t.sourceAddress
    }

    private func close(_ name: String) {
        guard let link = links.removeValue(forKey: name) else { return }
        link.receiver.cancel()
        link.transport.close()
    }

    /// `open(_:)` at start, waiting while the source address cannot be bound yet (EADDRNOTAVAIL): an IPv6
    /// link-local address is tentative during duplicate address detection, about a second after the link comes up,
    /// which is when a daemon starts at boot. Up to 10 s, logged once; any other error at once.
    private func openWaitingForSource(_ spec: VRRPInstanceSpec) async throws(VRRPRuntimeError) -> IPAddress {
        let deadline = ContinuousClock.now + .seconds(10)
        var logged = false
        while true {
            do { return try open(spec) } catch {
                guard case .transport(_, .socket(let operation, let code)) = error, code == EADDRNOTAVAIL,
                      operation.hasPrefix("bind "), ContinuousClock.now < deadline else { throw error }
                if !logged {
                    logged = true
                    logger.notice("vrrp_instance \(spec.name): waiting for \(operation.dropFirst(5)) on \(spec.interface) (not yet usable: duplicate address detection)")
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Runs until `shutdown()`. Throws if a transport cannot be opened at start (nothing is left running then).
    public func run() async throws(VRRPRuntimeError) {
        router = VRRPRouter(configuration: router.configuration, gatesTakeover: takeoverHook != nil)
        let uptime = Self.uptime()
        if let (delay, keyword) = router.configuration.startupDelay(uptime: uptime ?? .seconds(Int64.max / 2)) {
            router.delayedStart = now() + delay
            let booted = keyword == "vrrp_delay_after_boot" ? uptime.map { ", the system booted \($0) ago" } ?? "" : ""
            logger.notice("delaying the start of VRRP by \(delay) (\(keyword)\(booted))")
        } else if router.configuration.delayAfterBoot > .zero, uptime == nil {
            logger.warning("vrrp_delay_after_boot ignored: the system's uptime cannot be read (as keepalived when /proc/uptime cannot be read)")
        }
        // The macvlans first, so that the link dump below finds them up (no instance starts in FAULT for them).
        if let (instance, error) = makeVMACs(router.configuration, now: now()).first {
            removeVMACs()
            throw .vmac(instance: instance, error)
        }
        startLinkMonitor()
        var opened: [(name: String, address: IPAddress)] = []
        for spec in router.awaitingTransport {
            do { opened.append((spec.name, try await openWaitingForSource(spec))) } catch {
                for name in Array(links.keys) { close(name) }
                removeVMACs()
                throw error
            }
        }
        // After the transports have their source address, which is kept (an address owner's VIP may be it).
        removeLeftoverVIPs(keeping: Set(opened.map(\.address)))
        if !router.configuration.notifyFifos.isEmpty {
            fifos = NotifyFifos(router.configuration.notifyFifos, runner: scripts.runner, logger: logger)
        }
        // Virtual rules (as keepalived) and routes (beyond it) an earlier run left as MASTER go like its VIPs; the
        // instances add them again when MASTER.
        let leftRules = router.configuration.instances.flatMap(\.virtualRules)
        let leftRoutes = router.configuration.instances.flatMap(\.virtualRoutes)
        do { try routeControl.remove(leftRules) } catch { logger.error("removing leftover virtual_rules: \(error)") }
        do { try routeControl.remove(leftRoutes) } catch { logger.error("removing leftover virtual_routes: \(error)") }
        // static_ipaddress and static_routes: what an earlier run left is deleted, then all are added (keepalived).
        staticEntries(from: router.configuration, to: router.configuration, fresh: true)
        // Drop rules a crashed run left would keep its VIPs unreachable here; keepalived deletes its table too.
        if let error = vipFilter.clear(), router.configuration.instances.contains(where: \.filtersVIPTraffic) {
            logger.warning("cannot clear the no_accept drop rules of an earlier run: \(error)")
        }
        let t = now()
        initialiseTrackFiles(router.configuration, reload: false)
        watchTrackers(now: t)
        readSourceAddresses(now: t)
        for o in opened { perform(router.transportOpened(instance: o.name, primaryAddress: o.address, now: t), now: t) }
        rearmTimer()
        loop: for await input in inputs {
            let t = now()
            switch input {
            case .packet(let id, let name, let packet):
                if links[name]?.id == id { perform(router.packetReceived(packet, instance: name, now: t), now: t) }
            case .tick:
                perform(router.deadlineReached(now: t), now: t)
            case .scriptResult(let name, let ok):
                perform(router.scriptFinished(name, succeeded: ok, now: t), now: t)
            case .links(let event):
                linksReported(event, now: t)
            case .fileValue(let name, let value):
                perform(router.trackFileRead(name, value: value, now: t), now: t)
            case .bfd(let name, let up):
                perform(router.bfdChanged(name, up: up, now: t), now: t)
            case .takeoverPrepared(let ticket):
                perform(router.takeoverPrepared(ticket: ticket, now: t), now: t)
            case .preemptionHold(let name, let held):
                perform(router.preemptionHoldChanged(instance: name, held: held, now: t), now: t)
            case .reload(let new):
                applyReload(new, now: t)
            case .processes(let event):
                switch event {
                case .snapshot(let all): census.replaced(by: all)
                case .seen(let pid, let record): census.seen(pid, record)
                case .exited(let pid): census.exited(pid)
                }
                perform(router.processesCounted(census.counts, now: t), now: t)
            case .shutdown:
                let (actions, stopped) = router.stopRequested(now: t)
                perform(actions, now: t)
                if stopped { break loop }
            }
            if let final = router.stopIfDrained(now: t) {
                perform(final, now: t)
                break loop
            }
            rearmTimer()
        }
        timerTask?.cancel()
        scriptTasks.cancelAll()
        linkTask?.cancel()
        linkMonitor?.close()
        fileTasks.cancelAll()
        processMonitor?.close()
        processTask?.cancel()
        for name in Array(links.keys) { close(name) }
        removeVMACs()
        do { try vipFilter.remove() } catch { logger.error("cannot delete the no_accept drop rules: \(error)") }
        fifos?.close()
        fifos = nil
        staticEntries(from: router.configuration, to: VRRPRuntimeConfiguration(instances: []), fresh: false)
        eventSink.yield(.stopped)
        eventSink.finish()
        inputSink.finish()
    }

    /// At start only, never on reload: removes the configured VIPs that an earlier run left on their interfaces
    /// (`LeftoverVIPs` decides), one log line each. A failure to list is logged and the start goes on, as keepalived
    /// goes on when its removal requests fail.
    private func removeLeftoverVIPs(keeping sources: Set<IPAddress>) {
        let present: [InterfaceAddress]
        do { present = try addressControl.addresses() } catch {
            logger.error("cannot list interface addresses, leftover VIPs are not removed: \(error)")
            return
        }
        for leftover in LeftoverVIPs.removals(configured: router.configuration.instances, present: present,
                                                     sources: sources) {
            do {
                try addressControl.remove([leftover.address], interface: leftover.interface)
                logger.notice("\(leftover.instance): removed \(leftover.address) from \(leftover.interface): \(leftover.reason)")
            } catch {
                ioFailed(leftover.instance, error, doing: "removing leftover \(leftover.address): ")
            }
        }
    }

    /// `static_ipaddress` and `static_routes` from `old` to `new`: routes then addresses no longer configured are
    /// removed, then addresses then routes added (all of them: one already there is success). `fresh` (at start):
    /// every configured entry is deleted first, so what a crashed run left is replaced. One log line per change.
    private func staticEntries(from old: VRRPRuntimeConfiguration, to new: VRRPRuntimeConfiguration, fresh: Bool) {
        let goneRules = fresh ? new.staticRules : old.staticRules.filter { !new.staticRules.contains($0) }
        do { try routeControl.remove(goneRules) } catch { logger.error("static_rules: \(error)") }
        let goneRoutes = fresh ? new.staticRoutes : old.staticRoutes.filter { !new.staticRoutes.contains($0) }
        let goneAddresses = fresh ? new.staticAddresses : old.staticAddresses.filter { !new.staticAddresses.contains($0) }
        do { try routeControl.remove(goneRoutes) } catch { logger.error("static_routes: \(error)") }
        for a in goneAddresses {
            do { try addressControl.remove([a], interface: a.device ?? "") } catch { logger.error("static_ipaddress: \(error)") }
        }
        if !fresh, !(goneRoutes.isEmpty && goneAddresses.isEmpty && goneRules.isEmpty) {
            logger.notice("static entries removed: \((goneAddresses.map(\.description) + goneRoutes.map(\.description) + goneRules.map(\.description)).joined(separator: ", "))")
        }
        for a in new.staticAddresses {
            do { try addressControl.add([a], interface: a.device ?? "") } catch { logger.error("static_ipaddress \(a): \(error)") }
        }
        for r in new.staticRoutes {
            do { try routeControl.add([r]) } catch { logger.error("static_routes \(r): \(error)") }
        }
        for r in new.staticRules {
            do { try routeControl.add([r]) } catch { logger.error("static_rules \(r): \(error)") }
        }
        if !(new.staticAddresses.isEmpty && new.staticRoutes.isEmpty && new.staticRules.isEmpty),
           fresh || new.staticAddresses != old.staticAddresses || new.staticRoutes != old.staticRoutes
            || new.staticRules != old.staticRules {
            logger.info("static entries in place: \(new.staticAddresses.count) address(es), \(new.staticRoutes.count) route(s), \(new.staticRules.count) rule(s)")
        }
    }

    /// Has the macvlan of every `use_vmac` instance of `configuration` (one log line for each one made or reused; one
    /// whose spec changed is made again) and sets the base interfaces' switches and `promote_secondaries` on the
    /// interfaces of the instances that ask for it (each restored at stop). The link table then reads the links
    /// again, so the instances find their macvlan up at once. Returns the failures by instance.
    private func makeVMACs(_ configuration: VRRPRuntimeConfiguration, now t: Instant) -> [(String, VMACError)] {
        let wanted = configuration.instances.compactMap { spec in spec.vmac.map { (instance: spec.name, vmac: $0) } }
        let promoting = configuration.instances.filter { $0.promotesSecondaries && $0.vmac == nil }.map(\.interface)
        let switches = (VMACPlan.baseSwitches(wanted.map(\.vmac)) + VMACPlan.promoteSecondaries(promoting))
            .filter { baseSwitchesBefore[$0.path] == nil }
        for old in vmacControl.set(switches) {
            baseSwitchesBefore[old.path] = old
            if old.name == "promote_secondaries", old.value != "1" {
                logger.notice("promote_secondaries: set on \(old.interface) until vigil stops")
            }
        }
        let plan = VMACPlan.changes(have: vmacs, want: wanted)
        for name in plan.replace {
            do { try vmacControl.remove(name) } catch { logger.error("\(error)") }
            vmacs[name] = nil
        }
        var failures: [(String, VMACError)] = []
        var made = false
        for (instance, spec) in plan.make {
            do {
                let outcome = try vmacControl.ensure(spec)
                vmacs[spec.name] = spec
                made = true
                let how = outcome == .created ? "created" : "reused (left by an earlier run)"
                if let ipvlan = spec.ipvlan {
                    // keepalived: the ipvlan's own address, which the adverts are sent from.
                    if let a = ipvlan.address {
                        do { try addressControl.add([a], interface: spec.name) } catch {
                            logger.error("vrrp_instance \(instance): use_ipvlan \(spec.name): cannot add \(a.address): \(error)")
                        }
                    }
                    logger.notice("vrrp_instance \(instance): use_ipvlan \(spec.name) on \(spec.base) \(how)\(ipvlan.address.map { " with \($0.address)/\($0.prefixLength)" } ?? "")")
                } else {
                    logger.notice("vrrp_instance \(instance): use_vmac \(spec.name) on \(spec.base) with \(VMACSpec.text(spec.mac)) \(how)\(spec.transmitsOnBase ? ", adverts on \(spec.base) (vmac_xmit_base)" : "")")
                }
            } catch {
                failures.append((instance, error))
            }
        }
        if made, linkMonitor != nil, let entries = try? NetlinkLinkMonitor.dump() {
            for change in linkTable.replaced(by: entries.compactMap(Self.link)) {
                perform(router.linkStateRead(change.name, state: change.state, now: t), now: t)
            }
        }
        return failures
    }

    /// Deletes this run's macvlans that no instance of `configuration` uses any more.
    private func dropVMACs(keeping configuration: VRRPRuntimeConfiguration) {
        let wanted = configuration.instances.compactMap { spec in spec.vmac.map { (instance: spec.name, vmac: $0) } }
        for name in VMACPlan.changes(have: vmacs, want: wanted).drop {
            do { try vmacControl.remove(name) } catch { logger.error("\(error)") }
            vmacs[name] = nil
            logger.notice("use_vmac: deleted \(name)")
        }
    }

    /// Deletes this run's macvlans and puts the base interfaces' switches back.
    private func removeVMACs() {
        for name in vmacs.keys.sorted() {
            do { try vmacControl.remove(name) } catch { logger.error("\(error)") }
        }
        vmacs = [:]
        vmacControl.restore(Array(baseSwitchesBefore.values))
        baseSwitchesBefore = [:]
    }

    /// `init_file`, as keepalived 2.2.7: a missing track file is created holding its value; with `overwrite` an
    /// existing regular file is written too, at start only.
    private func initialiseTrackFiles(_ configuration: VRRPRuntimeConfiguration, reload: Bool) {
        for f in configuration.trackFiles where f.initialise {
            var st = stat()
            if stat(f.path, &st) == 0 {
                guard f.overwrite, !reload else { continue }
                guard st.st_mode & S_IFMT == S_IFREG else {
                    logger.error("vrrp_track_file \(f.name): cannot initialise \(f.path): not a regular file")
                    continue
                }
            }
            let text = "\(f.initValue)\n"
            let fd = Glibc.open(f.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard fd >= 0 else {
                logger.error("vrrp_track_file \(f.name): cannot initialise \(f.path): \(String(cString: strerror(errno)))")
                continue
            }
            _ = text.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
            Glibc.close(fd)
            logger.info("vrrp_track_file \(f.name): \(f.path) initialised to \(f.initValue)")
        }
    }

    private func applyReload(_ new: VRRPRuntimeConfiguration, now t: Instant) {
        initialiseTrackFiles(new, reload: true)
        staticEntries(from: router.configuration, to: new, fresh: false)
        for (instance, error) in makeVMACs(new, now: t) {
            logger.error("\(VRRPRuntimeError.vmac(instance: instance, error))")
            eventSink.yield(.ioError(instance: instance, message: "\(error)"))
        }
        pacer.configure(garpInterval: new.garpInterval, gnaInterval: new.gnaInterval, groups: new.garpGroups)
        // auth_hmac keys rotate without reopening the transport: the signer has them before the reload's first advert.
        for spec in new.instances { links[spec.name]?.transport.setAuthHMAC(spec.configuration.authHMAC) }
        perform(router.configurationReloaded(new, now: t), now: t)
        dropVMACs(keeping: new)
        watchTrackers(now: t)
        readSourceAddresses(now: t)
        for spec in router.awaitingTransport {
            do {
                let address = try open(spec)
                perform(router.transportOpened(instance: spec.name, primaryAddress: address, now: t), now: t)
            } catch {
                router.transportFailed(instance: spec.name)
                logger.error("\(error)")
                eventSink.yield(.ioError(instance: spec.name, message: "\(error)"))
            }
        }
        logger.notice("reloaded: \(router.states.count) VRRP instance(s)")
    }

    private func rearmTimer() {
        let next = router.nextDeadline
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

    private func perform(_ actions: [VRRPRouterAction], now: Instant) {
        for action in actions {
            switch action {
            case .send(let name, let ad):
                do { try links[name]?.transport.send(ad, checksum: router.checksumRule(instance: name) ?? .rfc) } catch {
                    // A priority-0 advert on leaving for FAULT often meets a link that is down; keepalived does not
                    // report that as an error either.
                    if ad.priority == 0 {
                        logger.info("\(name): priority 0 advert not sent: \(error)")
                    } else {
                        ioFailed(name, error, doing: "send failed: ")
                    }
                }
            case .addVIPs(let name, let interface, let addresses, let announcements):
                do {
                    try addressControl.add(addresses, interface: interface)
                    // Before the log line: the announcement is on the client-visible path.
                    announce(name, addresses, interface: interface, count: announcements)
                    logger.info("\(name): virtual addresses added (\(addresses.count)) and announced")
                } catch {
                    ioFailed(name, error)
                    announce(name, addresses, interface: interface, count: announcements)
                }
            case .announce(let name, let interface, let addresses, let count):
                announce(name, addresses, interface: interface, count: count)
            case .filterVIPTraffic(let name, let addresses):
                guard vipFilterBook.set(addresses, for: name) else { continue }
                do {
                    try vipFilter.block(vipFilterBook.blocked)
                    if addresses.isEmpty {
                        logger.info("\(name): no_accept drop rules for its virtual addresses removed")
                    } else {
                        logger.info("\(name): no_accept: packets to and from \(addresses.map(\.description).joined(separator: " ")) are dropped (keepalived's strict-mode firewall)")
                    }
                } catch {
                    ioFailed(name, error, doing: "no_accept drop rules not set, the virtual addresses accept traffic: ")
                }
            case .addRoutes(let name, let routes, let rules):
                do {
                    try routeControl.add(routes)
                    if !routes.isEmpty { logger.info("\(name): virtual routes added: \(routes.map(\.description).joined(separator: ", "))") }
                } catch { ioFailed(name, error, doing: "virtual_routes: ") }
                do {
                    try routeControl.add(rules)
                    if !rules.isEmpty { logger.info("\(name): virtual rules added: \(rules.map(\.description).joined(separator: ", "))") }
                } catch { ioFailed(name, error, doing: "virtual_rules: ") }
            case .removeRoutes(let name, let routes, let rules):
                do { try routeControl.remove(rules) } catch { ioFailed(name, error, doing: "virtual_rules: ") }
                do { try routeControl.remove(routes) } catch { ioFailed(name, error, doing: "virtual_routes: ") }
            case .removeVIPs(let name, let interface, let addresses):
                do { try addressControl.remove(addresses, interface: interface) } catch { ioFailed(name, error) }
            case .prepareTakeover(let name, let reason, let ticket):
                guard let hook = takeoverHook, takeoverReady?(name) != true else {
                    perform(router.takeoverPrepared(ticket: ticket, now: now), now: now)
                    continue
                }
                let sink = inputSink
                Task {
                    await hook(name, reason)
                    sink.yield(.takeoverPrepared(ticket: ticket))
                }
            case .transition(let name, let from, let to, let reason):
                logger.notice("\(name): \(from) -> \(to) (\(reason))")
                eventSink.yield(.transition(instance: name, from: from, to: to, reason: reason))
            case .writeNotifyFifo(let line):
                fifos?.write(line)
            case .runNotifyScript(let command, let arguments):
                scripts.notify(command, arguments: arguments, logger: logger)
            case .discarded(let name, let reason, let from):
                logger.debug("\(name): discarded advert from \(from): \(reason)")
            case .checksumRuleChanged(let name, _, let from):
                logger.notice("\(name): unicast advert from \(from) carries the VRRPv3 checksum of keepalived 1.3.6 and earlier (multicast group in the pseudo-header): using it from now on (old_unicast_checksum; 'old_unicast_checksum never' keeps the RFC one)")
            case .unknownVRID(let vrid, let interface, let from):
                logger.info("advert for VRID \(vrid) on \(interface) from \(from), which no instance here runs: ignored (log_unknown_vrids; logged again for this source after \(VRRPRuntimeConfiguration.unknownVRIDLogInterval.components.seconds) s)")
            case .addressListMismatch(let name, let from, let theirs):
                logger.warning("\(name): advert from \(from) dropped: it lists \(theirs.map(\.description).joined(separator: " ")), which differs from the configured virtual addresses (as keepalived, unless skip_check_adv_addr); further drops from this peer are only counted")
            case .authHMACFailed(let name, let from, let failure, let skew):
                let clock = skew.map { ", sender's clock \($0 >= 0 ? "+" : "")\($0) s from ours" } ?? ""
                logger.warning("\(name): advert from \(from) dropped: \(failure)\(clock); further drops from this source for this reason are only counted")
            case .authHMACClockSkew(let name, let from, let skew, let window):
                logger.warning("\(name): the clock of \(from) is \(skew >= 0 ? "+" : "")\(skew) s from ours, past half the auth_hmac time_window (\(window) s): its adverts turn stale past \(window) s (check NTP); not logged again for this source")
            case .unlistedUnicastSource(let name, let from):
                logger.warning("\(name): unicast advert from \(from) dropped: it is not a unicast_peer (check_unicast_src); further drops from this source are only counted")
            case .lowerPriorityAdvert(let name, let priority, let ours, let from, let answered):
                logger.info("\(name): advert from \(from) with lower priority \(priority), ours \(ours)\(answered ? ": answered with ours, forcing a new election" : "")")
            case .stoppingAfterHandover(let names):
                logger.notice("stopping after the handover of \(names.joined(separator: ", ")) (vigil_handover_on_stop)")
            case .handoverStarted(let name, let within):
                logger.notice("\(name): handing over: priority 0 sent; the VIPs stay until the new MASTER advertises (\(String(format2: within.seconds)) s at most); no preemption until the handover is cancelled")
            case .handoverFailed(let name):
                logger.warning("\(name): handover failed: no node advertised as MASTER within the master-down interval; staying MASTER")
            case .preemptionHeld(let name, let priority, let ours, let from):
                logger.notice("\(name): not preempting \(from) (priority \(priority), ours \(ours)) while its preemption is held (failback hold or handover)")
            case .masterSilence(let name, let silent):
                if silent {
                    logger.info("\(name): master silent (no advert for 1.5 intervals, or priority 0), takeover may follow")
                } else {
                    logger.info("\(name): master advertising again")
                }
                eventSink.yield(.masterSilence(instance: name, silent: silent))
            case .trackerChanged(let change):
                logger.info("\(change)")
            case .closeTransport(let name):
                close(name)
            case .primaryInterfaceRecreated(let interface, let instances):
                logger.warning("interface \(interface) was deleted and exists again: \(instances.joined(separator: ", ")) stay in FAULT until vigil is restarted (their sockets are bound to the deleted interface)")
            }
        }
    }

    private func ioFailed(_ name: String, _ error: any Error, doing: String = "") {
        logger.error("\(name): \(doing)\(error)")
        eventSink.yield(.ioError(instance: name, message: "\(error)"))
    }

    /// `count` announcements of `addresses`, each packet when its interface's pacing allows (`GARPPacer`): the
    /// unpaced ones at once, the others from a task that sleeps until each one's time. The first failure ends the
    /// announcements of this call.
    private func announce(_ name: String, _ addresses: [VirtualAddress], interface: String, count: Int) {
        let t = now()
        let plan = pacer.schedule(addresses, interface: interface, rounds: count, now: t)
        let immediate = plan.prefix { $0.at <= t }
        for send in immediate {
            do { try addressControl.announce([send.address], interface: send.device) } catch {
                logger.error("\(name): \(error)")
                return
            }
        }
        let later = Array(plan.dropFirst(immediate.count))
        guard !later.isEmpty else { return }
        let control = addressControl, logger = logger
        Task {
            for send in later {
                let wait = send.at - self.now()
                if wait > .zero { do { try await Task.sleep(for: wait) } catch { return } }
                do { try control.announce([send.address], interface: send.device) } catch {
                    logger.error("\(name): \(error)")
                    return
                }
            }
        }
    }

    // MARK: Links

    /// Subscribes to rtnetlink link events, then dumps every link so the state at start is known before any
    /// instance starts (events from between the two are applied after the dump, in order). Without the monitor
    /// (it cannot be opened) interface tracking is off: logged as an error; primary interfaces count as up and
    /// tracked ones as down.
    private func startLinkMonitor() {
        do {
            let monitor = try NetlinkLinkMonitor()
            let entries = try NetlinkLinkMonitor.dump()
            linkMessagesLogged(entries)
            _ = linkTable.replaced(by: entries.compactMap(Self.link))
            linkMonitor = monitor
            let sink = inputSink
            linkTask = Task { for await event in monitor.events { sink.yield(.links(event)) } }
            monitor.start()
        } catch {
            logger.error("link monitor: \(error); interfaces are not tracked")
        }
    }

    private static func link(_ entry: LinkMessage.Entry) -> LinkMessage? {
        if case .link(let m) = entry { return m }
        return nil
    }

    private func linkMessagesLogged(_ entries: [LinkMessage.Entry]) {
        for entry in entries {
            switch entry {
            case .malformed(let e): logger.warning("link monitor: malformed rtnetlink link message ignored: \(e)")
            case .kernelError(let e) where e != 0: logger.warning("link monitor: netlink error \(e)")
            case .link, .address, .done, .kernelError: break
            }
        }
    }

    private func linksReported(_ event: LinkMonitorEvent, now t: Instant) {
        let changes: [LinkTable.Change]
        switch event {
        case .messages(let entries):
            linkMessagesLogged(entries)
            for entry in entries {
                guard case .address(_, let address, let deleted) = entry,
                      router.watchedSourceAddresses.contains(address) else { continue }
                perform(router.sourceAddressRead(address, present: !deleted, now: t), now: t)
            }
            var messages = entries.compactMap(Self.link)
            // The events of a macvlan this run just made (down, then up) can arrive after the table read the link
            // up: for those links the table takes the state read now, so a stale event does not fault the instance.
            if messages.contains(where: { vmacs[$0.name] != nil }), let now = try? NetlinkLinkMonitor.dump() {
                let current = Dictionary(now.compactMap(Self.link).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
                messages = messages.map { m in vmacs[m.name] != nil && m.kind == .new ? current[m.name] ?? m : m }
            }
            changes = messages.flatMap { linkTable.apply($0) }
        case .resynchronized(let entries):
            logger.warning("link monitor: rtnetlink events were lost (ENOBUFS); links read again")
            linkMessagesLogged(entries)
            changes = linkTable.replaced(by: entries.compactMap(Self.link))
            readSourceAddresses(now: t)
        case .failed(let error):
            logger.error("link monitor: \(error)")
            return
        }
        for change in changes {
            logger.debug("netlink reports \(change.name) \(change.state)")
            perform(router.linkStateRead(change.name, state: change.state, now: t), now: t)
        }
    }

    /// `track_src_ip`: whether each watched source address is on some interface now (a dump; events follow).
    private func readSourceAddresses(now t: Instant) {
        let watched = router.watchedSourceAddresses
        guard !watched.isEmpty else { return }
        guard let present = try? Set(addressControl.addresses().map(\.address)) else {
            logger.error("track_src_ip: cannot list the addresses; the source addresses count as present")
            return
        }
        for a in watched.sorted(by: { $0.description < $1.description }) {
            perform(router.sourceAddressRead(a, present: present.contains(a), now: t), now: t)
        }
    }

    // MARK: Trackers

    /// Runs the scripts and polls the files the router watches: starts what is new (reading a file once at once),
    /// restarts what changed and stops what is no longer watched. Interfaces get their state from the link table.
    private func watchTrackers(now t: Instant) {
        let sink = inputSink
        let logger = self.logger, scripts = self.scripts, running = runningScripts
        for (name, script) in scriptTasks.reconcile(router.watchedScripts) {
            scriptTasks.started(name, script, Task {
                while !Task.isCancelled {
                    running.withLock { _ = $0.insert(name) }
                    let ok = await scripts.check(script.command, timeout: script.timeout, logger: logger)
                    running.withLock { _ = $0.remove(name) }
                    if Task.isCancelled { return }
                    sink.yield(.scriptResult(name, ok))
                    do { try await Task.sleep(for: script.interval) } catch { return }
                }
            })
        }
        // Interfaces come from rtnetlink events, not polling: a newly watched one gets the table's state now (the
        // router ignores a reading that changes nothing).
        // Without a monitor nothing is known: primary interfaces count as up, tracked ones as down.
        if linkMonitor != nil {
            for name in router.watchedInterfaces.sorted() {
                perform(router.linkStateRead(name, state: linkTable.state(of: name), now: t), now: t)
            }
        }
        watchProcesses(now: t)
        for (name, file) in fileTasks.reconcile(router.watchedFiles) {
            perform(router.trackFileRead(name, value: Self.readValue(file), now: t), now: t)
            fileTasks.started(name, file, Self.poll { sink.yield(.fileValue(name, Self.readValue(file))) })
        }
    }

    /// Starts the process monitor when an instance tracks a process (again when command lines become needed), stops
    /// it when none does, and gives the router the counts now: the first reading happens before the instances start.
    private func watchProcesses(now t: Instant) {
        let specs = router.watchedProcesses
        census.configure(specs)
        guard !specs.isEmpty else {
            processMonitor?.close()
            processTask?.cancel()
            processMonitor = nil
            return
        }
        if processMonitor == nil || (census.readsCommandLines && processMonitor?.readsCommandLines == false) {
            processMonitor?.close()
            processTask?.cancel()
            let monitor = ProcConnectorProcessMonitor(readsCommandLines: census.readsCommandLines)
            if let why = monitor.pollingReason {
                logger.warning("track_process: the kernel's process events cannot be read here (\(why); they reach the initial network namespace only): /proc is read every second instead")
            }
            census.replaced(by: monitor.scan())
            processMonitor = monitor
            let sink = inputSink
            processTask = Task { for await e in monitor.events { sink.yield(.processes(e)) } }
            monitor.start()
        }
        perform(router.processesCounted(census.counts, now: t), now: t)
    }

    /// A task that calls `read` every 200 ms until cancelled.
    /// How long the system has been up (CLOCK_BOOTTIME, what /proc/uptime shows); nil if it cannot be read.
    static func uptime() -> Duration? {
        var ts = timespec()
        guard clock_gettime(CLOCK_BOOTTIME, &ts) == 0 else { return nil }
        return .seconds(Int64(ts.tv_sec)) + .nanoseconds(Int64(ts.tv_nsec))
    }

    private static func poll(_ read: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: .milliseconds(200)) } catch { return }
                read()
            }
        }
    }

    /// The integer at the start of the file, or the spec's `initValue` when missing or unparsable.
    static func readValue(_ spec: VRRPTrackFileSpec) -> Int {
        let text = firstLine(of: spec.path, limit: 64)
        return text.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? spec.initValue
    }

    private static func firstLine(of path: String, limit: Int32) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: Int(limit))
        guard fgets(&line, limit, f) != nil else { return nil }
        let end = line.firstIndex(of: 0) ?? line.count
        return String(decoding: line[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Background tasks by name, each started for a spec: `reconcile` stops those no longer wanted or whose spec
/// changed and returns the wanted ones to start.
private struct WatchTasks<Spec: Equatable & Sendable> {
    private var running: [String: (spec: Spec, task: Task<Void, Never>)] = [:]

    /// Cancels what `wanted` no longer lists or lists with another spec; returns what to start (then `started`).
    mutating func reconcile(_ wanted: [String: Spec]) -> [(String, Spec)] {
        for (name, entry) in running where wanted[name] != entry.spec {
            entry.task.cancel()
            running[name] = nil
        }
        return wanted.filter { running[$0.key] == nil }.map { ($0.key, $0.value) }
    }

    /// Records a task started for `name` with `spec`.
    mutating func started(_ name: String, _ spec: Spec, _ task: Task<Void, Never>) {
        running[name] = (spec, task)
    }

    /// Cancels every task.
    mutating func cancelAll() {
        for entry in running.values { entry.task.cancel() }
        running = [:]
    }
}
#endif

/// The names of the scripts whose run is in progress, shared between the runtime and its script tasks.
final class RunningScripts: Sendable {
    private let names = Mutex<Set<String>>([])

    func withLock<R>(_ body: (inout Set<String>) -> R) -> R { names.withLock { body(&$0) } }
}
