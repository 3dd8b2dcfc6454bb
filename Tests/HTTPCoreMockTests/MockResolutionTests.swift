import HTTPCore
import HTTPCoreMock
import Testing

/// The mock resolves only what a test scripts, and a connect to a scripted name races its
/// addresses through `HappyEyeballs`: the real backends' path without DNS or sockets.
@Suite struct MockResolutionTests {
    @Test func scriptedAddressesAnswerInOrderWithoutDuplicates() async throws {
        let backend = MockNetworkBackend()
        backend.scriptResolution(host: "origin.test", addresses: ["10.0.0.7", "[2001:db8::7]", "10.0.0.7", "10.0.0.8"])
        let addresses = try await backend.resolve(host: "origin.test", port: 443)
        #expect(addresses == [
            ResolvedAddress(ip: "10.0.0.7", port: 443, isIPv6: false),
            ResolvedAddress(ip: "2001:db8::7", port: 443, isIPv6: true),
            ResolvedAddress(ip: "10.0.0.8", port: 443, isIPv6: false),
        ])
        #expect(backend.lookups == ["origin.test"])
    }

    @Test func literalsAnswerThemselvesWithoutALookup() async throws {
        let backend = MockNetworkBackend()
        #expect(try await backend.resolve(host: "[::1]", port: 80) == [ResolvedAddress(ip: "::1", port: 80, isIPv6: true)])
        #expect(try await backend.resolve(host: "127.0.0.1", port: 80) == [ResolvedAddress(ip: "127.0.0.1", port: 80, isIPv6: false)])
        #expect(backend.lookups.isEmpty)
    }

    /// No real DNS from the mock, ever: `localhost` is a name like any other.
    @Test(arguments: ["localhost", "example.com"])
    func anUnscriptedNameIsHostNotFound(host: String) async throws {
        let backend = MockNetworkBackend()
        let error = await #expect(throws: HTTPCoreError.self) { try await backend.resolve(host: host, port: 80) }
        #expect(error?.code == .hostNotFound)
        #expect(error?.isSafeToRetry == true)
        #expect(backend.lookups == [host])
    }

    @Test func aNameWithNoAddressIsHostNotFound() async throws {
        let backend = MockNetworkBackend()
        backend.scriptResolution(host: "empty.test", addresses: [])
        let error = await #expect(throws: HTTPCoreError.self) { try await backend.resolve(host: "empty.test", port: 80) }
        #expect(error?.code == .hostNotFound)
    }

    @Test func aScriptedFailureIsThrownAsGiven() async throws {
        let backend = MockNetworkBackend()
        backend.scriptResolution(host: "flaky.test", .failure(HTTPCoreError(.hostNotFound, "SERVFAIL", processing: .notProcessed)))
        let error = await #expect(throws: HTTPCoreError.self) { try await backend.resolve(host: "flaky.test", port: 80) }
        #expect(error?.code == .hostNotFound)
        #expect(error?.detail == "SERVFAIL")
        // A failed lookup fails the connect too, before any attempt.
        let connectError = await #expect(throws: HTTPCoreError.self) {
            try await backend.connectTCP(host: "flaky.test", port: 80, options: ConnectOptions())
        }
        #expect(connectError?.code == .hostNotFound)
        #expect(backend.connectRecords.isEmpty)
    }

    @Test func aHangingLookupEndsWhenItsCallerIsCancelled() async throws {
        let backend = MockNetworkBackend()
        backend.scriptResolution(host: "slow.test", .hang)
        let task = Task { try await backend.resolve(host: "slow.test", port: 80) }
        while backend.lookups.isEmpty { await Task.yield() }
        task.cancel()
        let error = await #expect(throws: HTTPCoreError.self) { try await task.value }
        #expect(error?.code == .cancelled)
    }

    /// Happy Eyeballs without DNS: IPv6 goes first, its refusal starts IPv4 at once.
    @Test func aRefusedIPv6AddressFallsBackToIPv4() async throws {
        let backend = MockNetworkBackend()
        backend.scriptResolution(host: "dual.test", addresses: ["127.0.0.1", "::1"])
        backend.expectConnect(host: "::1", port: 8080, .refuse)
        backend.expectConnect(host: "127.0.0.1", port: 8080, script: [.read("hi")])
        let stream = try await backend.connectTCP(host: "dual.test", port: 8080, options: ConnectOptions())
        #expect(try await stream.read(maxBytes: 10) == Array("hi".utf8))
        #expect(backend.connectRecords.map(\.host) == ["::1", "127.0.0.1"])
        #expect(stream.info.remoteAddress == .inet(host: "127.0.0.1", port: 8080))
        #expect(backend.manualClock.pendingTimers == 0)
    }

    /// A silent first address does not hold the connect: after the 250 ms stagger the next
    /// one starts, wins, and the silent attempt is dropped with its timer.
    @Test func aSilentAddressIsOvertakenAfterTheStagger() async throws {
        let backend = MockNetworkBackend()
        backend.scriptResolution(host: "dual.test", addresses: ["::1", "127.0.0.1"])
        backend.expectConnect(host: "::1", port: 8080, .hang)
        backend.expectConnect(host: "127.0.0.1", port: 8080, script: [.read("v4")])
        let task = Task { try await backend.connectTCP(host: "dual.test", port: 8080, options: ConnectOptions(timeout: .seconds(10))) }
        try await backend.manualClock.waitForTimers(2) // the silent attempt's timeout and the stagger
        backend.manualClock.advance(by: HappyEyeballs.stagger)
        let stream = try await task.value
        #expect(try await stream.read(maxBytes: 10) == Array("v4".utf8))
        #expect(backend.connectRecords.map(\.host) == ["::1", "127.0.0.1"])
        #expect(backend.manualClock.pendingTimers == 0)
    }

    @Test func everyAddressFailingFailsTheConnectWithTheRefusal() async throws {
        let backend = MockNetworkBackend()
        backend.scriptResolution(host: "dual.test", addresses: ["::1", "127.0.0.1"])
        backend.expectConnect(host: "::1", .refuse)
        backend.expectConnect(host: "127.0.0.1", .fail(.connectFailed))
        let error = await #expect(throws: HTTPCoreError.self) {
            try await backend.connectTCP(host: "dual.test", port: 80, options: ConnectOptions())
        }
        #expect(error?.code == .connectRefused)
        #expect(backend.connectRecords.map(\.host) == ["::1", "127.0.0.1"])
    }
}
