// libFuzzer target for the health checkers' reply readers, built by `make fuzz-healthcheck` with swiftc over the
// pure HealthCheck files (no NIO). The first byte picks the reader and how the rest is cut into pieces:
//   byte0 % 3 == 0  HTTPResponseParser (HTTP_GET on the epoll engine), fed in pieces, then the connection closes;
//   byte0 % 3 == 1  DNSMessage.judge (DNS_CHECK), the rest as one datagram, for the ID in its first two bytes
//                   and for another ID;
//   byte0 % 3 == 2  SMTPCheckReplies (SMTP_CHECK), fed in pieces.
// Piece sizes come from byte0 / 3 (1…85 bytes, 0 meaning all at once). Nothing may trap; what the readers report
// must also hold together (checked below with fatalError, which libFuzzer reports as a crash).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let selector = data[0]
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let piece = Int(selector / 3)
    let pieces = piece == 0 ? [rest[...]] : stride(from: 0, to: rest.count, by: piece).map {
        rest[$0..<min($0 + piece, rest.count)]
    }
    switch selector % 3 {
    case 0: http(pieces)
    case 1: dns(rest)
    default: smtp(pieces)
    }
    return 0
}

func http(_ pieces: [ArraySlice<UInt8>]) {
    var parser = HTTPResponseParser()
    var delivered = 0
    var complete = false
    do {
        for p in pieces where !complete {
            complete = try p.withUnsafeBytes { raw in try parser.feed(raw) { delivered += $0.count } }
        }
        if !complete { try parser.connectionClosed() }
    } catch {
        _ = "\(error)"
    }
    if delivered != parser.bodyLength { fatalError("body bytes delivered \(delivered) != bodyLength \(parser.bodyLength)") }
    if parser.isComplete, let s = parser.status, !(0...999).contains(s) { fatalError("status \(s)") }
}

func dns(_ datagram: [UInt8]) {
    let id = datagram.count >= 2 ? UInt16(datagram[0]) << 8 | UInt16(datagram[1]) : 0
    let ours = DNSMessage.judge(datagram, id: id), other = DNSMessage.judge(datagram, id: id &+ 1)
    if datagram.count >= 12 {
        if ours == .ignore { fatalError("a reply with the query's ID was ignored") }
        if other != .ignore { fatalError("a reply with another ID was not ignored") }
    } else if ours == .ignore || other == .ignore {
        fatalError("a short datagram was ignored instead of failing the check")
    }
    // The query encoder over a name made of the datagram's bytes (any UTF-8 and label length).
    let name = String(decoding: datagram.prefix(300), as: UTF8.self)
    if let q = DNSMessage.query(id: id, name: name, type: "A"), q.count < 12 { fatalError("query shorter than a header") }
}

func smtp(_ pieces: [ArraySlice<UInt8>]) {
    var reader = SMTPCheckReplies()
    for p in pieces {
        for event in reader.read(p) {
            if case .malformed = event { return }
        }
    }
}
