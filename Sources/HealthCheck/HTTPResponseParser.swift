// Theory of operation
//
// `HTTPResponseParser` reads one HTTP/1.x response as it arrives, in chunks of any size, for HTTP_GET checks on the
// epoll engine. It is a plain value: bytes in, body bytes out through a callback (hashed by the caller for `digest`,
// never stored), and a verdict when the response is complete.
//   - The status line (`HTTP/1.x NNN reason`) gives the status; 1xx responses are interim and skipped.
//   - Headers end at an empty line; only Content-Length and Transfer-Encoding matter. The whole head is bounded
//     (`maxHeadBytes`): a server that streams headers forever is a malformed reply, not a memory leak.
//   - The body is framed by `Transfer-Encoding: chunked` (decoded: the digest is over the payload, as NIO's decoder
//     gives it to genhash), by Content-Length, or by the end of the connection. 204, 304 and 1xx have no body.
// It does not interpret anything else (no keep-alive, no trailers' content, no content codings).


/// Why a response could not be read.
enum HTTPResponseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not an HTTP/1.x status line.
    case badStatusLine
    /// A header line without a colon, or a head longer than the limit.
    case badHeader
    /// A Content-Length that is not a number (or two that disagree).
    case badContentLength
    /// A chunk size line that does not parse.
    case badChunk
    /// The connection ended before the response was complete.
    case truncated

    var description: String {
        switch self {
        case .badStatusLine: "no HTTP status line"
        case .badHeader: "bad header"
        case .badContentLength: "bad Content-Length"
        case .badChunk: "bad chunk size"
        case .truncated: "connection closed before the reply was complete"
        }
    }
}

/// An incremental HTTP/1.x response reader (see the theory of operation).
struct HTTPResponseParser: Sendable {
    /// The longest status line plus headers accepted.
    static let maxHeadBytes = 64 * 1024

    private enum State: Sendable {
        case statusLine
        case headers
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    private var state: State = .statusLine
    /// The current line's bytes (status line, header, chunk size, trailer), without its CR LF.
    private var line: [UInt8] = []
    private var headBytes = 0
    private var contentLength: Int?
    private var chunked = false
    /// The final (non-1xx) status, once its line is read.
    private(set) var status: Int?
    /// Body bytes delivered so far.
    private(set) var bodyLength = 0

    /// Whether the response is complete.
    var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    init() {}

    /// Consumes `bytes`; body bytes go to `body`. Returns true once the response is complete (later bytes are
    /// ignored).
    mutating func feed(_ bytes: UnsafeRawBufferPointer,
                       body: (UnsafeRawBufferPointer) -> Void) throws(HTTPResponseError) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            switch state {
            case .done:
                return true
            case .fixedBody(let remaining):
                let take = min(remaining, n - i)
                body(UnsafeRawBufferPointer(rebasing: bytes[i..<i + take]))
                bodyLength += take
                i += take
                state = remaining - take == 0 ? .done : .fixedBody(remaining: remaining - take)
            case .chunkData(let remaining):
                let take = min(remaining, n - i)
                body(UnsafeRawBufferPointer(rebasing: bytes[i..<i + take]))
                bodyLength += take
                i += take
                state = remaining - take == 0 ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            case .untilClose:
                body(UnsafeRawBufferPointer(rebasing: bytes[i..<n]))
                bodyLength += n - i
                i = n
            case .statusLine, .headers, .chunkSize, .chunkDataEnd, .trailers:
                // Line-oriented states: collect up to LF.
                let byte = bytes[i]
                i += 1
                if isHead {
                    headBytes += 1
                    if headBytes > Self.maxHeadBytes { throw .badHeader }
                } else if line.count > 1024 {
                    throw .badChunk
                }
                if byte == UInt8(ascii: "\n") {
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    try lineEnded()
                    line.removeAll(keepingCapacity: true)
                } else {
                    line.append(byte)
                }
            }
        }
        return isComplete
    }

    /// The connection ended: completes a response framed by the close, or reports it truncated.
    mutating func connectionClosed() throws(HTTPResponseError) {
        switch state {
        case .done: return
        case .untilClose: state = .done
        case .statusLine, .headers, .fixedBody, .chunkSize, .chunkData, .chunkDataEnd, .trailers: throw .truncated
        }
    }

    private var isHead: Bool {
        switch state {
        case .statusLine, .headers: true
        case .fixedBody, .chunkSize, .chunkData, .chunkDataEnd, .trailers, .untilClose, .done: false
        }
    }

    private mutating func lineEnded() throws(HTTPResponseError) {
        switch state {
        case .statusLine:
            // HTTP/1.x SP NNN [SP reason]
            guard line.count >= 12, line.starts(with: Array("HTTP/1.".utf8)), line[8] == UInt8(ascii: " "),
                  let code = Self.digits(line[9..<12]), line.count == 12 || line[12] == UInt8(ascii: " ") else {
                throw .badStatusLine
            }
            status = code
            contentLength = nil
            chunked = false
            state = .headers
        case .headers:
            if line.isEmpty { try headEnded() } else { try header() }
        case .chunkSize:
            // HEX [; extensions]. Hex digits only: Int(_:radix:) also takes a sign, and a negative size trapped the
            // reader (`-d`, found by `make fuzz-healthcheck`).
            let size = line.prefix { $0 != UInt8(ascii: ";") }
            let text = String(decoding: size, as: UTF8.self).trimmingSpaces
            guard !text.isEmpty, text.count <= 15, text.utf8.allSatisfy(Self.isHexDigit),
                  let n = Int(text, radix: 16) else { throw .badChunk }
            state = n == 0 ? .trailers : .chunkData(remaining: n)
        case .chunkDataEnd:
            guard line.isEmpty else { throw .badChunk }
            state = .chunkSize
        case .trailers:
            if line.isEmpty { state = .done }
        case .fixedBody, .chunkData, .untilClose, .done:
            break
        }
    }

    private mutating func header() throws(HTTPResponseError) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { throw .badHeader }
        let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
        switch name {
        case "content-length":
            guard let n = Int(value), n >= 0 else { throw .badContentLength }
            if let known = contentLength, known != n { throw .badContentLength }
            contentLength = n
        case "transfer-encoding":
            if value.lowercased().split(separator: ",").last.map({ String($0).trimmingSpaces }) == "chunked" {
                chunked = true
            }
        default:
            break
        }
    }

    private mutating func headEnded() throws(HTTPResponseError) {
        guard let status else { throw .badStatusLine }
        if (100...199).contains(status) {
            // An interim response: the real one follows.
            self.status = nil
            state = .statusLine
            return
        }
        if status == 204 || status == 304 {
            state = .done
        } else if chunked {
            state = .chunkSize
        } else if let contentLength {
            state = contentLength == 0 ? .done : .fixedBody(remaining: contentLength)
        } else {
            state = .untilClose
        }
    }

    private static func isHexDigit(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(b)
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(b - UInt8(ascii: "0"))
        }
        return value
    }
}

private extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
