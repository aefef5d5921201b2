import Testing
import RegexMatch
@testable import HealthCheck

/// Feeds `text` to a parser in pieces of `step` bytes (0: all at once), then, with `close`, ends the connection.
private func parse(_ text: String, step: Int = 0, close: Bool = false) -> (HTTPResponseParser, [UInt8], HTTPResponseError?) {
    var parser = HTTPResponseParser()
    var body: [UInt8] = []
    let bytes = Array(text.utf8)
    let size = step == 0 ? max(1, bytes.count) : step
    do {
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + size)
            let done = try bytes[i..<end].withUnsafeBytes { chunk in
                try parser.feed(chunk) { body += $0 }
            }
            if done { break }
            i = end
        }
        if close { try parser.connectionClosed() }
    } catch {
        return (parser, body, error as? HTTPResponseError ?? .truncated)
    }
    return (parser, body, nil)
}

@Suite("HTTPResponseParser")
struct HTTPResponseParserTests {
    @Test("Content-Length frames the body, in one piece or byte by byte", arguments: [0, 1, 2, 7])
    func contentLength(step: Int) {
        let (p, body, error) = parse("HTTP/1.0 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello, and more", step: step)
        #expect(error == nil)
        #expect(p.isComplete)
        #expect(p.status == 200)
        #expect(body == Array("hello".utf8))
    }

    @Test("A chunked body is decoded (sizes in hex, extensions, trailers)", arguments: [0, 1, 3])
    func chunked(step: Int) {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nB\r\n, chunked!!\r\n0\r\nX-Trailer: y\r\n\r\n"
        let (p, body, error) = parse(text, step: step)
        #expect(error == nil)
        #expect(p.isComplete)
        #expect(String(decoding: body, as: UTF8.self) == "hello, chunked!!")
    }

    @Test("Without framing the body runs to the end of the connection")
    func untilClose() {
        let (open, _, _) = parse("HTTP/1.0 200 OK\r\n\r\nabc")
        #expect(!open.isComplete)
        let (p, body, error) = parse("HTTP/1.0 200 OK\r\n\r\nabc", close: true)
        #expect(error == nil)
        #expect(p.isComplete)
        #expect(body == Array("abc".utf8))
    }

    @Test("204 and 304 have no body; a 100 Continue is skipped for the real status")
    func noBodyAndInterim() {
        let (p204, _, e204) = parse("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n")
        #expect(e204 == nil && p204.isComplete && p204.status == 204)
        let (p, body, error) = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy", step: 1)
        #expect(error == nil)
        #expect(p.status == 503)
        #expect(body == Array("busy".utf8))
    }

    @Test("A status line without a reason phrase and bare LF line ends are accepted")
    func lenient() {
        let (p, body, error) = parse("HTTP/1.0 200\nContent-Length: 2\n\nok")
        #expect(error == nil)
        #expect(p.status == 200)
        #expect(body == Array("ok".utf8))
    }

    @Test("Malformed replies are typed errors", arguments: [
        ("\u{0}\u{1}\u{2} this is not http \r\n\r\n", HTTPResponseError.badStatusLine),
        ("HTTP/1.0 2x0 OK\r\n\r\n", .badStatusLine),
        ("SSH-2.0-OpenSSH_9.2\r\n", .badStatusLine),
        ("HTTP/1.0 200 OK\r\nno colon here\r\n\r\n", .badHeader),
        ("HTTP/1.0 200 OK\r\nContent-Length: many\r\n\r\n", .badContentLength),
        ("HTTP/1.0 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", .badContentLength),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .badChunk),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", .badChunk),
    ])
    func malformed(text: String, expected: HTTPResponseError) {
        let (_, _, error) = parse(text)
        #expect(error == expected)
    }

    @Test("A head longer than the limit is an error, not an unbounded buffer")
    func headLimit() {
        let text = "HTTP/1.0 200 OK\r\n" + String(repeating: "X-Filler: \(String(repeating: "a", count: 100))\r\n", count: 1000)
        let (_, _, error) = parse(text, step: 4096)
        #expect(error == .badHeader)
    }

    @Test("A connection that ends early is truncated: before the status, in the head, in the body")
    func truncated() {
        for text in ["", "HTTP/1.0 200 OK\r\nContent-Le", "HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nshort",
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"] {
            let (_, _, error) = parse(text, close: true)
            #expect(error == .truncated, "\(text)")
        }
    }

    @Test("A regex is matched on the de-chunked body: a match split by the chunk framing is found, in any pieces",
          arguments: [0, 1, 5])
    func regexOverChunks(step: Int) throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nstate\r\n5\r\n: rea\r\n2\r\ndy\r\n0\r\n\r\n"
        let scanner = RegexScanner(BodyRegex(regex: try CompiledRegex(pattern: "state: ready")))
        var parser = HTTPResponseParser()
        let bytes = Array(text.utf8)
        let size = step == 0 ? bytes.count : step
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + size)
            _ = try bytes[i..<end].withUnsafeBytes { chunk in try parser.feed(chunk) { scanner.feed($0) } }
            i = end
        }
        #expect(parser.isComplete)
        #expect(scanner.finished() == .matched(at: 0))
    }
}
