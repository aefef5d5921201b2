import Testing
@testable import Config

/// The directory holding Samples/, found from this source file's path.
let samplesDirectory: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)  // Tests/ConfigTests/SamplesTests.swift
    return parts.joined(separator: "/") + "/Samples"
}()

@Test("Every sample config loads without errors", arguments: [
    "classic/master.conf", "classic/backup.conf", "maintenance/master.conf", "maintenance/backup.conf",
    "lvs-nat/master.conf", "lvs-nat/backup.conf", "lvs-dr/master.conf", "lvs-dr/backup.conf",
])
func sampleLoads(_ name: String) {
    let r = ConfigLoader.load(path: "\(samplesDirectory)/\(name)", configID: "test")
    #expect(r.errors.isEmpty, "\(r.rendered())")
    #expect(r.config.vrrpInstances.count == 1)
}

@Test("The classic master parses into the documented model")
func classicMasterModel() throws {
    let r = ConfigLoader.load(path: "\(samplesDirectory)/classic/master.conf", configID: "test")
    let c = r.config
    #expect(c.globalDefs.notificationEmail == ["root@localhost"])
    #expect(c.globalDefs.notificationEmailFrom == "kaadmin@localhost")
    #expect(c.globalDefs.smtpServer == "127.0.0.1")
    #expect(c.globalDefs.smtpConnectTimeout == .seconds(30))
    #expect(c.globalDefs.routerID == "Nginx")
    let vi = try #require(c.vrrpInstance(named: "VI_1"))
    #expect(vi.state == .master)
    #expect(vi.interface == "eth0")
    #expect(vi.virtualRouterID == 51)
    #expect(vi.priority == 100)
    #expect(vi.advertInterval == .seconds(1))
    #expect(vi.authentication == VRRPAuthentication(type: .pass, password: "51ea2a78", location: vi.authentication?.location ?? noSourceLocation))
    #expect(vi.virtualIPAddresses.count == 1)
    #expect(vi.virtualIPAddresses.first?.address.description == "192.168.0.80/24")
    #expect(vi.virtualIPAddresses.first?.label == "eth0:0")
}
