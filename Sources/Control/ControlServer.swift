#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The control endpoint of `vigil run` (Hummingbird, HTTP/1.1, read-only; on TCP or on a unix socket):
/// - `GET /status` — `VigilStatus` as JSON;
/// - `GET /metrics` — Prometheus text;
/// - `GET /events[?after=SEQ][&limit=N]` — the recent history as a JSON array, oldest first;
/// - `GET /probes` — the latest probes of every checked real server (`ProbeHistoryStatus`), for the dashboard;
/// - `GET /` — the live dashboard page (polls `/status`, `/events` and `/probes`).
///
/// - `POST /handover[?instances=A,B][&cancel=1]` — a planned handover of the MASTER instances (make-before-break),
///   or its end; served on a unix socket (its mode 0600 says who may change the daemon's state), and on TCP only to
///   requests that carry the control token (`vigil run --control-token-file`; refused without one).
///
/// Besides the handover it only reads the `StatusRecorder`.
public struct ControlServer: Sendable {
    private let recorder: StatusRecorder
    private let endpoint: ControlEndpoint
    private let logger: Logger
    private let handover: ControlHandover?
    private let token: ControlToken?
    /// Whether this server bound its unix socket (only then does it remove the file).
    private let socketBound = SocketBound()

    /// A server for `recorder` on `endpoint`; `handover` performs `POST /handover` (nil: no VRRP runs here).
    /// `token` lets `POST /handover` be served on TCP too, to requests that carry it.
    public init(recorder: StatusRecorder, endpoint: ControlEndpoint, logger: Logger, handover: ControlHandover? = nil,
                token: ControlToken? = nil) {
        self.token = token
        self.recorder = recorder
        self.endpoint = endpoint
        self.logger = logger
        self.handover = handover
    }

    /// The routes (also used by tests without a socket).
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let recorder = self.recorder
        router.get("status") { _, _ -> Response in
            Self.response(StatusJSON.encode(await recorder.status()), type: "application/json")
        }
        router.get("metrics") { _, _ -> Response in
            Self.response(Data(await recorder.metricsText().utf8), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("events") { request, _ -> Response in
            let after = request.uri.queryParameters.get("after", as: Int.self)
            let limit = request.uri.queryParameters.get("limit", as: Int.self)
            return Self.response(StatusJSON.encode(recorder.events(after: after, limit: limit)), type: "application/json")
        }
        router.get("probes") { _, _ -> Response in
            Self.response(StatusJSON.encode(await recorder.probes(), pretty: false), type: "application/json")
        }
        router.get("/") { _, _ -> Response in
            Self.response(Data(DashboardPage.html.utf8), type: "text/html; charset=utf-8")
        }
        let handover = self.handover, onSocket = endpoint.socketPath != nil, logger = self.logger, token = self.token
        router.post("handover") { request, _ -> Response in
            if !onSocket {
                guard let token else {
                    return Self.text(.forbidden, "a handover changes the daemon's state: it is served on the unix-socket endpoint (vigil run --control unix:PATH), or on TCP with a token (vigil run --control-token-file PATH)")
                }
                guard token.accepts(authorization: request.headers[.authorization]) else {
                    logger.warning("control: handover refused on TCP: \(request.headers[.authorization] == nil ? "no token" : "wrong token")")
                    var response = Self.text(.unauthorized, "a handover on TCP needs the control token (Authorization: Bearer TOKEN; vigil handover --token-file PATH)")
                    response.headers[.wwwAuthenticate] = "Bearer"
                    return response
                }
            }
            guard let handover else { return Self.text(.conflict, "no VRRP runs in this process") }
            switch HandoverRequest.parse(instances: request.uri.queryParameters.get("instances"),
                                        cancel: request.uri.queryParameters.get("cancel")) {
            case .failure(let e):
                return Self.text(.badRequest, e.message)
            case .success(let asked):
                logger.notice("control: \(asked.cancel ? "handover cancelled" : "handover requested") for \(asked.names?.joined(separator: ", ") ?? "every instance")")
                let outcome = await handover(asked.names, asked.cancel)
                return Self.response(StatusJSON.encode(outcome), type: "application/json")
            }
        }
        return router
    }

    private static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }

    private static func response(_ data: Data, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Serves until the surrounding task is cancelled. Throws when the address cannot be bound, or when another
    /// process already answers on the unix socket's path. A unix socket is made mode 0600 (its owner, root, only)
    /// as soon as it is bound, and removed when the server ends.
    public func run() async throws {
        var log = logger
        log.logLevel = max(logger.logLevel, .notice)  // no line per request
        let address: BindAddress
        if let path = endpoint.socketPath {
            try UnixSocketPath.prepare(path)
            address = .unixDomainSocket(path: path)
        } else {
            address = .hostname(endpoint.host, port: endpoint.port)
        }
        let app = Application(router: router(),
                              configuration: .init(address: address, serverName: "vigil"),
                              onServerRunning: { [logger, endpoint, socketBound] _ in
                                  if let path = endpoint.socketPath {
                                      socketBound.mark()
                                      if chmod(path, 0o600) != 0 {
                                          logger.error("control endpoint \(endpoint): chmod 0600: \(String(cString: strerror(errno)))")
                                      }
                                      logger.notice("control endpoint on \(endpoint) (mode 0600)")
                                  } else {
                                      logger.notice("control endpoint on http://\(endpoint)/")
                                  }
                              },
                              logger: log)
        defer { releaseSocket() }
        try await app.run()
    }

    /// Removes the unix socket file if this server bound it (once; nothing for TCP). Called when the server ends,
    /// and by `StatusService.stop()`, since the process may exit before the server's cancelled task ends.
    public func releaseSocket() {
        guard let path = endpoint.socketPath, socketBound.take() else { return }
        UnixSocketPath.remove(path)
    }
}

/// A flag set when the server's unix socket is bound, taken when the file is removed.
private final class SocketBound: Sendable {
    private let bound = Mutex(false)

    func mark() { bound.withLock { $0 = true } }

    /// Whether it was set; clears it.
    func take() -> Bool {
        bound.withLock { b in
            defer { b = false }
            return b
        }
    }
}

/// Performs a handover request: the instance names (nil: all) and whether it cancels; returns the outcome per instance.
public typealias ControlHandover = @Sendable (_ instances: [String]?, _ cancel: Bool) async -> [String: String]

/// Why the control endpoint's unix socket cannot be used.
public enum ControlSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A process answers on the path: another `vigil run` (or something else) owns it.
    case inUse(String)
    /// Something that is not a socket is at the path; it is never removed.
    case notASocket(String)

    public var description: String {
        switch self {
        case .inUse(let p): "unix:\(p) is in use: another process listens on it (another vigil run?)"
        case .notASocket(let p): "unix:\(p) exists and is not a socket; it is left alone"
        }
    }
}

/// The checks around a unix socket path: a socket left by a crashed run is replaced, a live one or a file that is not
/// a socket is refused.
enum UnixSocketPath {
    static func prepare(_ path: String) throws(ControlSocketError) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }  // nothing there
        guard st.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path) }
        if (try? UnixSocketConnection.connect(path)).map({ close($0) }) != nil { throw .inUse(path) }
        unlink(path)  // a stale socket from a crashed run
    }

    /// Removes the socket at `path` (only if it is a socket).
    static func remove(_ path: String) {
        var st = stat()
        if lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
    }
}
