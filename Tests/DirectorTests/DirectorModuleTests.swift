import Testing
import TestSupport
@testable import Director

@Test("The Director module links")
func DirectorModuleLinks() {
    #expect(DirectorModule.name == "Director")
}
