import Foundation
import Logging

/// Where log lines go: stderr (`-l`), syslog (the default, like keepalived), or both.
struct LogDestinations: OptionSet, Sendable {
    let rawValue: Int
    static let stderr = LogDestinations(rawValue: 1)
    static let syslog = LogDestinations(rawValue: 2)
}

/// A swift-log handler writing one line per message to stderr and/or syslog(3).
struct VigilLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level
    let label: String
    let destinations: LogDestinations
    /// The `-g` file, when open.
    var fileDescriptor: Int32?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Installs the handler for the whole process. `detailed` (`-D`) lowers the level to debug. `facility` is the
    /// openlog(3) facility (keepalived's `-S`; LOG_DAEMON by default). `file` (`-g FILE`) also appends every line
    /// there, written with one write(2) each (so `--flush-log-file` holds always).
    static func bootstrap(destinations: LogDestinations, detailed: Bool, facility: Int32 = LOG_DAEMON, file: String? = nil) {
        if destinations.contains(.syslog) { openlog("vigil", LOG_PID | LOG_NDELAY, facility) }
        var fileDescriptor: Int32?
        if let file {
            let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            if fd >= 0 {
                fileDescriptor = fd
            } else {
                FileHandle.standardError.write(Data("vigil: -g: cannot open \(file): \(String(cString: strerror(errno)))\n".utf8))
            }
        }
        let openedFile = fileDescriptor
        LoggingSystem.bootstrap { label in
            VigilLogHandler(logLevel: detailed ? .debug : .info, label: label, destinations: destinations,
                            fileDescriptor: openedFile)
        }
    }

    func log(event: LogEvent) {
        var text = "\(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        if !merged.isEmpty {
            text += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        if destinations.contains(.stderr) || fileDescriptor != nil {
            var tv = timeval()
            gettimeofday(&tv, nil)
            var tm = tm()
            var secs = tv.tv_sec
            localtime_r(&secs, &tm)
            var buf = [CChar](repeating: 0, count: 32)
            _ = strftime(&buf, buf.count, "%Y-%m-%d %H:%M:%S", &tm)
            let stamp = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let ms = tv.tv_usec / 1000
            let line = "\(stamp).\(ms < 10 ? "00" : ms < 100 ? "0" : "")\(ms) vigil[\(getpid())]: \(text)\n"
            if destinations.contains(.stderr) { FileHandle.standardError.write(Data(line.utf8)) }
            if let fileDescriptor {
                let bytes = Array(line.utf8)
                _ = bytes.withUnsafeBytes { write(fileDescriptor, $0.baseAddress, $0.count) }
            }
        }
        if destinations.contains(.syslog) {
            let priority: Int32
            switch event.level {
            case .trace, .debug: priority = LOG_DEBUG
            case .info: priority = LOG_INFO
            case .notice: priority = LOG_NOTICE
            case .warning: priority = LOG_WARNING
            case .error: priority = LOG_ERR
            case .critical: priority = LOG_CRIT
            }
            withVaList([text]) { vsyslog(priority, "%s", $0) }
        }
    }
}
