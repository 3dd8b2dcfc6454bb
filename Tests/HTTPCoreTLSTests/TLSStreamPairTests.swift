import HTTPCore
import HTTPCoreMock
import HTTPCoreTestSupport
import HTTPCoreTLS
import Testing

/// Client `TLSStream` against server `TLSStream` over the mock backend's in-memory pair.
@Suite struct TLSStreamPairTests {
    struct ALPNCase: Sendable, CustomTestStringConvertible {
        let client: [String]
        let server: [String]
        let expected: String?
        var testDescription: String { "client \(client) server \(server) -> \(expected ?? "none")" }
    }

    @Test(arguments: [
        ALPNCase(client: ["h2", "http/1.1"], server: ["h2", "http/1.1"], expected: "h2"),
        ALPNCase(client: ["h2", "http/1.1"], server: ["http/1.1"], expected: "http/1.1"),
        // The server's order wins.
        ALPNCase(client: ["h2", "http/1.1"], server: ["http/1.1", "h2"], expected: "http/1.1"),
        ALPNCase(client: ["http/1.1"], server: ["h2", "http/1.1"], expected: "http/1.1"),
        ALPNCase(client: [], server: ["h2", "http/1.1"], expected: nil),
        ALPNCase(client: ["h2"], server: [], expected: nil),
    ])
    func handshakeNegotiatesALPNBothWays(_ testCase: ALPNCase) async throws {
        let pair = try await TLSPair.connect(
            client: TLSFixtures.client(alpn: testCase.client),
            server: TLSFixtures.server(alpn: testCase.server)
        )
        #expect(pair.client.info.alpn == testCase.expected)
        #expect(pair.server.info.alpn == testCase.expected)
        #expect(pair.client.info.tlsVersion == "TLSv1.3")
        #expect(pair.server.info.tlsVersion == "TLSv1.3")
        #expect(pair.client.info.tlsCipher?.hasPrefix("TLS_") == true)
        #expect(pair.client.info.peerCertificate?.subject.contains("good") == true)
        #expect(pair.client.info.peerCertificate?.issuer.contains("httpcore test CA") == true)
        #expect(pair.client.info.peerCertificate?.der.first == 0x30) // a DER SEQUENCE
        #expect(pair.server.info.peerCertificate == nil)
        // The wrapped stream's addresses pass through.
        #expect(pair.client.info.remoteAddress == .inet(host: "127.0.0.1", port: 443))
        await pair.close()
    }

    @Test func noSharedProtocolEndsWithNoApplicationProtocolAlert() async throws {
        let outcome = await TLSPair.outcomes(client: try TLSFixtures.client(alpn: ["h2"]), server: try TLSFixtures.server(alpn: ["http/1.1"]))
        #expect(outcome.client.error?.code == .tlsHandshakeFailed)
        #expect(outcome.client.error?.tlsFailure?.reason.contains("no application protocol") == true)
        #expect(outcome.server.error?.code == .tlsHandshakeFailed)
        #expect(outcome.client.error?.isSafeToRetry == true)
    }

    @Test func transfers64MiBEachWayWithChecksum() async throws {
        let pair = try await TLSPair.connect(client: TLSFixtures.client(), server: TLSFixtures.server())
        let chunk = 256 * 1024
        let chunks = 256 // 64 MiB

        @Sendable func send(_ stream: TLSStream) async throws -> Checksum {
            var checksum = Checksum()
            for index in 0..<chunks {
                let bytes = payloadChunk(index, size: chunk)
                checksum.add(bytes)
                try await stream.write(bytes)
            }
            return checksum
        }
        @Sendable func receive(_ stream: TLSStream) async throws -> Checksum {
            var checksum = Checksum()
            while checksum.count < chunk * chunks, let bytes = try await stream.read(maxBytes: 1 << 20) { checksum.add(bytes) }
            return checksum
        }

        async let sentByClient = send(pair.client)
        async let sentByServer = send(pair.server)
        async let receivedByServer = receive(pair.server)
        async let receivedByClient = receive(pair.client)
        let (a, b, c, d) = try await (sentByClient, sentByServer, receivedByServer, receivedByClient)
        #expect(c.count == chunk * chunks)
        #expect(c == a)
        #expect(d == b)

        // close_notify: the peer reads a clean EOF, not a truncation.
        await pair.client.close(.graceful)
        #expect(try await pair.server.read(maxBytes: 100) == nil)
        #expect(try await pair.server.read(maxBytes: 100) == nil)
        await pair.server.close(.graceful)
    }

