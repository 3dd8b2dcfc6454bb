import HTTPCore
import HTTPCoreTestSupport
import HTTPCoreTLS
import Testing

/// One certificate the server presents, the host the client asks for, and the verdict.
struct VerificationCase: Sendable, CustomTestStringConvertible {
    let certificate: String
    let key: String
    let host: String
    /// nil: accepted.
    let rejection: TLSVerificationFailure?

    init(_ certificate: String, key: String? = nil, host: String = "localhost", _ rejection: TLSVerificationFailure?) {
        self.certificate = certificate
        self.key = key ?? certificate.replacingOccurrences(of: "-bundle", with: "").replacingOccurrences(of: ".pem", with: ".key")
        self.host = host
        self.rejection = rejection
    }

    var testDescription: String { "\(certificate) as \(host): \(rejection.map { "\($0.message)" } ?? "accepted")" }

    static let all: [VerificationCase] = [
        VerificationCase("good.pem", nil),
        VerificationCase("good.pem", host: "good.test", nil),
        VerificationCase("chain-leaf-bundle.pem", nil),
        VerificationCase("ipsan.pem", host: "127.0.0.1", nil),
        VerificationCase("ipsan.pem", host: "::1", nil),
        VerificationCase("wronghost.pem", .hostnameMismatch),
        VerificationCase("expired.pem", .expired),
        VerificationCase("notyetvalid.pem", .notYetValid),
        VerificationCase("selfsigned.pem", .selfSigned),
        VerificationCase("unknownca.pem", .unknownIssuer),
        // A Common Name alone never matches, even when it names the host.
        VerificationCase("cnonly.pem", .hostnameMismatch),
        VerificationCase("ipsan.pem", host: "localhost", .hostnameMismatch),
        VerificationCase("good.pem", host: "127.0.0.1", .ipAddressMismatch),
        // The leaf without its intermediate cannot be chained to the root.
        VerificationCase("chain-leaf.pem", .unknownIssuer),
    ]
}

/// Checks a client handshake outcome against a case: bad certificates are refused with the
/// right verification result, and nothing is accepted that should not be.
func expectVerdict(_ outcome: Result<TLSStream, HTTPCoreError>, _ testCase: VerificationCase, sourceLocation: SourceLocation = #_sourceLocation) {
    switch (outcome, testCase.rejection) {
    case (.success, nil):
        break
    case (.success, let expected?):
        Issue.record("accepted a certificate that should fail with \(expected)", sourceLocation: sourceLocation)
    case (.failure(let error), nil):
        Issue.record("refused a good certificate: \(error)", sourceLocation: sourceLocation)
    case (.failure(let error), let expected?):
        #expect(error.code == .tlsCertificateRejected, "\(error)", sourceLocation: sourceLocation)
        #expect(error.category == .tls, sourceLocation: sourceLocation)
        #expect(error.isSafeToRetry, sourceLocation: sourceLocation)
        #expect(error.tlsFailure?.verification == expected, "\(error)", sourceLocation: sourceLocation)
        #expect(error.tlsFailure?.reason == "certificate verify failed", sourceLocation: sourceLocation)
    }
}

@Suite struct TLSVerificationTests {
    @Test(arguments: VerificationCase.all)
    func overTheInMemoryPair(_ testCase: VerificationCase) async throws {
        let pki = try TestPKI.shared()
        let server = try TLSContext(.server(certificateChain: .file(pki.path(testCase.certificate)), privateKey: .file(pki.path(testCase.key))))
        let outcome = await TLSPair.outcomes(client: try TLSFixtures.client(), server: server, host: testCase.host)
        expectVerdict(outcome.client, testCase)
        if case .success(let stream) = outcome.client { await stream.close(.graceful) }
        if case .success(let stream) = outcome.server { await stream.close(.graceful) }
    }

    @Test func trustingNothingRejectsEverything() async throws {
        let client = try TLSContext(.client(trustRoots: []))
        let outcome = await TLSPair.outcomes(client: client, server: try TLSFixtures.server())
        #expect(outcome.client.error?.tlsFailure?.verification == .unknownIssuer)
    }

    @Test func trustRootsCombine() async throws {
        let pki = try TestPKI.shared()
        // The system store does not know the test CA; adding it as a file makes it trusted.
        let systemOnly = try TLSContext(.client())
        #expect(await TLSPair.outcomes(client: systemOnly, server: try TLSFixtures.server()).client.error?.tlsFailure?.verification == .unknownIssuer)
        let both = try TLSContext(.client(trustRoots: [.system, .file(pki.path("ca.pem"))]))
        let pair = try await TLSPair.connect(client: both, server: TLSFixtures.server())
        await pair.close()
        // The other CA, trusted by PEM bytes, accepts the leaf it signed.
        let other = try TLSContext(.client(trustRoots: [.pem(try pki.bytes("otherca.pem"))]))
        let otherPair = try await TLSPair.connect(client: other, server: TLSFixtures.server("unknownca"))
        await otherPair.close()
    }

    @Test func theDangerousOptOutAcceptsAnything() async throws {
        let insecure = try TLSFixtures.client { $0.verification = .noneDangerouslyAcceptAnyCertificate }
        for name in ["expired", "selfsigned", "wronghost", "unknownca"] {
            let pair = try await TLSPair.connect(client: insecure, server: TLSFixtures.server(name))
            #expect(pair.client.info.peerCertificate != nil)
            await pair.close()
        }
    }
}
