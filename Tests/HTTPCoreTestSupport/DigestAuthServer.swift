import Foundation
import HTTPCore

/// `scripts/digest-auth-server.py` on 127.0.0.1 (Python's standard library): an origin
/// that asks for RFC 7616 Digest (qop=auth) with MD5, SHA-256 and their -sess variants at
/// `/md5`, `/sha256`, `/md5-sess`, `/sha256-sess`, checks the response hash, and answers
/// `ok <algorithm> <nc>` and the request body. Stop it with `stop()`.
package struct DigestAuthServer: Sendable {
    package static let user = "Mufasa"
    package static let password = "Circle of Life"

    private let daemon: DaemonProcess
    package var port: Int { daemon.port }

    package static func start() async throws -> DigestAuthServer {
        let script = TestPKI.repositoryRoot.appendingPathComponent("scripts/digest-auth-server.py").path
        let daemon = try await DaemonProcess.start("/usr/bin/python3", debianPackage: "python3") { port, _ in
            [script, String(port), user, password]
        }
        return DigestAuthServer(daemon: daemon)
    }

    /// What the server logged (requests, rejected credentials and why).
    package var log: String { daemon.file("output") }

    package func stop() { daemon.stop() }
}
