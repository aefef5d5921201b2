// Theory of operation
//
// What the daemon does with each signal, as data: one table that `SignalService` (DirectorRun.swift) follows, that
// `--signum` reads, and that docs/control.md prints. keepalived's functions (RELOAD, STOP, DATA, STATS,
// STATS_CLEAR, JSON) keep keepalived's numbers. Every other catchable signal whose default action would end the
// process is either a clean stop (VIPs removed, IPVS released) or ignored with one log line naming it. Left at
// the kernel's default: the uncatchable SIGKILL/SIGSTOP, the crash signals a bug raises (SIGILL, SIGTRAP, SIGABRT,
// SIGBUS, SIGFPE, SIGSEGV, SIGSYS: a core dump, as for any crashed process), the job-control stops (SIGTSTP,
// SIGTTIN, SIGTTOU) and the signals whose default is to do nothing (SIGCHLD, SIGCONT, SIGURG, SIGWINCH).
// Pure: the real-time range is an argument (`.current` reads glibc's), so tests need no process.

#if canImport(Glibc)
import Glibc
#endif

/// What the daemon does when a signal arrives.
public enum DaemonSignalAction: Sendable, Equatable {
    /// Graceful shutdown: the master sends priority 0, VIPs are removed, owned IPVS services released.
    case stop
    /// Re-read the configuration (keepalived's RELOAD).
    case reload
    /// Write `/tmp/keepalived.data` (keepalived's DATA).
    case dumpData
    /// Write `/tmp/keepalived.stats` (keepalived's STATS).
    case dumpStats
    /// Write `/tmp/keepalived.stats`, then zero the dump's counters (keepalived's STATS_CLEAR).
    case dumpAndClearStats
    /// Write `/tmp/keepalived.json` (keepalived's JSON).
    case dumpJSON
    /// Log one line naming the signal and why, and carry on.
    case ignore(reason: String)
}

/// The signal table for one real-time range.
public struct DaemonSignalTable: Sendable, Equatable {
    /// glibc's SIGRTMIN (34: the two below it belong to the threads library, and are never touched).
    public var rtmin: Int32
    /// SIGRTMAX (64).
    public var rtmax: Int32
    /// `--ignore-sigint`: SIGINT is logged and ignored rather than a stop.
    public var ignoresSIGINT: Bool

    /// A table.
    public init(rtmin: Int32, rtmax: Int32, ignoresSIGINT: Bool = false) {
        self.rtmin = rtmin
        self.rtmax = rtmax
        self.ignoresSIGINT = ignoresSIGINT
    }

    /// The running system's range.
    public static func current(ignoresSIGINT: Bool = false) -> DaemonSignalTable {
        #if canImport(Glibc)
        DaemonSignalTable(rtmin: __libc_current_sigrtmin(), rtmax: __libc_current_sigrtmax(), ignoresSIGINT: ignoresSIGINT)
        #else
        DaemonSignalTable(rtmin: 34, rtmax: 64, ignoresSIGINT: ignoresSIGINT)
        #endif
    }

    /// keepalived's JSON dump signal (SIGRTMIN+2).
    public var json: Int32 { rtmin + 2 }
    /// keepalived's STATS_CLEAR signal (SIGRTMAX-1).
    public var statsClear: Int32 { rtmax - 1 }
    /// keepalived's TDUMP (thread dump, in builds with it) signal (SIGRTMAX).
    public var threadDump: Int32 { rtmax }

    // The classic signals by their Linux numbers (x86-64 and arm64 agree on these).
    static let sighup: Int32 = 1, sigint: Int32 = 2, sigquit: Int32 = 3, sigusr1: Int32 = 10, sigusr2: Int32 = 12
    static let sigpipe: Int32 = 13, sigalrm: Int32 = 14, sigterm: Int32 = 15, sigstkflt: Int32 = 16
    static let sigxcpu: Int32 = 24, sigxfsz: Int32 = 25, sigvtalrm: Int32 = 26, sigprof: Int32 = 27
    static let sigio: Int32 = 29, sigpwr: Int32 = 30

    /// What `signal` does; nil when the daemon leaves it at the kernel's default (see the theory above).
    public func action(for signal: Int32) -> DaemonSignalAction? {
        switch signal {
        case Self.sighup: return .reload
        case Self.sigint:
            return ignoresSIGINT ? .ignore(reason: "--ignore-sigint") : .stop
        case Self.sigterm: return .stop
        case Self.sigquit: return .stop
        case Self.sigusr1: return .dumpData
        case Self.sigusr2: return .dumpStats
        case Self.sigxcpu: return .stop  // the CPU-time soft limit: the hard limit's SIGKILL would leave the VIPs behind
        // DirectorRun sets SIG_IGN for it (no log line): swift-nio does the same at its first socket.
        case Self.sigpipe: return .ignore(reason: "a write to a closed socket or pipe fails with EPIPE instead")
        case Self.sigalrm, Self.sigvtalrm, Self.sigprof: return .ignore(reason: "Vigil sets no interval timers")
        case Self.sigio: return .ignore(reason: "Vigil asks for no SIGIO")
        case Self.sigxfsz: return .ignore(reason: "the write past the file size limit fails with EFBIG instead")
        case Self.sigpwr: return .ignore(reason: "power events are for init, which stops services with SIGTERM")
        case Self.sigstkflt: return .ignore(reason: "unused on Linux")
        default: break
        }
        guard (rtmin...rtmax).contains(signal) else { return nil }
        if signal == json { return .dumpJSON }
        if signal == statsClear { return .dumpAndClearStats }
        if signal == threadDump { return .ignore(reason: "keepalived's TDUMP (thread dump): Vigil has no thread dump") }
        return .ignore(reason: "no meaning in keepalived or Vigil")
    }

    /// Every signal the daemon catches, in increasing order.
    public var handledSignals: [Int32] {
        (1...rtmax).filter { action(for: $0) != nil }
    }

    /// `SIGTERM`, `SIGRTMIN+2`, `SIGRTMAX-1`: the name `kill -l` prints.
    public func name(of signal: Int32) -> String {
        let classic = [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
                       8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
                       14: "SIGALRM", 15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP",
                       20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ",
                       26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR", 31: "SIGSYS"]
        if let n = classic[Int(signal)] { return n }
        guard (rtmin...rtmax).contains(signal) else { return "signal \(signal)" }
        // `kill -l` names the lower half from SIGRTMIN and the upper half from SIGRTMAX.
        let offset = signal - rtmin
        if offset == 0 { return "SIGRTMIN" }
        if signal == rtmax { return "SIGRTMAX" }
        return offset <= (rtmax - rtmin) / 2 ? "SIGRTMIN+\(offset)" : "SIGRTMAX-\(rtmax - signal)"
    }

    /// `--signum=FUNC`: the number keepalived prints for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON, and TDUMP
    /// (the man page calls it TDATA; both are accepted). Nil for anything else.
    public func number(ofFunction function: String) -> Int32? {
        switch function {
        case "STOP": Self.sigterm
        case "RELOAD": Self.sighup
        case "DATA": Self.sigusr1
        case "STATS": Self.sigusr2
        case "STATS_CLEAR": statsClear
        case "JSON": json
        case "TDUMP", "TDATA": threadDump
        default: nil
        }
    }
}
