import OHT50API
import Testing

@Suite("Host allow-list (http.allowed_hosts)")
struct HostAllowlistTests {
    @Test("by default: loopback names, the host name and the interface addresses, with or without port, any case")
    func defaults() {
        let hosts = HostAllowlist(configured: nil, hostName: "oht50-07", addresses: ["10.20.0.57", "fe80::1%eth0", "127.0.0.1"])
        for host in [
            "localhost", "localhost:8081", "127.0.0.1:8081", "[::1]:8081", "[::1]", "OHT50-07", "oht50-07:8081", "oht50-07.",
            "10.20.0.57:8081", "[fe80::1]:8081",
        ] {
            #expect(hosts.admits(host), "Host: \(host)")
        }
        for host in ["rebound.example.com", "rebound.example.com:8081", "10.20.0.58", "oht50-07.evil.example", "[fe80::2]:8081", ""] {
            #expect(!hosts.admits(host), "Host: \(host)")
        }
        #expect(hosts.admits(nil), "no Host at all (HTTP/1.0, never a browser) is let through")
        #expect(hosts.described == ["localhost", "127.0.0.1", "[::1]", "oht50-07", "10.20.0.57", "[fe80::1]"])
    }

    @Test("a configured list replaces the host name and addresses; loopback names stay")
    func configured() {
        let hosts = HostAllowlist(configured: ["oht50-07.plant.local", "10.20.0.57"], hostName: "oht50-07", addresses: ["10.20.0.99"])
        #expect(hosts.admits("oht50-07.plant.local:8081") && hosts.admits("10.20.0.57") && hosts.admits("localhost:8081"))
        #expect(!hosts.admits("oht50-07") && !hosts.admits("10.20.0.99"))
    }

    @Test("this machine's own names are found: a host name and at least the loopback address")
    func thisMachine() {
        #expect(HostAllowlist.hostName()?.isEmpty == false)
        #expect(HostAllowlist.interfaceAddresses().contains("127.0.0.1"))
    }
}
