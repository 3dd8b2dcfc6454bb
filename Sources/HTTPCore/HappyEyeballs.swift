/// The connection race of RFC 8305 ("Happy Eyeballs v2") as a value type: backends feed
/// it events (attempt failed, attempt connected, stagger timer fired) and run the actions
/// it returns. It never does I/O, so both real backends share it and tests drive it alone.
///
/// Addresses are interleaved by family, IPv6 first; a new attempt starts every `stagger`
/// (250 ms) or at once when the latest attempt fails; the first connection wins and the
/// others are cancelled.
package struct HappyEyeballs: Sendable {
    package static let stagger: Duration = .milliseconds(250)

    package enum Action: Sendable {
        /// Start connecting to `addresses[index]`.
        case start(Int)
        /// Call `staggerFired()` after `HappyEyeballs.stagger`.
        case armStagger
        /// `index` connected: keep it, close the attempts listed.
        case succeed(Int, cancel: [Int])
        /// Every attempt failed.
        case fail(HTTPCoreError)
    }

    package let addresses: [ResolvedAddress]
    private var next = 0
    private var inFlight: Set<Int> = []
    private var lastError: HTTPCoreError?
    private var finished = false

    package init(addresses: [ResolvedAddress]) {
        self.addresses = HappyEyeballs.interleave(addresses)
    }

    /// IPv6 first, then alternating families, each family keeping the resolver's order.
    package static func interleave(_ addresses: [ResolvedAddress]) -> [ResolvedAddress] {
        var v6 = addresses.filter(\.isIPv6)[...]
        var v4 = addresses.filter { !$0.isIPv6 }[...]
        var ordered: [ResolvedAddress] = []
        ordered.reserveCapacity(addresses.count)
        while !v6.isEmpty || !v4.isEmpty {
            if let address = v6.popFirst() { ordered.append(address) }
            if let address = v4.popFirst() { ordered.append(address) }
        }
        return ordered
    }

    package mutating func begin() -> [Action] {
        guard !addresses.isEmpty else {
            finished = true
            return [.fail(HTTPCoreError(.hostNotFound, "the name resolved to no address"))]
        }
        return startNext()
    }

    package mutating func staggerFired() -> [Action] {
        guard !finished, next < addresses.count else { return [] }
        return startNext()
    }

    package mutating func attemptFailed(_ index: Int, _ error: HTTPCoreError) -> [Action] {
        guard !finished, inFlight.remove(index) != nil else { return [] }
        // A refusal says more than a later, vaguer failure: keep the most telling error.
        if lastError?.code != .connectRefused || error.code == .connectRefused { lastError = error }
        if next < addresses.count { return startNext() }
        if inFlight.isEmpty {
            finished = true
            return [.fail(lastError ?? HTTPCoreError(.connectFailed, "no address connected"))]
        }
        return []
    }

    package mutating func attemptSucceeded(_ index: Int) -> [Action] {
        guard !finished, inFlight.remove(index) != nil else { return [] }
        finished = true
        defer { inFlight = [] }
        return [.succeed(index, cancel: inFlight.sorted())]
    }

    private mutating func startNext() -> [Action] {
        let index = next
        next += 1
        inFlight.insert(index)
        return next < addresses.count ? [.start(index), .armStagger] : [.start(index)]
    }
}
