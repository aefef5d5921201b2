// `auth_hmac { … }` (keepalived 2.4.0) in a vrrp_instance: keys inline (`hex:` or text) or from a file (`file:`),
// and what keepalived completes at start (legacy authentication dropped, strict mode forcing `enforce`).

extension ModelBuilder {
    /// The block as written. A key outside 32…64 bytes, a duplicate id or a file that cannot be read is an error
    /// naming the instance and the line; a key file readable by group or others is a warning, as keepalived gives.
    mutating func authHMAC(_ n: Node, instance name: String) -> VRRPAuthHMAC {
        var out = VRRPAuthHMAC(location: loc(n))
        for c in n.children {
            let a = args(c)
            switch c.name {
            case "key":
                guard a.count >= 2 else {
                    sink.error(.missingValue, loc(c), "(\(name)) auth_hmac key needs an id and a value: key ID hex:HEX|file:PATH|TEXT")
                    continue
                }
                guard let id = int(a[0], "auth_hmac key id", 1...255) else { continue }
                guard let key = authHMACKey(a[1], id: id, instance: name) else { continue }
                if let first = out.keys.first(where: { $0.id == id }) {
                    sink.error(.duplicate, loc(c), "(\(name)) auth_hmac key \(id) is defined twice (first at line \(first.location.line))")
                    continue
                }
                out.keys.append(VRRPAuthHMACKey(id: id, bytes: key.bytes, file: key.file, location: loc(c)))
            case "active_key":
                if let t = a.first, let id = int(t, "auth_hmac active_key", 1...255) { out.activeKey = id }
            case "time_window":
                if let t = a.first, let w = int(t, "auth_hmac time_window", 1...300) { out.timeWindow = w }
            case "anti_replay":
                guard let t = a.first else { continue }
                if let mode = VRRPAuthHMACAntiReplay(rawValue: t.text) { out.antiReplay = mode } else {
                    sink.error(.invalidValue, loc(t), "(\(name)) auth_hmac anti_replay must be time or monotonic, not '\(clip(t.text))'")
                }
            case "mode":
                guard let t = a.first else { continue }
                if let mode = VRRPAuthHMACMode(rawValue: t.text) { out.mode = mode } else {
                    sink.error(.invalidValue, loc(t), "(\(name)) auth_hmac mode must be enforce, permissive or receive-only, not '\(clip(t.text))'")
                }
            default:
                break  // the keyword table reports unknown words
            }
        }
        return out
    }

    /// One key value: `file:PATH` (the file holds what the inline value would; a trailing line end is dropped),
    /// `hex:HEX`, or the text itself. Nil after an error.
    private mutating func authHMACKey(_ t: Token, id: Int, instance name: String) -> (bytes: [UInt8], file: String?)? {
        var text = Array(t.text.utf8)
        var file: String?
        if text.starts(with: Array("file:".utf8)) {
            let path = String(decoding: text.dropFirst(5), as: UTF8.self)
            file = path
            guard let content = fileSystem.read(path) else {
                sink.error(.io, loc(t), "(\(name)) auth_hmac key file '\(clip(path))' cannot be read")
                return nil
            }
            guard content.count <= 4 + 64 * 2 + 8 else {
                sink.error(.invalidValue, loc(t), "(\(name)) auth_hmac key file '\(clip(path))' is too large for a key of at most 64 bytes")
                return nil
            }
            if let mode = fileSystem.mode(path), mode & 0o077 != 0 {
                sink.warning(.suspicious, loc(t), "(\(name)) auth_hmac key file '\(clip(path))' is readable by group or others (mode \(String(mode & 0o777, radix: 8))): keepalived reports it too; chmod 600 it")
            }
            text = Array(content)
            while let last = text.last, last == 0x0a || last == 0x0d { text.removeLast() }
        }
        let bytes: [UInt8]
        if text.starts(with: Array("hex:".utf8)) {
            guard let decoded = Self.hexBytes(text.dropFirst(4)) else {
                sink.error(.invalidValue, loc(t), "(\(name)) auth_hmac key \(id): the value after hex: is not hexadecimal")
                return nil
            }
            bytes = decoded
        } else {
            bytes = text
        }
        guard (32...64).contains(bytes.count) else {
            sink.error(.outOfRange, loc(t), "(\(name)) auth_hmac key \(id) is \(bytes.count) bytes; keys are 32 to 64 bytes")
            return nil
        }
        return (bytes, file)
    }

    /// Pairs of hex digits, spaces and tabs between them allowed (a lone digit before a space is one byte, as
    /// keepalived reads it). Nil on anything else.
    static func hexBytes<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        var i = text.startIndex
        while i != text.endIndex {
            let c = text[i]
            if c == 0x20 || c == 0x09 { i = text.index(after: i); continue }
            guard let high = value(c) else { return nil }
            i = text.index(after: i)
            if i != text.endIndex, text[i] != 0x20, text[i] != 0x09 {
                guard let low = value(text[i]) else { return nil }
                out.append(high << 4 | low)
                i = text.index(after: i)
            } else {
                out.append(high)
            }
        }
        return out
    }

    /// What keepalived completes at start, after strict mode: the legacy `authentication` gives way to the
    /// extension; strict mode needs `enforce`. An `active_key` that names no key, or none at all, is an error:
    /// keepalived reports it and runs the instance without authentication, which Vigil refuses to do silently.
    mutating func completeAuthHMAC(_ v: inout VRRPInstanceConfig) {
        guard var h = v.authHMAC else { return }
        if let a = v.authentication {
            sink.warning(.keepalivedIgnores, a.location, "(\(v.name)) auth_hmac cannot be combined with authentication: keepalived drops the authentication block, and so does Vigil")
            v.authentication = nil
        }
        if let id = h.activeKey {
            if !h.keys.contains(where: { $0.id == id }) {
                sink.error(.undefinedReference, h.location, "(\(v.name)) auth_hmac active_key \(id) is not a defined key: keepalived runs the instance without authentication; Vigil refuses to")
            }
        } else {
            sink.error(.missingValue, h.location, "(\(v.name)) auth_hmac has no active_key: keepalived runs the instance without authentication; Vigil refuses to")
        }
        if v.strict, h.mode != .enforce {
            sink.warning(.keepalivedIgnores, h.location, "(\(v.name)) strict mode requires auth_hmac mode enforce: keepalived sets it, and so does Vigil")
            h.mode = .enforce
        }
        v.authHMAC = h
    }
}
