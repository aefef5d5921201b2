// libFuzzer target for BFD (the BFD module), built by `make fuzz-bfd` with swiftc over BFDControlPacket.swift and
// BFDSession.swift. The input is read as a series of datagrams: each starts with one length byte (0…63), then that
// many bytes. Each datagram is decoded; a packet that decodes must encode back to the same packet; then it is handed
// to a session (active, or passive by the first length byte's top bit), whose timers are run 10 ms later. Invariants:
// after the timers run, nothing is due in the past (no timer loop), and the state is one of the four.

import Vocabulary

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let configuration = BFDSessionConfiguration(name: "fuzz", neighbor: .v4(0x0a00_0002),
                                                requiredMinRx: .milliseconds(100), desiredMinTx: .milliseconds(100),
                                                multiplier: 3, passive: bytes[0] & 0x80 != 0)
    var session = BFDSession(configuration: configuration, localDiscriminator: 7)
    var now = Instant(nanoseconds: 1_000_000)
    _ = session.start(now: now)
    var i = 0
    while i < bytes.count {
        let n = Int(bytes[i] & 0x3f)
        let end = min(bytes.count, i + 1 + n)
        let datagram = Array(bytes[(i + 1)..<end])
        i = end
        now = now + .milliseconds(10)
        if let packet = try? BFDControlPacket.decode(datagram) {
            guard let again = try? BFDControlPacket.decode(packet.encode()), again == packet else {
                fatalError("round trip changed \(packet)")
            }
            _ = session.received(packet, now: now)
        }
        now = now + .milliseconds(10)
        _ = session.deadlineReached(now: now)
        if let next = session.nextWakeup, next <= now { fatalError("a timer due in the past after it ran") }
        _ = session.packet(final: false).encode()
    }
    return 0
}
