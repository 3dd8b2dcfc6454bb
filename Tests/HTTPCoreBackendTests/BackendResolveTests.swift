import HTTPCore
import HTTPCoreTestSupport
import Testing

/// `NetworkBackend.resolve` on the real backends, over loopback names and literals only:
/// no test here reaches the internet.
@Suite struct BackendResolveTests {
    @Test(arguments: BackendKind.real)
    func literalsAnswerThemselves(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        #expect(try await fixture.backend.resolve(host: "127.0.0.1", port: 80) == [ResolvedAddress(ip: "127.0.0.1", port: 80, isIPv6: false)])
        #expect(try await fixture.backend.resolve(host: "[::1]", port: 443) == [ResolvedAddress(ip: "::1", port: 443, isIPv6: true)])
        #expect(try await fixture.backend.resolve(host: "::1", port: 443) == [ResolvedAddress(ip: "::1", port: 443, isIPv6: true)])
        await fixture.shutdown()
    }

    /// A literal needs no lookup, so even a cancelled caller gets its answer.
    @Test(arguments: BackendKind.real)
    func aLiteralAnswersEvenWhenCancelled(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await fixture.backend.resolve(host: "127.0.0.1", port: 80)
        }
        #expect(try await task.value.map(\.ip) == ["127.0.0.1"])
        await fixture.shutdown()
    }

    /// `localhost` comes from /etc/hosts: loopback addresses only, without duplicates (the
    /// system resolver lists each address once per socket type; the hint asks for one).
    @Test(arguments: BackendKind.real)
    func localhostResolvesToLoopbackOnly(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let addresses = try await Self.resolve("localhost", on: fixture)
        #expect(!addresses.isEmpty)
        #expect(Set(addresses).count == addresses.count)
        for address in addresses {
            #expect(address.port == 8080)
            #expect(address.isIPv6 ? address.ip == "::1" : address.ip.hasPrefix("127."), "\(address) is not loopback")
        }
        await fixture.shutdown()
    }

    /// `.invalid` never resolves (RFC 6761). The wait is bounded so that a machine whose
    /// resolver does not answer fails this test instead of hanging the suite.
    @Test(arguments: BackendKind.real)
    func aNameThatDoesNotExistIsHostNotFound(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let error = await #expect(throws: HTTPCoreError.self) { try await Self.resolve("nonexistent.invalid", on: fixture) }
        #expect(error?.code == .hostNotFound)
        #expect(error?.isSafeToRetry == true)
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.real)
    func aCancelledCallerIsNotLookedUpFor(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await fixture.backend.resolve(host: "localhost", port: 80)
        }
        let error = await #expect(throws: HTTPCoreError.self) { try await task.value }
        #expect(error?.code == .cancelled)
        await fixture.shutdown()
    }

    /// Cancelled while the lookup may be running: the caller gets `.cancelled`, or the
    /// answer if the lookup won the race, and nothing else (no second resume, no hang).
    /// Which wins is not fixed, and a loaded machine delays both, so there is no time
    /// bound here: the mock's `.hang` and the pool's SOCKS5 tests cover a lookup that
    /// never answers, where only a prompt cancellation lets the test end.
    @Test(arguments: BackendKind.real)
    func cancellingARunningLookupEndsItTyped(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        for _ in 0..<20 {
            let task = Task { try await fixture.backend.resolve(host: "nonexistent.invalid", port: 80) }
            task.cancel()
            let error = await #expect(throws: HTTPCoreError.self) { try await task.value }
            #expect(error?.code == .cancelled || error?.code == .hostNotFound)
        }
        await fixture.shutdown()
    }

    /// `resolve` with a 15 s bound: the lookup is cancelled (and the caller released) if
    /// the machine's resolver never answers.
    static func resolve(_ host: String, on fixture: BackendFixture) async throws -> [ResolvedAddress] {
        try await withThrowingTaskGroup(of: [ResolvedAddress].self) { group in
            group.addTask { try await fixture.backend.resolve(host: host, port: 8080) }
            group.addTask {
                try await Task.sleep(for: .seconds(15))
                throw HTTPCoreError(.connectTimeout, "the system resolver did not answer for \(host) in 15 s")
            }
            defer { group.cancelAll() }
            return try await group.next() ?? []
        }
    }
}
