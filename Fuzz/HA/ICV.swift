// The fuzz build's ICV for `auth_type AH`. The product computes HMAC-MD5 through swift-crypto
// (Sources/HA/VRRPAuthenticationHeader+HMAC.swift), which a swiftc-only libFuzzer build cannot link. What is fuzzed
// here is the parsing around it and the instance's sequence handling, so a keyed checksum of the same length
// stands in: a datagram "verifies" when its 12 ICV bytes are this sum, which the fuzzer can find and so reach the
// accepting path as well as the rejecting one.

extension VRRPAuthenticationHeader {
    static func icv(_ data: [UInt8], key: [UInt8]) -> [UInt8] {
        var acc: UInt8 = key.reduce(0, &+)
        for b in data { acc = acc &* 31 &+ b }
        return [UInt8](repeating: acc, count: icvLength)
    }
}

// The same for `auth_hmac`'s HMAC-SHA256: a keyed sum the fuzzer can find, 32 bytes like the digest.
extension VRRPAuthHMACTrailer {
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var acc: UInt8 = key.reduce(0, &+)
        for b in message { acc = acc &* 31 &+ b }
        return [UInt8](repeating: acc, count: 32)
    }
}
