import CGenl
import Testing
@testable import IPVS

@Suite("IPVSMessage wire format")
struct IPVSMessageTests {
    // Layout from linux/ip_vs.h: nested IPVS_CMD_ATTR_SERVICE holding AF, PROTOCOL,
    // ADDR (16 bytes), PORT (network order), SCHED_NAME, FLAGS {flags, mask}, TIMEOUT,
    // NETMASK (network order for IPv4).
    @Test("Add service TCP 10.0.0.1:80 rr encodes to the golden bytes")
    func addServiceGolden() throws {
        let s = IPVSService(key: tcp("10.0.0.1", 80), scheduler: "rr")
        let bytes = try IPVSMessage.encode(IPVSMessage(.command(.addService(s)), familyID: 0x20, sequence: 7))
        let golden = hex("""
            68000000 2000 0500 07000000 00000000  01010000
            5400 0180
              0600 0100 0200 0000
              0600 0200 0600 0000
              1400 0300 0a000001 00000000 00000000 00000000
              0600 0400 0050 0000
              0700 0600 727200 00
              0c00 0700 00000000 ffffffff
              0800 0800 00000000
              0800 0900 ffffffff
            """)
        #expect(bytes == golden)
    }

    @Test("Persistent service sets the persistent flag, timeout and IPv4 netmask")
    func persistentServiceGolden() throws {
        let s = IPVSService(key: tcp("10.0.0.1", 443), scheduler: "sh", flags: [.shPort],
                            persistenceTimeout: 300, persistencePrefixLength: 24)
        let bytes = try IPVSMessage.encode(IPVSMessage(.command(.editService(s)), familyID: 0x20, sequence: 1))
        #expect(bytes[16] == 2)  // IPVS_CMD_SET_SERVICE
        let tail = Array(bytes.suffix(28))
        #expect(tail == hex("0c00 0700 11000000 ffffffff  0800 0800 2c010000  0800 0900 ffffff00"))
    }

    @Test("Add destination carries the service key and a full destination")
    func addDestinationGolden() throws {
        let bytes = try IPVSMessage.encode(IPVSMessage(
            .command(.addDestination(.firewallMark(5, family: .inet), dest("10.0.1.2", 8080, weight: 3, .directRoute))),
            familyID: 0x21, sequence: 2))
        let golden = hex("""
            70000000 2100 0500 02000000 00000000  05010000
            1400 0180
              0600 0100 0200 0000
              0800 0500 05000000
            4800 0280
              1400 0100 0a000102 00000000 00000000 00000000
              0600 0200 1f90 0000
              0600 0b00 0200 0000
              0800 0300 03000000
              0800 0400 03000000
              0800 0500 00000000
              0800 0600 00000000
            """)
        #expect(bytes == golden)
    }

    @Test("A dump request sets NLM_F_DUMP and no ACK")
    func dumpFlags() throws {
        let bytes = try IPVSMessage.encode(IPVSMessage(.listServices, familyID: 0x20, sequence: 9))
        #expect(bytes == hex("14000000 2000 0103 09000000 00000000 04010000"))
    }

    @Test("Requests encoded into one buffer are the concatenation of their single encodings")
    func batchEncodingConcatenates() throws {
        let key = tcp("10.0.0.1", 80)
        let messages = [
            IPVSMessage(.command(.addService(IPVSService(key: key, scheduler: "wrr", persistenceEngine: "sip"))), familyID: 0x20, sequence: 1),
            IPVSMessage(.command(.addDestination(key, dest("2001:db8::5", 80, .tunnel(.gue, port: 6080)))), familyID: 0x20, sequence: 2, wantsAck: false),
            IPVSMessage(.command(.deleteDestination(key, IPVSDestinationKey(address: addr("10.0.1.1"), port: 80))), familyID: 0x20, sequence: 3),
            IPVSMessage(.command(.startSyncDaemon(IPVSSyncDaemon(role: .backup, interface: "eth0", syncID: 4))), familyID: 0x20, sequence: 4),
            IPVSMessage(.getInfo, familyID: 0x20, sequence: 5),
        ]
        var batch: [UInt8] = []
        var separate: [UInt8] = []
        for m in messages {
            try IPVSMessage.encode(m, into: &batch)
            separate += try IPVSMessage.encode(m)
        }
        #expect(batch == separate)
        #expect(batch.count % 4 == 0)
    }

