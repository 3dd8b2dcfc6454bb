import Foundation
import HTTPCore

/// microsocks from Debian on 127.0.0.1: a SOCKS5 proxy that requires the RFC 1929 login
/// `username`/`password` and resolves names itself. Its replies follow the connect errno
/// (ECONNREFUSED: 5, EHOSTUNREACH: 4, ...). Stop it with `stop()`.
package struct Microsocks: Sendable {
    package static let username = "socksuser"
    package static let password = "socks-s3cret"

    private let daemon: DaemonProcess
    package var port: Int { daemon.port }

    package static func start() async throws -> Microsocks {
        let daemon = try await DaemonProcess.start("/usr/bin/microsocks", debianPackage: "microsocks") { port, _ in
            ["-i", "127.0.0.1", "-p", String(port), "-u", username, "-P", password]
        }
        return Microsocks(daemon: daemon)
    }

    package func stop() { daemon.stop() }
}
