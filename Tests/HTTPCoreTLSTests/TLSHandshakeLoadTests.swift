import HTTPCore
import HTTPCoreTestSupport
import HTTPCoreTLS
import Testing

/// Many handshakes, good and failing, so the sanitizer runs (scripts/sanitizers.sh) see
/// every path that allocates OpenSSL objects: SSL, BIOs, sessions, certificates, errors.
@Suite struct TLSHandshakeLoadTests {
    @Test func thousandHandshakesReleaseEverything() async throws {
        let client = try TLSFixtures.client(alpn: ["h2", "http/1.1"])
        let good = try TLSFixtures.server(alpn: ["h2"])
        let expired = try TLSFixtures.server("expired")
        let fresh = try TLSFixtures.client { $0.sessionResumption = false }
        var accepted = 0
        var rejected = 0
        var resumed = 0
        for index in 0..<1000 {
            if index % 10 == 9 {
                let outcome = await TLSPair.outcomes(client: client, server: expired)
                #expect(outcome.client.error?.tlsFailure?.verification == .expired)
                rejected += 1
                continue
            }
            // A few origins, so the session cache both hits and evicts; some full handshakes.
            let pair = try await TLSPair.connect(client: index % 10 == 5 ? fresh : client, server: good, port: 443 + index % 3)
            try await pair.server.write([UInt8(index & 0xff)])
            #expect(try await pair.client.read(maxBytes: 1) == [UInt8(index & 0xff)])
            if pair.client.sessionReused { resumed += 1 }
            await pair.close()
            accepted += 1
        }
        #expect(accepted == 900)
        #expect(rejected == 100)
        #expect(resumed > 700)
        #expect(client.cachedSessionCount <= 3 * 4)
    }
}
