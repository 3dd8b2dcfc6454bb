import Foundation
import HTTPCore

/// tinyproxy 1.11 from Debian on 127.0.0.1: an HTTP/1.1 forward proxy and CONNECT tunnel
/// with Basic authentication (`username`/`password`), tunnels allowed only to
/// `connectPorts` (others get 403), no Via header. Stop it with `stop()`.
///
/// Measured quirks the tests rely on: missing credentials get 407; wrong ones get 401 with
/// `WWW-Authenticate` (to a forwarded request as to CONNECT); forwarded requests go
/// upstream with `Connection: close` and `Proxy-Authorization` removed, and the client
/// connection closes after each response.
package struct Tinyproxy: Sendable {
    package static let username = "proxyuser"
    package static let password = "tiny-s3cret"

    private let daemon: DaemonProcess
    package var port: Int { daemon.port }

    package static func start(connectPorts: [Int]) async throws -> Tinyproxy {
        let daemon = try await DaemonProcess.start("/usr/bin/tinyproxy", debianPackage: "tinyproxy") { port, directory in
            let config = """
                Port \(port)
                Listen 127.0.0.1
                Timeout 60
                MaxClients 100
                LogFile "\(directory.path)/tinyproxy.log"
                LogLevel Connect
                BasicAuth \(username) \(password)
                DisableViaHeader Yes
                \(connectPorts.map { "ConnectPort \($0)" }.joined(separator: "\n"))
                """
            let path = directory.appendingPathComponent("tinyproxy.conf").path
            try config.write(toFile: path, atomically: true, encoding: .utf8)
            return ["-d", "-c", path]
        }
        return Tinyproxy(daemon: daemon)
    }

    /// What tinyproxy logged (connections, CONNECT targets, refusals).
    package var log: String { daemon.file("tinyproxy.log") }

    package func stop() { daemon.stop() }
}
