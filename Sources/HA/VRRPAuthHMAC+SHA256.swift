// The digest of `auth_hmac`: HMAC-SHA256 (RFC 2104) through swift-crypto. The fuzz build (make fuzz-ha) links a
// stand-in instead (Fuzz/HA/ICV.swift).

import Crypto

extension VRRPAuthHMACTrailer {
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}
