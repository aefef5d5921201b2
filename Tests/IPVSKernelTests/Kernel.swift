import Foundation
import Testing
import Vocabulary
@testable import IPVS

/// Runs a shell command; returns its stdout, throws with stderr when it fails.
@discardableResult
func sh(_ command: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = ["-c", command]
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        throw ShellError(command: command, status: p.terminationStatus, stderr: String(decoding: e, as: UTF8.self))
    }
    return String(decoding: o, as: UTF8.self)
}

struct ShellError: Error, CustomStringConvertible {
    var command: String
    var status: Int32
    var stderr: String
    var description: String { "`\(command)` exited \(status): \(stderr)" }
}

func addr(_ s: String) -> IPAddress {
    guard let a = IPAddress(s) else { preconditionFailure("bad test address \(s)") }
    return a
}

func dest(_ a: String, _ port: UInt16, weight: Int32 = 1, _ fwd: IPVSForwarding = .masquerade) -> IPVSDestination {
    IPVSDestination(key: IPVSDestinationKey(address: addr(a), port: port), forwarding: fwd, weight: weight)
}

/// The lab's preconditions, checked once: the kernel has IPVS, the table is private to
/// this network namespace (the make target runs the tests inside a fresh one), and the
/// NAT destination subnets are routable through a dummy interface.
enum Lab {
    static let ready: Result<Void, ShellError> = {
        do {
            try sh("test -e /proc/net/ip_vs || modprobe ip_vs")
            try sh("""
                ip link show vigil-d0 >/dev/null 2>&1 || { ip link add vigil-d0 type dummy && \
                ip addr add 10.0.1.254/24 dev vigil-d0 && ip addr add fd00:1::fe/64 dev vigil-d0 nodad && \
                ip link set vigil-d0 up; }
                """)
            return .success(())
        } catch let e as ShellError {
            return .failure(e)
        } catch {
            return .failure(ShellError(command: "lab setup", status: -1, stderr: "\(error)"))
        }
    }()

    /// A client on an emptied table. Fails the test (never skips) when the lab is not ready.
    static func freshClient() throws -> NetlinkIPVSClient {
        if case .failure(let e) = ready { Issue.record("IPVS lab not ready: \(e)"); throw e }
        guard ProcessInfo.processInfo.environment["VIGIL_IPVS_NETNS"] != nil else {
            let e = ShellError(command: "", status: 1, stderr: "run through `make test-vm-ipvs` (the tests need their own network namespace)")
            Issue.record("\(e.stderr)")
            throw e
        }
        let c = try NetlinkIPVSClient()
        try c.perform([.flush])
        return c
    }
}

/// `ipvsadm -Ln --exact` as a set of service blocks (service line + sorted destination
/// lines, whitespace collapsed), so order does not matter.
func blocks(_ listing: String) -> Set<[String]> {
    var out: Set<[String]> = []
    var current: [String] = []
    func flush() {
        if let head = current.first { out.insert([head] + current.dropFirst().sorted()) }
        current = []
    }
    for raw in listing.split(separator: "\n").dropFirst(0) {
        let line = raw.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        if line.hasPrefix("IP Virtual Server") || line.hasPrefix("Prot ") || line.hasPrefix("-> RemoteAddress") { continue }
        if line.hasPrefix("->") { current.append(line) } else { flush(); current = [line] }
    }
    flush()
    return out
}

/// Asserts that the client's view and ipvsadm's agree.
func expectAgreesWithIPVSADM(_ c: NetlinkIPVSClient, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let ours = blocks(IPVSListing.text(info: nil, services: try c.status()))
    let theirs = blocks(try sh("ipvsadm -Ln --exact"))
    #expect(ours == theirs, sourceLocation: sourceLocation)
}
