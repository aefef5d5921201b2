import Testing
@testable import Config

@Test("The Config module links")
func ConfigModuleLinks() {
    #expect(ConfigModule.name == "Config")
}