    @Test("A refused request leaves the batch buffer unchanged")
    func refusedRequestLeavesBufferAlone() throws {
        var batch = try IPVSMessage.encode(IPVSMessage(.getInfo, familyID: 1, sequence: 1))
        let before = batch
        let s = IPVSService(key: tcp("10.0.0.1", 80), scheduler: "abcdefghijklmnop")
        #expect(throws: IPVSError.self) {
            try IPVSMessage.encode(IPVSMessage(.command(.addService(s)), familyID: 1, sequence: 2), into: &batch)
        }
        #expect(batch == before)
    }

    @Test("A request without an ack leaves NLM_F_ACK clear")
    func noAckFlag() throws {
        let bytes = try IPVSMessage.encode(IPVSMessage(.command(.flush), familyID: 0x20, sequence: 1, wantsAck: false))
        #expect(bytes == hex("14000000 2000 0100 01000000 00000000 11010000"))
    }

    @Test("A scheduler name of 16 bytes is refused before it reaches the kernel")
    func longSchedulerRefused() {
        let s = IPVSService(key: tcp("10.0.0.1", 80), scheduler: "abcdefghijklmnop")
        #expect(throws: IPVSError.self) {
            try IPVSMessage.encode(IPVSMessage(.command(.addService(s)), familyID: 1, sequence: 1))
        }
    }

    @Test("ABI constants match linux/ip_vs.h")
    func constantsMatchHeader() {
        #expect(IPVSABI.Cmd.newService == UInt8(IPVS_CMD_NEW_SERVICE))
        #expect(IPVSABI.Cmd.getInfo == UInt8(IPVS_CMD_GET_INFO))
        #expect(IPVSABI.Cmd.flush == UInt8(IPVS_CMD_FLUSH))
        #expect(IPVSABI.Svc.netmask == UInt16(IPVS_SVC_ATTR_NETMASK))
        #expect(IPVSABI.Svc.stats64 == UInt16(IPVS_SVC_ATTR_STATS64))
        #expect(IPVSABI.Dest.tunPort == UInt16(IPVS_DEST_ATTR_TUN_PORT))
        #expect(IPVSABI.Dest.addrFamily == UInt16(IPVS_DEST_ATTR_ADDR_FAMILY))
        #expect(IPVSABI.Daemon.syncID == UInt16(IPVS_DAEMON_ATTR_SYNC_ID))
        #expect(IPVSABI.CmdAttr.timeoutUDP == UInt16(IPVS_CMD_ATTR_TIMEOUT_UDP))
    }

    /// Wraps the attributes of an encoded request as if the kernel had sent them back.
    func reply(_ request: [UInt8]) throws -> Attributes {
        let msgs = try NetlinkReply.messages(request[...], .listServices)
        #expect(msgs.count == 1)
        return try NetlinkReply.genlAttributes(try #require(msgs.first), .listServices)
    }

    @Test("An IPv6 persistent service decodes back to itself")
    func serviceRoundTrip() throws {
        let s = IPVSService(key: .address(.udp, addr("2001:db8::1"), port: 53), scheduler: "mh",
                            flags: [.mhFallback, .onePacket], persistenceTimeout: 60, persistencePrefixLength: 64)
        let bytes = try IPVSMessage.encode(IPVSMessage(.command(.addService(s)), familyID: 1, sequence: 1))
        let (decoded, _) = try IPVSDecode.service(try reply(bytes))
        #expect(decoded == s.normalized)
    }

    @Test("A GUE tunnel destination decodes back to itself")
    func destinationRoundTrip() throws {
        let d = IPVSDestination(key: IPVSDestinationKey(address: addr("10.0.1.9"), port: 80),
                                forwarding: .tunnel(.gue, port: 6080), weight: 7, upperThreshold: 100, lowerThreshold: 10)
        let bytes = try IPVSMessage.encode(IPVSMessage(.command(.addDestination(tcp("10.0.0.1", 80), d)), familyID: 1, sequence: 1))
        let decoded = try IPVSDecode.destination(try reply(bytes), serviceFamily: .inet)
        #expect(decoded.destination == d)
    }

    @Test("A tunnel's checksum option travels as IPVS_DEST_ATTR_TUN_FLAGS and decodes back", arguments: [
        IPVSForwarding.tunnel(.gue, port: 6080, checksum: .csum), .tunnel(.gre, port: 0, checksum: .remcsum),
        .tunnel(.gre, port: 0, checksum: .nocsum),
    ])
    func tunnelChecksumRoundTrip(_ forwarding: IPVSForwarding) throws {
        let d = IPVSDestination(key: IPVSDestinationKey(address: addr("10.0.1.9"), port: 80), forwarding: forwarding, weight: 1)
        let bytes = try IPVSMessage.encode(IPVSMessage(.command(.addDestination(tcp("10.0.0.1", 80), d)), familyID: 1, sequence: 1))
        let decoded = try IPVSDecode.destination(try reply(bytes), serviceFamily: .inet)
        #expect(decoded.destination.forwarding == forwarding)
    }

    @Test("ipvsadm's form of a tunnel destination names its checksum option")
    func tunnelChecksumCommand() {
        let d = IPVSDestination(key: IPVSDestinationKey(address: addr("10.0.1.9"), port: 80),
                                forwarding: .tunnel(.gue, port: 6080, checksum: .csum), weight: 1)
        #expect(IPVSCommand.addDestination(tcp("10.0.0.1", 80), d).description
                == "-a -t 10.0.0.1:80 -r 10.0.1.9:80 -i --tun-type gue --tun-port 6080 --tun-csum -w 1")
        #expect(IPVSCommand.addService(IPVSService(key: tcp("10.0.0.1", 80), scheduler: "rr", persistenceEngine: "sip"))
            .description == "-A -t 10.0.0.1:80 -s rr --pe sip")
    }

    @Test("A sync daemon's options travel as IPVS_DAEMON_ATTR_* (the port in host order, as the kernel reads it; the group by family) and decode back", arguments: [
        IPVSSyncDaemon(role: .master, interface: "eth1", syncID: 9, maxLength: 1400, group: addr("239.1.2.3"), port: 8850, ttl: 3),
        IPVSSyncDaemon(role: .backup, interface: "eth1", syncID: 9, group: addr("ff15::81")),
        IPVSSyncDaemon(role: .backup, interface: "eth1", syncID: 9),
    ])
    func syncDaemonRoundTrip(_ d: IPVSSyncDaemon) throws {
        let bytes = try IPVSMessage.encode(IPVSMessage(.command(.startSyncDaemon(d)), familyID: 1, sequence: 1))
        #expect(try IPVSDecode.daemon(try reply(bytes)) == d)
        if d.port == 8850 { #expect(bytes.windowContains([0x06, 0x00, 0x07, 0x00, 0x92, 0x22])) }
    }

    @Test("A truncated attribute is a malformed-reply error, not a trap")
    func truncatedAttribute() throws {
        var bytes = try IPVSMessage.encode(IPVSMessage(.listServices, familyID: 1, sequence: 1))
        bytes += [0x40, 0x00, 0x01, 0x00, 0x00]  // claims 64 bytes, has 1
        bytes[0] = UInt8(bytes.count)
        #expect(throws: IPVSError.self) { try reply(bytes) }
    }

    @Test("A message longer than its buffer is a malformed-reply error")
    func truncatedMessage() {
        let bytes = hex("ff000000 0200 0000 01000000 00000000")
        #expect(throws: IPVSError.self) { try NetlinkReply.messages(bytes[...], .listServices) }
    }
}

private extension Array where Element == UInt8 {
    func windowContains(_ w: [UInt8]) -> Bool {
        guard w.count <= count else { return false }
        return (0...(count - w.count)).contains { Array(self[$0..<($0 + w.count)]) == w }
    }
}
