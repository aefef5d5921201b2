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

    /// The entries' keys (a hash of protocol, client, virtual and real address and port each), so that two readings
    /// tell which entries are new (synced in since); nil when the file cannot be read.
    public func keys() -> Set<UInt64>? {
        var reader = ConnectionKeyReader()
        guard readChunks({ reader.consume($0) }) else { return nil }
        reader.finish()
        return reader.keys
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

/// Reads `/proc/net/ip_vs_conn`'s text fed in chunks into the set of its entries' keys: FNV-1a over the first seven
/// fields of each line after the header (`Pro FromIP FPrt ToIP TPrt DestIP DPrt`), which name a connection whatever
/// its state and timer. A line without seven fields is skipped. With `keepsKeys` false it only counts the entries.
public struct ConnectionKeyReader: Sendable {
    public private(set) var keys: Set<UInt64> = []
    /// The entries read (lines with seven fields after the header).
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
        for b in line {
            let space = b == UInt8(ascii: " ") || b == UInt8(ascii: "\t")
            if space {
                if inField {
                    inField = false
                    fields += 1
                    if fields == 7 { break }
                    hash = (hash ^ 0x20) &* 0x0000_0100_0000_01b3
                }
                continue
            }
            inField = true
            hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01b3
        }
        if inField { fields += 1 }
        guard fields >= 7 else { return }
        entries += 1
        if keepsKeys { keys.insert(hash) }
    }
}
