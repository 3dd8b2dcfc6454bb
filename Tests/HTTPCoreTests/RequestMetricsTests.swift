import HTTPCore
import HTTPTypes
import Testing

/// `RequestMetrics` from entries with known times: each phase, the last attempt's phases
/// after a retry, and what is left nil.
@Suite struct RequestMetricsTests {
    static let origin = Origin("https://example.com")!

    static func at(_ milliseconds: Int64, _ event: RequestTrace.Event) -> RequestTrace.Entry {
        RequestTrace.Entry(at: HTTPInstant(nanoseconds: milliseconds * 1_000_000), event: event)
    }

    @Test func everyPhaseOfANewTLSConnection() {
        let address = ResolvedAddress(ip: "192.0.2.1", port: 443, isIPv6: false)
        let metrics = RequestMetrics([
            Self.at(100, .started(method: .get, origin: Self.origin)),
            Self.at(101, .queued),
            Self.at(102, .connectStarted(host: "example.com", port: 443)),
            Self.at(102, .resolutionStarted(host: "example.com")),
            Self.at(110, .resolutionEnded(addresses: [address])),
            Self.at(110, .attemptStarted(address)),
            Self.at(130, .attemptEnded(address, failure: nil)),
            Self.at(130, .connectEnded(local: nil, remote: nil)),
            Self.at(131, .tlsStarted(serverName: "example.com")),
            Self.at(171, .tlsEnded(version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256", alpn: "h2", resumed: false)),
            Self.at(175, .acquired(connection: 3, reused: false, version: .http2, stream: NetworkStreamInfo())),
            Self.at(176, .requestHeadSent),
            Self.at(177, .requestSent(bodyBytes: 12)),
            Self.at(200, .responseHeadReceived(status: 200, version: .http2)),
            Self.at(205, .responseFirstBodyByte),
            Self.at(230, .responseEnded(bytes: 5000)),
        ])
        #expect(metrics.dns == .milliseconds(8))
        #expect(metrics.connect == .milliseconds(20))
        #expect(metrics.tls == .milliseconds(40))
        #expect(metrics.proxyHandshake == nil)
        // 75 ms from start to acquired, 68 of them the connection's own setup.
        #expect(metrics.wait == .milliseconds(7))
        #expect(metrics.timeToFirstByte == .milliseconds(100))
        #expect(metrics.transfer == .milliseconds(30))
        #expect(metrics.total == .milliseconds(130))
        #expect(metrics.requestBodyBytes == 12 && metrics.responseBodyBytes == 5000)
        #expect(metrics.connectionReused == false && metrics.connection == 3 && metrics.version == .http2 && metrics.status == 200)
        #expect(metrics.attempts == 1 && metrics.retries == 0 && metrics.redirects == 0 && metrics.connectAttempts == 1)
        #expect(metrics.error == nil)
    }

    @Test func aRetryKeepsTheLastAttemptsPhasesAndTheWholeTotal() {
        let metrics = RequestMetrics([
            Self.at(0, .started(method: .get, origin: Self.origin)),
            Self.at(1, .acquired(connection: 1, reused: true, version: .http1_1, stream: NetworkStreamInfo())),
            Self.at(2, .requestSent(bodyBytes: 0)),
            Self.at(9, .failed(HTTPCoreError(.connectionReset, "reset"))),
            Self.at(9, .retry(attempt: 2, status: nil, failure: .connectionReset)),
            Self.at(509, .started(method: .get, origin: Self.origin)),
            Self.at(510, .connectStarted(host: "192.0.2.1", port: 443)),
            Self.at(515, .connectEnded(local: nil, remote: nil)),
            Self.at(515, .acquired(connection: 2, reused: false, version: .http1_1, stream: NetworkStreamInfo())),
            Self.at(530, .responseHeadReceived(status: 204, version: .http1_1)),
            Self.at(530, .responseEnded(bytes: 0)),
        ])
        #expect(metrics.attempts == 2 && metrics.retries == 1)
        #expect(metrics.connection == 2 && metrics.connectionReused == false)
        // An IP literal: no lookup, so the connect runs from connectStarted.
        #expect(metrics.dns == nil && metrics.connect == .milliseconds(5))
        #expect(metrics.timeToFirstByte == .milliseconds(21))
        #expect(metrics.total == .milliseconds(530))
        // The first attempt's failure was not the request's end.
        #expect(metrics.error == nil)
    }

    @Test func aFailureBeforeTheHeadHasNoFirstByteOrTransfer() {
        let metrics = RequestMetrics([
            Self.at(0, .started(method: .get, origin: Self.origin)),
            Self.at(3, .queued),
            Self.at(1003, .failed(HTTPCoreError(.poolTimeout, "no connection"))),
        ])
        #expect(metrics.error?.code == .poolTimeout)
        #expect(metrics.timeToFirstByte == nil && metrics.transfer == nil && metrics.status == nil)
        #expect(metrics.total == .milliseconds(1003))
    }

    @Test func combiningTracesHearsBothInOrder() {
        let order = Locked<[String]>([])
        let first = RequestTrace { _ in order.withLock { $0.append("first") } }
        let second = RequestTrace { _ in order.withLock { $0.append("second") } }
        RequestTrace.combining(first, second)?.record(.queued, at: HTTPInstant(nanoseconds: 0))
        #expect(order.withLock { $0 } == ["first", "second"])
        #expect(RequestTrace.combining(nil, nil) == nil)
    }
}
