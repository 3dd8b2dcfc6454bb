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

    struct Described: Error, CustomStringConvertible { let description: String }

    /// The error line says each thing once: an underlying error that only repeats the
    /// detail is left out; one that adds something is kept, without its type's prefix.
    @Test func theErrorLineSaysEachThingOnce() {
        let repeated = HTTPCoreError(.malformedResponse, "conflicting Content-Length values", underlying: Described(description: "conflicting Content-Length values"))
        #expect(HXFailure(repeated).message == "protocol(remote): conflicting Content-Length values")
        let adds = HTTPCoreError(.tlsHandshakeFailed, "the TLS handshake failed", underlying: Described(description: "unsupported protocol"))
        #expect(HXFailure(adds).message == "tls: the TLS handshake failed (unsupported protocol)")
        let nested = HTTPCoreError(.proxyUnreachable, "the proxy 127.0.0.1:9 could not be reached", underlying: HTTPCoreError(.connectRefused, "connection refused"))
        #expect(HXFailure(nested).message == "proxy: the proxy 127.0.0.1:9 could not be reached (connection refused)")
        let restated = HTTPCoreError(.tlsCertificateRejected, "the peer's certificate was rejected: IP address mismatch",
                                     underlying: Described(description: "certificate verify failed: IP address mismatch (X509_V_ERR 64)"))
        #expect(HXFailure(restated).message == "tls: the peer's certificate was rejected: IP address mismatch (X509_V_ERR 64)")
        #expect(HXFailure(HTTPCoreError(.requestBodyUnreadable, "cannot read \"/x\"")).status == .usage)
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
