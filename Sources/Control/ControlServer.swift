import Foundation
import Hummingbird
import Logging
import NIOCore

/// The control endpoint of `vigil run` (Hummingbird, HTTP/1.1, read-only):
/// - `GET /status` — `VigilStatus` as JSON;
/// - `GET /metrics` — Prometheus text;
/// - `GET /events[?after=SEQ][&limit=N]` — the recent history as a JSON array, oldest first;
/// - `GET /` — the live dashboard page (polls `/status` and `/events`).
///
/// It only reads the `StatusRecorder`; nothing here changes the daemon.
public struct ControlServer: Sendable {
    private let recorder: StatusRecorder
    private let endpoint: ControlEndpoint
    private let logger: Logger

    /// A server for `recorder` on `endpoint`.
    public init(recorder: StatusRecorder, endpoint: ControlEndpoint, logger: Logger) {
        self.recorder = recorder
        self.endpoint = endpoint
        self.logger = logger
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
        router.get("/") { _, _ -> Response in
            Self.response(Data(DashboardPage.html.utf8), type: "text/html; charset=utf-8")
        }
        return router
    }

    private static func response(_ data: Data, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Serves until the surrounding task is cancelled. Throws when the address cannot be bound.
    public func run() async throws {
        var log = logger
        log.logLevel = max(logger.logLevel, .notice)  // no line per request
        let app = Application(router: router(),
                              configuration: .init(address: .hostname(endpoint.host, port: endpoint.port),
                                                   serverName: "vigil"),
                              onServerRunning: { [logger, endpoint] _ in logger.notice("control endpoint on http://\(endpoint)/") },
                              logger: log)
        try await app.run()
    }
}