    @Test func oneByteReads() async throws {
        let pair = try await TLSPair.connect(client: TLSFixtures.client(), server: TLSFixtures.server())
        let message = Array((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try await pair.server.write(message)
        var received: [UInt8] = []
        while received.count < message.count, let byte = try await pair.client.read(maxBytes: 1) {
            #expect(byte.count == 1)
            received += byte
        }
        #expect(received == message)
        await pair.close()
    }

    @Test func closeNotifyIsACleanEOFAndItsAbsenceATruncation() async throws {
        let clean = try await TLSPair.connect(client: TLSFixtures.client(), server: TLSFixtures.server())
        try await clean.server.write(Array("last words".utf8))
        await clean.server.close(.graceful)
        #expect(try await readAll(clean.client) == Array("last words".utf8))
        #expect(clean.client.isReadable)
        await clean.client.close(.graceful)

        // The server's socket closes under it without close_notify: the client must not
        // mistake that for the end of the data.
        let cut = try await TLSPair.connect(client: TLSFixtures.client(), server: TLSFixtures.server())
        try await cut.server.write(Array("partial".utf8))
        await cut.serverPipe.close(.graceful)
        #expect(try await cut.client.read(maxBytes: 100) == Array("partial".utf8))
        await #expect { try await cut.client.read(maxBytes: 100) } throws: { error in
            (error as? HTTPCoreError)?.code == .tlsTruncated
        }
        // It stays reported.
        await #expect { try await cut.client.read(maxBytes: 100) } throws: { error in
            (error as? HTTPCoreError)?.code == .tlsTruncated
        }
        await cut.client.close(.graceful)
    }

