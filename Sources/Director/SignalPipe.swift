// Theory of operation
//
// The adapter that receives signals for `SignalService`: a sigaction(2) handler, installed for every signal of a
// `DaemonSignalTable`, writes two bytes (the signal number, and whether this process raised it itself) into a
// non-blocking pipe; a dispatch read source turns them into an `AsyncStream`. A handler is process-wide, so the
// signal is caught on whichever thread the kernel picks, and nothing depends on signal masks (which threads
// created before the table was installed would not share). The handler does only write(2), which is
// async-signal-safe, and restores errno. Execs reset caught signals to their default, so scripts Vigil starts
// do not inherit any of this.

import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A signal as the handler saw it.
public struct ReceivedSignal: Sendable, Equatable {
    /// The number.
    public var number: Int32
    /// Raised by this process itself (a write to a closed pipe raises SIGPIPE on the writer).
    public var fromSelf: Bool
}

/// Catches a set of signals into an `AsyncStream` (see the theory above). Installed once per process.
final class SignalPipe: Sendable {
    /// The pipe's ends; written by the handler, read by the dispatch source.
    private static let fds: (read: Int32, write: Int32) = {
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        for fd in ends {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        return (ends[0], ends[1])
    }()

    /// Held so that the source lives as long as the pipe's reader; cancelled with it.
    private let source: Mutex<(any DispatchSourceRead)?>
    /// The signals, in arrival order.
    let signals: AsyncStream<ReceivedSignal>

    /// Installs the handler for `numbers` and starts reading.
    init(numbers: [Int32]) {
        let fds = Self.fds
        let (stream, continuation) = AsyncStream<ReceivedSignal>.makeStream()
        signals = stream
        let source = DispatchSource.makeReadSource(fileDescriptor: fds.read, queue: DispatchQueue(label: "vigil.signals"))
        source.setEventHandler {
            var buffer = [UInt8](repeating: 0, count: 256)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fds.read, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                var i = 0
                while i + 1 < n {
                    continuation.yield(ReceivedSignal(number: Int32(buffer[i]), fromSelf: buffer[i + 1] != 0))
                    i += 2
                }
            }
        }
        source.resume()
        self.source = Mutex(source)
        for number in numbers {
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = { number, info, _ in
                let savedErrno = errno
                let fromSelf = info.map { $0.pointee._sifields._kill.si_pid == getpid() } ?? false
                var bytes: (UInt8, UInt8) = (UInt8(truncatingIfNeeded: number), fromSelf ? 1 : 0)
                _ = withUnsafeBytes(of: &bytes) { write(SignalPipe.fds.write, $0.baseAddress, 2) }
                errno = savedErrno
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_SIGINFO | SA_RESTART
            sigaction(number, &action, nil)
        }
    }

    deinit { source.withLock { $0?.cancel() } }
}
