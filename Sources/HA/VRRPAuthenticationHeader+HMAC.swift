// The ICV of `auth_type AH`: HMAC-MD5 keyed with the first 8 bytes of auth_pass, truncated to 96 bits
// (RFC 2403), through swift-crypto.

import Crypto

extension VRRPAuthenticationHeader {
    static func icv(_ data: [UInt8], key: [UInt8]) -> [UInt8] {
        let mac = HMAC<Insecure.MD5>.authenticationCode(for: data, using: SymmetricKey(data: Array(key.prefix(keyLength))))
        return Array(Array(mac).prefix(icvLength))
    }
}
