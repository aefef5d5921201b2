import Foundation
import Synchronization
@testable import HealthCheck
import NIOCore
import NIOPosix
import Testing
import Vocabulary
import TestSupport

/// The repository root (two levels above this file's directory).
let repoRoot: String = {
    if let root = ProcessInfo.processInfo.environment["VIGIL_ROOT"] { return root }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
}()

let loop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()

/// Runs `arguments` to completion (through popen, stderr kept) and returns its exit status and stdout.
@discardableResult
func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let command = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    guard let file = popen(command, "r") else { throw FixtureError.notStarted("popen \(command)") }
    var output = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        output += buffer[0..<n]
    }
    let status = pclose(file)
    return ((status >> 8) & 0xff, String(decoding: output, as: UTF8.self))
}

/// `scripts/healthcheck/fake-servers.py` on 127.0.0.1, stopped by PID.
final class FakeServers: @unchecked Sendable {
    let process = Process()
    let ports: [String: UInt16]

    init() throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [repoRoot + "/scripts/healthcheck/fake-servers.py", "127.0.0.1"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var line = Data()
        while true {
            let byte = pipe.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let decoded = try JSONSerialization.jsonObject(with: line) as? [String: Int] ?? [:]
        ports = decoded.mapValues { UInt16($0) }
        if ports.isEmpty {
            process.terminate()
            throw FixtureError.notStarted("fake-servers.py printed no ports")
        }
    }

    func target(_ mode: String, timeout: Duration = .seconds(2)) -> ConnectTarget {
        ConnectTarget(address: "127.0.0.1", port: ports[mode] ?? 1, timeout: timeout)
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// nginx with HTTP and HTTPS (a certificate generated for the test), stopped by PID.
final class Nginx: @unchecked Sendable {
    let dir: String
    let httpPort: UInt16
    let httpsPort: UInt16
    /// HTTPS that requires a client certificate signed by `dir/client-ca.pem` (`client.pem` + `client.key`, or
    /// `client-enc.key` with the passphrase "s3cret").
    let mtlsPort: UInt16

    init() throws {
        dir = NSTemporaryDirectory() + "vigil-nginx-\(UUID().uuidString)"
        let (status, output) = try run([repoRoot + "/scripts/healthcheck/nginx-fixture.sh", "start", dir])
        let parts = output.split(separator: " ").compactMap { UInt16($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard status == 0, parts.count == 3 else {
            try? FileManager.default.removeItem(atPath: dir)
            throw FixtureError.notStarted("nginx fixture failed (status \(status))")
        }
        httpPort = parts[0]
        httpsPort = parts[1]
        mtlsPort = parts[2]
    }

    func stop() {
        _ = try? run([repoRoot + "/scripts/healthcheck/nginx-fixture.sh", "stop", dir])
        try? FileManager.default.removeItem(atPath: dir)
    }
}

enum FixtureError: Error { case notStarted(String) }

/// A temporary executable script.
///
/// Written through a descriptor opened with `O_CLOEXEC`: tests run in parallel and start processes, and a child forked
/// while a plain descriptor for writing was open keeps it for its whole life, so that running the script fails with
/// ETXTBSY ("text file busy", the shell's exit status 126) — seen once in the host tier.
final class TempScript: @unchecked Sendable {
    let path: String
    init(_ body: String) throws {
        path = NSTemporaryDirectory() + "vigil-script-\(UUID().uuidString).sh"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw FixtureError.notStarted("cannot create \(path): errno \(errno)") }
        defer { close(fd) }
        let bytes = Array(("#!/bin/bash\n" + body + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw FixtureError.notStarted("cannot write \(path): errno \(errno)") }
        fchmod(fd, 0o755)   // the umask may have taken bits away
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// One attempt of `kind` on the daemon's path for it (`ProbeRound`: TCP_CHECK and plain HTTP_GET on the epoll engine).
func probe(_ kind: CheckKind) async throws -> ProbeResult {
    let round = ProbeRound(scripts: ProcessScriptRunner(pool: NIOThreadPool.singleton))
    defer { round.shutdown() }
    let id = CheckID(realServer: RealServerID(virtualServer: "vs", address: "127.0.0.1", port: 0), index: 0)
    return await round.run(kind, id: id, on: loop)
}

/// One attempt of `kind` on NIO channels (`ProbeRunner`): SSL_GET's path, and for TCP_CHECK and plain HTTP_GET the
/// benchmark's reference path.
func nioProbe(_ kind: CheckKind) async throws -> ProbeResult {
    let runner = ProbeRunner(scripts: ProcessScriptRunner(pool: NIOThreadPool.singleton))
    return try await runner.run(kind, on: loop).get()
}

/// Runs one HTTP_GET check to its result through a `EpollCheckEngine` (the daemon's path), URL after URL.
func engineProbe(_ check: HTTPCheck) async throws -> ProbeResult {
    let completions = Mutex<[EpollCheckEngine.Completion]>([])
    let engine = try EpollCheckEngine(threads: 1) { batch in completions.withLock { $0 += batch } }
    defer { engine.shutdown() }
    let id = CheckID(realServer: RealServerID(virtualServer: "vs", address: check.target.address, port: check.target.port), index: 0)
    var run = HTTPEngineCheck(check: check)
    engine.submit([run.request(id: id, due: Instant.now())])
    let end = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < end {
        let got = completions.withLock { c -> EpollCheckEngine.Completion? in c.isEmpty ? nil : c.removeFirst() }
        guard let completion = got else {
            try await Task.sleep(for: .milliseconds(5))
            continue
        }
        switch run.finished(completion, now: Instant.now()) {
        case .next(let request): engine.submit([request])
        case .done(let result): return result
        }
    }
    Issue.record("the engine gave no result")
    return .failure("no result")
}
