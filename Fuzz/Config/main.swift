// libFuzzer entry for the keepalived.conf parser: every input is parsed as a configuration
// (with an in-memory file system so `include` lines stay inside the process) and rendered.
// Built by `make fuzz-config` directly with swiftc over Sources/Config/*.swift.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let fs = MemoryFileSystem(["inc.conf": "include keepalived.conf\nvrrp_script s { script /bin/true }\n"])
    let r = ConfigLoader.parse(bytes: bytes, fileName: "keepalived.conf", configID: "main", fileSystem: fs)
    _ = r.rendered()
    if r.isValid {
        _ = ClusterChecker.check([.init(name: "a", config: r.config), .init(name: "b", config: r.config)])
    }
    return 0
}
