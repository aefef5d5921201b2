#if canImport(Glibc)
import Glibc
#endif

/// The kernel's IPVS connection table as `/proc/net/ip_vs_conn` lists it (one header line, then one line per
/// connection entry, persistence templates included), of the reader's network namespace. A thin adapter: it only
/// reads; the Director decides what the entries mean (the failback hold).
public struct IPVSConnectionTable: Sendable {
    /// The file (tests may point it elsewhere).
    public var path: String

    /// The adapter over `/proc/net/ip_vs_conn`.
    public init(path: String = "/proc/net/ip_vs_conn") { self.path = path }

    /// How many connection entries the table holds now; nil when the file cannot be read (no IPVS module).
    /// Reads the file in 64 KiB chunks, so the cost is one pass over the table's text and no more memory.
    public func count() -> Int? {
        var reader = ConnectionKeyReader(keepsKeys: false)
        guard readChunks({ reader.consume($0) }) else { return nil }
        reader.finish()
        return reader.entries
    }

    /// One reading of the table: how many entries, and the keys (a hash of protocol, client, virtual and real address
    /// and port each) of its live flows and of its other entries, so that two readings tell which flows arrived
    /// (synced in since), which closed (still listed, in a closing state) and which expired (gone); nil when the file
    /// cannot be read.
    public func reading() -> ConnectionKeyReader? {
        var reader = ConnectionKeyReader()
        guard readChunks({ reader.consume($0) }) else { return nil }
        reader.finish()
        return reader
    }

    private func readChunks(_ body: (ArraySlice<UInt8>) -> Void) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            if n == 0 { return true }
            body(buffer[0..<n])
        }
    }
}

/// Reads `/proc/net/ip_vs_conn`'s text fed in chunks: FNV-1a over the first seven fields of each line after the
/// header (`Pro FromIP FPrt ToIP TPrt DestIP DPrt`), which name a connection whatever its state and timer, and its
/// eighth, the state. A live flow is an entry in state `ESTABLISHED` (TCP, SCTP) or `UDP`; the others are closing,
/// opening or persistence templates (`NONE`). A line without eight fields is skipped. With `keepsKeys` false it only
/// counts the entries.
public struct ConnectionKeyReader: Sendable {
    /// The keys of the live flows.
    public private(set) var live: Set<UInt64> = []
    /// The keys of the other entries.
    public private(set) var other: Set<UInt64> = []
    /// The entries read (lines with eight fields after the header).
    public private(set) var entries = 0
    private let keepsKeys: Bool
    private var line: [UInt8] = []
    private var header = true

    public init(keepsKeys: Bool = true) { self.keepsKeys = keepsKeys }

    public mutating func consume(_ bytes: some Collection<UInt8>) {
        for b in bytes {
            if b == UInt8(ascii: "\n") { finishLine() } else if line.count < 512 { line.append(b) }
        }
    }

    /// Takes a last line without its newline.
    public mutating func finish() { if !line.isEmpty { finishLine() } }

    private mutating func finishLine() {
        defer { line.removeAll(keepingCapacity: true) }
        if header {
            header = false
            return
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var fields = 0
        var inField = false
        // The state is matched as it is read (no copy per line: a hold reads the whole table every second).
        var stateLength = 0
        var established = true, udp = true
        for b in line {
            let space = b == UInt8(ascii: " ") || b == UInt8(ascii: "\t")
            if space {
                if inField {
                    inField = false
                    fields += 1
                    if fields == 8 { break }
                    if fields < 7 { hash = (hash ^ 0x20) &* 0x0000_0100_0000_01b3 }
                }
                continue
            }
            inField = true
            if fields < 7 {
                hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01b3
            } else if keepsKeys {
                established = established && stateLength < Self.established.count && Self.established[stateLength] == b
                udp = udp && stateLength < Self.udp.count && Self.udp[stateLength] == b
                stateLength += 1
            }
        }
        if inField { fields += 1 }
        guard fields >= 8 else { return }
        entries += 1
        guard keepsKeys else { return }
        let isLive = (established && stateLength == Self.established.count) || (udp && stateLength == Self.udp.count)
        if isLive { live.insert(hash) } else { other.insert(hash) }
    }

    private static let established: [UInt8] = Array("ESTABLISHED".utf8)
    private static let udp: [UInt8] = Array("UDP".utf8)
}
