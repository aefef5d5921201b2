#if canImport(Glibc)
import CNFTables
import Glibc
import Synchronization
import Vocabulary

/// `VIPFilter` through libnftables (the library behind nft(8)), in an `inet` table of its own. It runs the text
/// `VIPFilterRules` writes and decides nothing: the router says what is blocked, `VIPFilterBook` unions it.
public final class NFTablesVIPFilter: VIPFilter {
    private struct State: ~Copyable {
        var context: OpaquePointer?
        var created = false
    }

    private let settings: VIPFilterSettings
    private let state: Mutex<State>

    /// Creates the adapter; libnftables' context is made on first use.
    public init(settings: VIPFilterSettings = VIPFilterSettings()) {
        self.settings = settings
        self.state = Mutex(State())
    }

    deinit {
        state.withLock { s in
            if let c = s.context { nft_ctx_free(c) }
            s.context = nil
        }
    }

    public func clear() -> VIPFilterError? {
        do throws(VIPFilterError) {
            try state.withLock { s throws(VIPFilterError) in
                try Self.run(VIPFilterRules.deleteTable(settings), in: &s)
                s.created = false
            }
            return nil
        } catch {
            return error
        }
    }

    public func block(_ addresses: [IPAddress]) throws(VIPFilterError) {
        try state.withLock { s throws(VIPFilterError) in
            var text = ""
            if !s.created { text += VIPFilterRules.deleteTable(settings) + VIPFilterRules.createTable(settings) }
            text += VIPFilterRules.setElements(settings, addresses)
            try Self.run(text, in: &s)
            s.created = true
        }
    }

    public func remove() throws(VIPFilterError) {
        try state.withLock { s throws(VIPFilterError) in
            guard s.created else { return }
            try Self.run(VIPFilterRules.deleteTable(settings), in: &s)
            s.created = false
        }
    }

    /// Runs `text` as one nft transaction; the error names nft's first message line.
    private static func run(_ text: String, in s: inout State) throws(VIPFilterError) {
        if s.context == nil {
            guard let c = nft_ctx_new(UInt32(NFT_CTX_DEFAULT)) else {
                throw VIPFilterError("libnftables: cannot create a context")
            }
            _ = nft_ctx_buffer_output(c)
            _ = nft_ctx_buffer_error(c)
            s.context = c
        }
        guard let c = s.context else { throw VIPFilterError("libnftables: no context") }
        let rc = nft_run_cmd_from_buffer(c, text)
        let message = nft_ctx_get_error_buffer(c).map { String(cString: $0) } ?? ""
        guard rc == 0 else {
            let first = message.split(separator: "\n").first.map(String.init) ?? "error \(rc)"
            throw VIPFilterError("nftables: \(first)")
        }
    }
}
#endif
