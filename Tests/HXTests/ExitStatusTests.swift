import HTTPCore
import HXCore
import Testing

/// Library errors become exit codes by category (and, for connect and TLS, by code).
@Suite struct ExitStatusTests {
    @Test(arguments: [
        (HTTPCoreError.Code.connectTimeout, HXCore.ExitStatus.timeout),
        (.readTimeout, .timeout),
        (.writeTimeout, .timeout),
        (.poolTimeout, .timeout),
        (.totalTimeout, .timeout),
        (.connectRefused, .connectFailed),
        (.connectFailed, .connectFailed),
        (.hostNotFound, .hostNotFound),
        (.connectionReset, .receiveFailed),
        (.readFailed, .receiveFailed),
        (.writeFailed, .sendFailed),
        (.tlsCertificateRejected, .certificateRejected),
        (.tlsHandshakeFailed, .tlsFailed),
        (.tlsProtocolError, .tlsFailed),
        (.tlsTruncated, .tlsFailed),
        (.tlsInvalidConfiguration, .tlsFailed),
        (.malformedResponse, .protocolError),
        (.truncatedResponse, .protocolError),
        (.closedBeforeResponse, .protocolError),
        (.streamReset, .protocolError),
        (.goAway, .receiveFailed),
        (.connectionClosed, .receiveFailed),
        (.invalidRequest, .usage),
        (.headTooLarge, .failure),
        (.cancelled, .cancelled),
    ])
    func categories(code: HTTPCoreError.Code, status: HXCore.ExitStatus) {
        #expect(HXCore.ExitStatus(HTTPCoreError(code, "x")) == status)
    }

    @Test func codesAreDistinctAndCurlCompatibleWhereCurlHasThem() {
        let codes = HXCore.ExitStatus.allCases.map(\.rawValue)
        #expect(Set(codes).count == codes.count)
        #expect(HXCore.ExitStatus.usage.rawValue == 2)
        #expect(HXCore.ExitStatus.httpError.rawValue == 22)
        #expect(HXCore.ExitStatus.timeout.rawValue == 28)
        #expect(HXCore.ExitStatus.connectFailed.rawValue == 7)
        #expect(HXCore.ExitStatus.certificateRejected.rawValue == 60)
    }

    @Test func failureMessagesNameTheCategory() {
        let failure = HXFailure(HTTPCoreError(.connectRefused, "ECONNREFUSED: connection refused"))
        #expect(failure.status == .connectFailed)
        #expect(failure.message == "network(connect): ECONNREFUSED: connection refused")
    }
}
