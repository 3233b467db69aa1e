import Testing

@testable import OHT50Core

@Suite("CPU placement")
struct CPUPlacementTests {
    @Test("CPU lists read and print as the kernel writes them")
    func cpuLists() {
        #expect(CPUList.parse("0-3,6\n") == [0, 1, 2, 3, 6])
        #expect(CPUList.parse("5,1-2") == [1, 2, 5])
        #expect(CPUList.parse("") == [])
        for bad in ["3-1", "a", "1,,2", "-1", "1-"] { #expect(CPUList.parse(bad) == nil, "\(bad)") }
        #expect(CPUList.format([6, 0, 1, 2, 3]) == "0-3,6")
        #expect(CPUList.format([1]) == "1")
    }

    @Test("auto keeps the async side off the RT threads' CPUs on 8, 4, 2 and 1 CPUs, isolated CPUs first")
    func automatic() {
        let auto = CPUSettings()
        let eight = CPUPlacement.plan(auto, online: Array(0..<8), isolated: [])
        #expect(eight.safety == [7] && eight.bus == [6] && eight.async == Array(0..<6))
        let isolated = CPUPlacement.plan(auto, online: Array(0..<8), isolated: [2, 3])
        #expect(isolated.safety == [3] && isolated.bus == [2] && isolated.async == [0, 1, 4, 5, 6, 7])
        #expect(isolated.basis.contains("isolated CPUs 2-3"))
        let oneIsolated = CPUPlacement.plan(auto, online: Array(0..<4), isolated: [3])
        #expect(oneIsolated.safety == [3] && oneIsolated.bus == [3] && oneIsolated.async == [0, 1, 2])
        let two = CPUPlacement.plan(auto, online: [0, 1], isolated: [])
        #expect(two.safety == [1] && two.bus == [1] && two.async == [0])
        let one = CPUPlacement.plan(auto, online: [0], isolated: [])
        #expect(one.safety == nil && one.bus == nil && one.async == nil)
    }

    @Test("configured CPUs win over auto; none leaves a side unpinned; CPUs not online are left out and reported")
    func configured() {
        var settings = CPUSettings()
        settings.safety = .cpus([2])
        settings.bus = .none
        settings.async = .cpus([0, 1, 9])
        let plan = CPUPlacement.plan(settings, online: Array(0..<4), isolated: [])
        #expect(plan.safety == [2] && plan.bus == nil && plan.async == [0, 1])
        #expect(plan.missing == [9] && plan.basis.hasPrefix("configured"))
        settings.safety = .cpus([12])
        #expect(CPUPlacement.plan(settings, online: Array(0..<4), isolated: []).safety == nil)
    }

    @Test("cpu.* round-trips through the printed config")
    func printed() throws {
        var config = FirmwareConfig()
        config.cpu.safety = .cpus([3])
        config.cpu.bus = .none
        config.cpu.async = .cpus([0, 1])
        #expect(config.yaml.contains("safety: \"3\"\n  bus: \"none\"\n  async: \"0-1\""))
    }
}
