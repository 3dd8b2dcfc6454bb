import HTTPCore
import HTTPCoreBackendConformance
import HTTPCoreDispatch
import HTTPCoreLibUV
import HTTPCoreMock
import HTTPCoreTestSupport
import Testing

/// One suite, every backend: the seam's contract as the HTTPCoreBackendConformance
/// library states it, the same checks a third-party backend runs from its own tests.
/// Each case runs on loopback (or in memory for the mock).
@Suite(.serialized) struct BackendConformanceTests {
    /// The bulk transfer has a test of its own, under its own name, so that
    /// scripts/sanitizers.sh can skip it under ThreadSanitizer (`TSAN_SKIP`).
    static let bulk = BackendConformance.Check.transfer64MiBEachWayWithChecksum

    static let cases: [(BackendKind, BackendConformance.Check)] = BackendKind.allCases.flatMap { kind in
        BackendConformance.Check.all(for: kind.conformanceSubject).filter { $0 != bulk }.map { (kind, $0) }
    }

    @Test(arguments: cases)
    func conformance(kind: BackendKind, check: BackendConformance.Check) async throws {
        try await BackendConformance.run(check, on: kind.conformanceSubject)
    }

    @Test(arguments: BackendKind.allCases)
    func transfer64MiBEachWayWithChecksum(kind: BackendKind) async throws {
        try await BackendConformance.run(Self.bulk, on: kind.conformanceSubject)
    }

    @Test func everyCheckRunsOnTheRealBackendsAndAllButLocalAddressBindOnTheMock() {
        let mock = BackendConformance.Check.all(for: BackendKind.mock.conformanceSubject)
        #expect(mock == BackendConformance.Check.allCases.filter { $0 != .localAddressBind })
        for kind in BackendKind.real {
            #expect(BackendConformance.Check.all(for: kind.conformanceSubject) == BackendConformance.Check.allCases)
        }
    }
}

extension BackendKind {
    /// This backend as the conformance library's subject.
    var conformanceSubject: BackendConformance.Subject {
        switch self {
        case .mock:
            BackendConformance.Subject(bindsLocalAddresses: false, scripting: .mock) { MockNetworkBackend() }
        case .libuv:
            BackendConformance.Subject(
                socketOption: { stream, level, name in await (stream as? LibUVStream)?.socketOption(level: level, name: name) },
                shutdown: { await ($0 as? LibUVBackend)?.shutdown() }
            ) { LibUVBackend(loopCount: 2) }
        case .dispatch:
            BackendConformance.Subject(
                socketOption: { stream, level, name in (stream as? DispatchStream)?.socketOption(level: level, name: name) }
            ) { DispatchBackend(queueCount: 2) }
        }
    }
}

extension BackendConformance.Scripting {
    /// The mock's scripted connects and manual clock.
    static let mock = BackendConformance.Scripting(
        expectConnect: { backend, outcome in
            guard let mock = backend as? MockNetworkBackend else { return }
            switch outcome {
            case .refuse: mock.expectConnect(.refuse)
            case .hang: mock.expectConnect(.hang)
            case .silentPeer: mock.expectConnect(script: [])
            }
        },
        connectOptions: { ($0 as? MockNetworkBackend)?.connectRecords.map(\.options) ?? [] },
        waitForTimers: { backend, count in try await (backend as? MockNetworkBackend)?.manualClock.waitForTimers(count) },
        advanceClock: { backend, duration in (backend as? MockNetworkBackend)?.manualClock.advance(by: duration) }
    )
}
