@testable import HTTPCore
import Testing

/// The RFC 8305 race, driven one event per line.
@Suite struct HappyEyeballsTests {
    let v4a = ResolvedAddress(ip: "192.0.2.1", port: 443, isIPv6: false)
    let v4b = ResolvedAddress(ip: "192.0.2.2", port: 443, isIPv6: false)
    let v6a = ResolvedAddress(ip: "2001:db8::1", port: 443, isIPv6: true)
    let v6b = ResolvedAddress(ip: "2001:db8::2", port: 443, isIPv6: true)

    func describe(_ actions: [HappyEyeballs.Action]) -> [String] {
        actions.map {
            switch $0 {
            case .start(let index): "start \(index)"
            case .armStagger: "arm"
            case .succeed(let index, let cancel): "succeed \(index) cancel \(cancel)"
            case .fail(let error): "fail \(error.code)"
            }
        }
    }

    @Test func interleavesFamiliesIPv6First() {
        let planner = HappyEyeballs(addresses: [v4a, v4b, v6a, v6b])
        #expect(planner.addresses == [v6a, v4a, v6b, v4b])
    }

    @Test func staggersAttemptsAndTheFirstConnectionWins() {
        var planner = HappyEyeballs(addresses: [v4a, v6a, v4b])
        #expect(describe(planner.begin()) == ["start 0", "arm"])
        #expect(describe(planner.staggerFired()) == ["start 1", "arm"])
        #expect(describe(planner.staggerFired()) == ["start 2"])
        #expect(describe(planner.staggerFired()) == [])
        #expect(describe(planner.attemptSucceeded(1)) == ["succeed 1 cancel [0, 2]"])
        // Late events after the race is decided change nothing.
        #expect(describe(planner.attemptFailed(0, HTTPCoreError(.connectRefused))) == [])
    }

    @Test func aFailureStartsTheNextAttemptAtOnce() {
        var planner = HappyEyeballs(addresses: [v6a, v4a])
        #expect(describe(planner.begin()) == ["start 0", "arm"])
        #expect(describe(planner.attemptFailed(0, HTTPCoreError(.connectRefused))) == ["start 1"])
        #expect(describe(planner.attemptSucceeded(1)) == ["succeed 1 cancel []"])
    }

    @Test func allFailingKeepsTheMostTellingError() {
        var planner = HappyEyeballs(addresses: [v6a, v4a])
        _ = planner.begin()
        _ = planner.staggerFired()
        #expect(describe(planner.attemptFailed(1, HTTPCoreError(.connectRefused))) == [])
        #expect(describe(planner.attemptFailed(0, HTTPCoreError(.connectFailed))) == ["fail connectRefused"])
    }

    @Test func noAddressesIsHostNotFound() {
        var planner = HappyEyeballs(addresses: [])
        #expect(describe(planner.begin()) == ["fail hostNotFound"])
    }
}
