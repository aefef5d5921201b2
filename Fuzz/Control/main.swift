// libFuzzer target for Vigil's own handling of control-endpoint traffic (Control module), built by `make fuzz-control`
// with swiftc over the Foundation-only Control files. The HTTP server side is Hummingbird's: it parses requests,
// routes `/status`, `/metrics`, `/events`, `/` and turns `after` / `limit` into integers; Vigil's part of a request
// is what it does with those integers. The client side (`vigil status`) is Vigil's own: it reads the reply's head and
// decodes and renders the JSON. The first byte picks the target (byte0 % 6; the seeds use 0–5, so that adding a
// target does not send a regression file elsewhere):
//   0  ControlEndpoint(parsing:) of the rest as text (`--control`, TCP or unix:PATH); what parses must print and
//      parse back the same;
//   1  StatusEvent.window over a history of byte1 events with `after` and `limit` from the next 16 bytes
//      (present or not by bits of byte0); the result must be what the query asks for;
//   2  HTTPGet.body(ofReply:) of the rest, then StatusClient.rendered of its body as a /status reply (tables);
//   3  the same as an /events reply, and both as --json;
//   4  HandoverRequest.parse of the rest split at its first 0 byte (instances, cancel; the cancel part absent when
//      there is no 0 byte): what it accepts must hold 1…256 names of 1…256 bytes, none with a comma;
//   5  ControlToken(text:) of the rest up to its first 0 byte, and what follows as an Authorization header: a token
//      that parses is 16…256 visible ASCII bytes and accepts its own header; an accepted header holds the token,
//      and the header with one more byte is refused.
// Nothing may trap.

import Foundation

let endpoint = ControlEndpoint.default

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let selector = data[0]
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch selector % 6 {
    case 0: parseEndpoint(rest)
    case 1: window(rest, flags: selector)
    case 4: handover(rest)
    case 5: token(rest)
    default: reply(rest, events: selector % 6 == 3)
    }
    return 0
}

func parseEndpoint(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let e = try? ControlEndpoint(parsing: text) else { return }
    if let path = e.socketPath {
        guard path.hasPrefix("/"), path.utf8.count <= ControlEndpoint.maxSocketPathBytes else {
            fatalError("parsed \(e) from '\(text)'")
        }
    } else if !(1...65535).contains(e.port) || e.host.isEmpty {
        fatalError("parsed \(e) from '\(text)'")
    }
    let again = try? ControlEndpoint(parsing: e.description)
    if again != e { fatalError("\(e) printed as '\(e.description)' parses as \(String(describing: again))") }
}

func handover(_ bytes: [UInt8]) {
    let cut = bytes.firstIndex(of: 0)
    let instances = String(decoding: bytes[..<(cut ?? bytes.count)], as: UTF8.self)
    let cancel = cut.map { String(decoding: bytes[($0 + 1)...], as: UTF8.self) }
    guard case .success(let asked) = HandoverRequest.parse(instances: instances, cancel: cancel),
          let names = asked.names else { return }
    guard (1...256).contains(names.count),
          names.allSatisfy({ (1...256).contains($0.utf8.count) && !$0.contains(",") }) else {
        fatalError("accepted \(names.count) names from '\(instances)'")
    }
}

func token(_ bytes: [UInt8]) {
    let cut = bytes.firstIndex(of: 0)
    let text = String(decoding: bytes[..<(cut ?? bytes.count)], as: UTF8.self)
    let header = cut.map { String(decoding: bytes[($0 + 1)...], as: UTF8.self) }
    guard let token = try? ControlToken(text: text, source: "fuzz") else { return }
    let own = token.authorization
    let secret = own.dropFirst("Bearer ".count)
    guard (16...256).contains(secret.utf8.count), secret.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
        fatalError("accepted the token '\(secret)' from '\(text)'")
    }
    guard token.accepts(authorization: own), !token.accepts(authorization: own + "x") else {
        fatalError("the token '\(secret)' does not accept its own header, or accepts it with a byte more")
    }
    if token.accepts(authorization: header), let header, !header.contains(String(secret)) {
        fatalError("accepted '\(header)' for the token '\(secret)'")
    }
}

func window(_ bytes: [UInt8], flags: UInt8) {
    guard bytes.count >= 17 else { return }
    func int(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
    let after = flags & 0x10 != 0 ? int(1) : nil
    let limit = flags & 0x20 != 0 ? int(9) : nil
    let history = (0..<Int(bytes[0])).map {
        StatusEvent(seq: $0 + 1, at: Date(timeIntervalSince1970: Double($0)), kind: .vrrp, subject: "VI_1", message: "m")
    }
    let out = StatusEvent.window(history, after: after, limit: limit)
    let wanted = history.filter { e in after.map { e.seq > $0 } ?? true }
    let expected = limit.map { Array(wanted.suffix(max(0, $0))) } ?? wanted
    if out != expected { fatalError("window after \(String(describing: after)) limit \(String(describing: limit))") }
}

func reply(_ bytes: [UInt8], events: Bool) {
    let body = (try? HTTPGet.body(ofReply: bytes)) ?? bytes
    _ = try? StatusClient.rendered(body, from: endpoint, events: events, json: false)
    if events { _ = try? StatusClient.rendered(body, from: endpoint, events: false, json: true) }
}