    @Test func concurrentWritersNeverInterleaveRecords() async throws {
        let pair = try await TLSPair.connect(client: TLSFixtures.client(), server: TLSFixtures.server(), capacity: 4096)
        let writers = 8
        let messages = 200
        // Each message: writer id, sequence number (2 bytes), then 1,000 bytes of the id.
        func message(_ writer: Int, _ sequence: Int) -> [UInt8] {
            [UInt8(writer), UInt8(sequence >> 8), UInt8(sequence & 0xff)] + [UInt8](repeating: UInt8(writer), count: 1000)
        }
        async let received = readAll(pair.server, limit: writers * messages * 1003)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for sequence in 0..<messages { try await pair.client.write(message(writer, sequence)) }
                }
            }
            try await group.waitForAll()
        }
        let bytes = try await received
        #expect(bytes.count == writers * messages * 1003)
        var next = [Int](repeating: 0, count: writers)
        var offset = 0
        while offset + 1003 <= bytes.count {
            let writer = Int(bytes[offset])
            let sequence = Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            #expect(writer < writers && sequence == next[writer])
            #expect(bytes[offset + 3..<offset + 1003].allSatisfy { $0 == UInt8(writer) })
            if writer < writers { next[writer] += 1 }
            offset += 1003
        }
        #expect(next == [Int](repeating: messages, count: writers))
        await pair.close()
    }

    @Test func aCancelledQueuedWriterLeavesTheQueue() async throws {
        // 1 KiB pipe and a server that does not read: the first write blocks holding the
        // output, the second queues behind it and is cancelled there.
        let pair = try await TLSPair.connect(client: TLSFixtures.client(), server: TLSFixtures.server(), capacity: 1024)
        let big = [UInt8](repeating: 7, count: 100_000)
        let first = Task { try await pair.client.write(big) }
        await waitUntil("the first write fills the pipe") { pair.serverPipe.isReadable }
        let second = Task { try await pair.client.write([1, 2, 3]) }
        try await Task.sleep(for: .milliseconds(20))
        second.cancel()
        await #expect { try await second.value } throws: { ($0 as? HTTPCoreError)?.code == .cancelled }
        // The server drains; the first write completes and a third goes through.
        async let drained = readAll(pair.server, limit: big.count + 3)
        try await first.value
        try await pair.client.write([9, 9, 9])
        let bytes = try await drained
        #expect(bytes.count == big.count + 3)
        #expect(bytes.suffix(3) == [9, 9, 9])
        await pair.close()
    }

    @Test func closeFailsQueuedWritersAndLaterCalls() async throws {
        let pair = try await TLSPair.connect(client: TLSFixtures.client(), server: TLSFixtures.server(), capacity: 1024)
        let blocked = Task { try await pair.client.write([UInt8](repeating: 1, count: 100_000)) }
        await waitUntil("the pipe is full") { pair.serverPipe.isReadable }
        let queued = Task { try await pair.client.write([2]) }
        try await Task.sleep(for: .milliseconds(20))
        await pair.client.close(.graceful)
        await #expect { try await blocked.value } throws: { $0 is HTTPCoreError }
        await #expect { try await queued.value } throws: { ($0 as? HTTPCoreError)?.code == .connectionClosed }
        await #expect { try await pair.client.write([3]) } throws: { ($0 as? HTTPCoreError)?.code == .connectionClosed }
        await #expect { try await pair.client.read(maxBytes: 1) } throws: { ($0 as? HTTPCoreError)?.code == .connectionClosed }
        #expect(pair.clientPipe.isClosed)
        await pair.server.close(.abortive)
    }

    @Test func handshakeTimesOutOnTheManualClock() async throws {
        let clock = ManualClock()
        let pipes = MockStreamPair.make(clock: clock)
        let context = try TLSFixtures.client()
        let attempt = Task { () async throws(HTTPCoreError) -> TLSStream in
            try await TLSStream.connect(over: pipes.client, host: "localhost", port: 443, context: context, clock: clock, deadline: clock.now + .seconds(3))
        }
        try await clock.waitForTimers(1)
        clock.advance(by: .seconds(3))
        let error = await attempt.result.error
        #expect(error?.code == .connectTimeout)
        #expect(error?.isSafeToRetry == true)
        #expect(pipes.client.isClosed)
        #expect(clock.pendingTimers == 0)
    }

    @Test func cancellingTheHandshakeClosesTheStream() async throws {
        let pipes = MockStreamPair.make()
        let context = try TLSFixtures.client()
        let attempt = Task { () async throws(HTTPCoreError) -> TLSStream in
            try await TLSStream.connect(over: pipes.client, host: "localhost", port: 443, context: context)
        }
        await waitUntil("the ClientHello is out") { pipes.server.isReadable }
        attempt.cancel()
        #expect(await attempt.result.error?.code == .cancelled)
        #expect(pipes.client.isClosed)
    }

    @Test func peerClosingMidHandshakeIsAHandshakeFailure() async throws {
        let pipes = MockStreamPair.make()
        let context = try TLSFixtures.client()
        let attempt = Task { () async throws(HTTPCoreError) -> TLSStream in
            try await TLSStream.connect(over: pipes.client, host: "localhost", port: 443, context: context)
        }
        _ = try await pipes.server.read(maxBytes: 1 << 16)
        await pipes.server.close(.graceful)
        let error = await attempt.result.error
        #expect(error?.code == .tlsHandshakeFailed)
        #expect(error?.isSafeToRetry == true)

        // Garbage instead of a ServerHello.
        let garbage = MockStreamPair.make()
        let second = Task { () async throws(HTTPCoreError) -> TLSStream in
            try await TLSStream.connect(over: garbage.client, host: "localhost", port: 443, context: context)
        }
        _ = try await garbage.server.read(maxBytes: 1 << 16)
        try await garbage.server.write(Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8))
        #expect(await second.result.error?.code == .tlsHandshakeFailed)
    }

    @Test func sessionsResumePerOrigin() async throws {
        for version in [TLSConfiguration.TLSVersion.tls12, .tls13] {
            let client = try TLSFixtures.client { $0.maximumVersion = version }
            let server = try TLSFixtures.server()
            // TLS 1.3 tickets arrive after the handshake: read once so the client sees them.
            func connection(port: Int) async throws -> Bool {
                let pair = try await TLSPair.connect(client: client, server: server, port: port)
                try await pair.server.write([1])
                #expect(try await pair.client.read(maxBytes: 1) == [1])
                await pair.close()
                return pair.client.sessionReused
            }
            #expect(try await connection(port: 443) == false, "\(version)")
            #expect(client.cachedSessionCount > 0, "\(version)")
            #expect(try await connection(port: 443) == true, "\(version)")
            #expect(try await connection(port: 8443) == false, "another origin: \(version)")

            let noResumption = try TLSFixtures.client { $0.sessionResumption = false; $0.maximumVersion = version }
            let first = try await TLSPair.connect(client: noResumption, server: server)
            await first.close()
            let second = try await TLSPair.connect(client: noResumption, server: server)
            #expect(second.client.sessionReused == false)
            await second.close()
        }
    }

    @Test func keyLogReceivesNSSFormatLines() async throws {
        let lines = Locked<[String]>([])
        let client = try TLSFixtures.client { configuration in
            configuration.keyLog = { line in lines.withLock { $0.append(line) } }
        }
        let pair = try await TLSPair.connect(client: client, server: TLSFixtures.server())
        let labels = Set(lines.withLock { $0 }.compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(labels.isSuperset(of: ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"]))
        // "LABEL <64 hex client random> <secret hex>"
        #expect(lines.withLock { $0 }.allSatisfy { $0.split(separator: " ").count == 3 && $0.split(separator: " ")[1].count == 64 })
        await pair.close()
    }

    @Test func serverNameIndication() async throws {
        let server = try TLSFixtures.server()
        let byName = try await TLSPair.connect(client: TLSFixtures.client(), server: server, host: "good.test")
        #expect(byName.server.requestedServerName == "good.test")
        await byName.close()

        // No SNI for an IP literal; ipsan.pem matches 127.0.0.1 through its IP SAN.
        let ipServer = try TLSFixtures.server("ipsan")
        let byIP = try await TLSPair.connect(client: TLSFixtures.client(), server: ipServer, host: "127.0.0.1")
        #expect(byIP.server.requestedServerName == nil)
        await byIP.close()
        let byIPv6 = try await TLSPair.connect(client: TLSFixtures.client(), server: ipServer, host: "::1")
        #expect(byIPv6.server.requestedServerName == nil)
        await byIPv6.close()

        let overridden = try await TLSPair.connect(client: TLSFixtures.client { $0.serverNameIndication = .name("other.test") }, server: server)
        #expect(overridden.server.requestedServerName == "other.test")
        await overridden.close()

        let disabled = try await TLSPair.connect(client: TLSFixtures.client { $0.serverNameIndication = .disabled }, server: server)
        #expect(disabled.server.requestedServerName == nil)
        await disabled.close()
    }

    @Test func clientCertificates() async throws {
        let pki = try TestPKI.shared()
        let requiring = try TLSFixtures.server { configuration in
            configuration.verification = .full
            configuration.trustRoots = [.file(pki.path("ca.pem"))]
        }
        let withCertificate = try TLSFixtures.client { configuration in
            configuration.certificateChain = .pem(try! pki.bytes("client.pem"))
            configuration.privateKey = .pem(try! pki.bytes("client.key"))
        }
        let pair = try await TLSPair.connect(client: withCertificate, server: requiring)
        #expect(pair.server.info.peerCertificate?.subject.contains("httpcore test client") == true)
        await pair.close()

        // Without one: the server refuses. In TLS 1.3 the client's handshake is over by
        // then, so the client learns it from the alert on its first read.
        let outcome = await TLSPair.outcomes(client: try TLSFixtures.client(), server: requiring)
        #expect(outcome.server.error?.code == .tlsHandshakeFailed)
        if case .success(let client) = outcome.client {
            await #expect { try await client.read(maxBytes: 10) } throws: { error in
                let error = error as? HTTPCoreError
                return error?.code == .tlsProtocolError && error?.tlsFailure?.reason.contains("certificate required") == true
            }
            await client.close(.abortive)
        } else {
            Issue.record("the client handshake should complete in TLS 1.3: \(outcome.client)")
        }

        // Optional: no certificate is fine, and a certificate from an unknown CA is not.
        let optional = try TLSFixtures.server { configuration in
            configuration.verification = .optionalClientCertificate
            configuration.trustRoots = [.file(pki.path("ca.pem"))]
        }
        let anonymous = try await TLSPair.connect(client: TLSFixtures.client(), server: optional)
        #expect(anonymous.server.info.peerCertificate == nil)
        await anonymous.close()
        let stranger = try TLSFixtures.client { configuration in
            configuration.certificateChain = .file(pki.path("unknownca.pem"))
            configuration.privateKey = .file(pki.path("unknownca.key"))
        }
        let refused = await TLSPair.outcomes(client: stranger, server: optional)
        #expect(refused.server.error?.code == .tlsCertificateRejected)
        #expect(refused.server.error?.tlsFailure?.verification == .unknownIssuer)
    }

    @Test func versionBounds() async throws {
        let tls12Server = try TLSFixtures.server { $0.maximumVersion = .tls12 }
        let pair = try await TLSPair.connect(client: TLSFixtures.client(), server: tls12Server)
        #expect(pair.client.info.tlsVersion == "TLSv1.2")
        await pair.close()

        let outcome = await TLSPair.outcomes(client: try TLSFixtures.client { $0.minimumVersion = .tls13 }, server: tls12Server)
        #expect(outcome.client.error?.code == .tlsHandshakeFailed)
        #expect(outcome.client.error?.tlsFailure?.reason.contains("protocol version") == true)
    }

    @Test func invalidConfigurationsAreTyped() throws {
        let pki = try TestPKI.shared()
        func code(_ configure: (inout TLSConfiguration) -> Void, role: TLSConfiguration.Role = .client) -> HTTPCoreError.Code? {
            var configuration = role == .client
                ? TLSConfiguration.client()
                : .server(certificateChain: .file(pki.path("good.pem")), privateKey: .file(pki.path("good.key")))
            configure(&configuration)
            do { _ = try TLSContext(configuration); return nil } catch { return error.code }
        }
        #expect(code({ $0.trustRoots = [.file("/nonexistent/ca.pem")] }) == .tlsInvalidConfiguration)
        #expect(code({ $0.trustRoots = [.pem(Array("not a certificate".utf8))] }) == .tlsInvalidConfiguration)
        #expect(code({ $0.cipherList = "NO-SUCH-CIPHER" }) == .tlsInvalidConfiguration)
        #expect(code({ $0.groups = "no-such-group" }) == .tlsInvalidConfiguration)
        #expect(code({ $0.certificateChain = .file(pki.path("client.pem")) }) == .tlsInvalidConfiguration) // no key
        #expect(code({ $0.privateKey = .file(pki.path("wronghost.key")) }, role: .server) == .tlsInvalidConfiguration)
        #expect(code({ _ in }, role: .server) == nil)
        #expect(code({ $0.groups = "X25519:P-256" }) == nil)
    }
}
