import Testing
@testable import Config

@Suite("Nested optional arguments")
struct NotifyArgumentTests {
    @Test("notify_master with only a command is accepted")
    func notifyMasterCommandOnly() {
        let text = """
        vrrp_instance VI_1 {
            interface lo
            virtual_router_id 5
            notify_master "/bin/echo hi"
            notify /usr/local/bin/notify.sh
            virtual_ipaddress { 10.9.9.9/32 }
        }
        """
        let result = ConfigLoader.parse(text: text, fileName: "n.conf")
        #expect(result.diagnostics.filter { $0.severity == .error }.isEmpty)
        #expect(result.config.vrrpInstances.first?.notifyMaster?.command == "/bin/echo hi")
    }

    @Test("notify_master with too many words: the extra word is ignored with a warning, as keepalived ignores it")
    func notifyMasterTooMany() {
        let text = """
        vrrp_instance VI_1 {
            interface lo
            virtual_router_id 5
            notify_master /bin/x root root extra
            virtual_ipaddress { 10.9.9.9/32 }
        }
        """
        let result = ConfigLoader.parse(text: text, fileName: "n.conf")
        #expect(result.diagnostics.contains { $0.kind == .nonCanonicalForm && $0.location?.line == 4 && $0.location?.column == 36 })
        #expect(result.config.vrrpInstances.first?.notifyMaster?.user == "root")
    }
}
