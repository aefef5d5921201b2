// libFuzzer target for the e-mail alerts' SMTP client (Alerts module), built by `make fuzz-smtp` with swiftc over
// SMTPReply.swift and SMTPSession.swift. The first byte cuts the rest into pieces (byte0 / 2 bytes each, 0 meaning
// all at once) and, by its low bit, picks the target:
//   even: SMTPReplyReader alone; a reply must have a code 200…599 and 1…maxLines lines, no line longer than the
//         limit, and after an error nothing more may come out;
//   odd:  a whole SMTPSession (two recipients) fed the pieces as server bytes: at most one outcome, nothing sent
//         after it.

let message = Array("Subject: fuzz\r\n\r\nbody\r\n.\r\n".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let selector = data[0]
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let piece = Int(selector / 2)
    let pieces = piece == 0 ? [rest[...]] : stride(from: 0, to: rest.count, by: piece).map {
        rest[$0..<min($0 + piece, rest.count)]
    }
    if selector & 1 == 0 { reader(pieces) } else { session(pieces) }
    return 0
}

func reader(_ pieces: [ArraySlice<UInt8>]) {
    var r = SMTPReplyReader()
    var failed = false
    for p in pieces {
        for result in r.read(p) {
            if failed { fatalError("a result after an error") }
            switch result {
            case .success(let reply):
                guard (200...599).contains(reply.code), !reply.lines.isEmpty, reply.lines.count <= SMTPReplyReader.maxLines,
                      reply.lines.allSatisfy({ $0.utf8.count < SMTPReplyReader.maxLineLength * 3 }) else {
                    fatalError("bad reply \(reply)")
                }
                _ = reply.description
            case .failure(let error):
                _ = error.description
                failed = true
            }
        }
    }
}

func session(_ pieces: [ArraySlice<UInt8>]) {
    var s = SMTPSession(heloName: "vigil.example", sender: "vigil@example.org",
                        recipients: ["ops@example.org", "oncall@example.org"], message: message)
    var outcomes = 0
    func take(_ actions: [SMTPSessionAction]) {
        for a in actions {
            switch a {
            case .send: if outcomes > 0 { fatalError("sent after the outcome") }
            case .finish(let o):
                outcomes += 1
                if case .failed(let f) = o { _ = f.description }
            }
        }
    }
    take(s.connected())
    for p in pieces { take(s.received(p)) }
    take(s.closed())
    take(s.timedOut())
    if outcomes != 1 { fatalError("\(outcomes) outcomes") }
}
