/// `Interop/hostile/h2_hostile_server.py` on 127.0.0.1: a cleartext HTTP/2 server (prior
/// knowledge) that answers the first request of each connection with one misbehaviour
/// (`scenario`) and later requests with a normal 200 "ok". Needs Debian's python3-h2.
///
/// Besides "READY <port>", the script prints one line per frame of interest the client
/// sent, such as "RST_STREAM stream=1 code=1" or "GOAWAY code=3 last=0" (`waitForLine`).
package final class HostileH2Server: Sendable {
    package let scenario: String
    private let peer: PythonPeer

    package var port: Int { peer.port }

    package static func start(_ scenario: String) async throws -> HostileH2Server {
        HostileH2Server(scenario: scenario, peer: try await PythonPeer.start("Interop/hostile/h2_hostile_server.py", arguments: [scenario]))
    }

    private init(scenario: String, peer: PythonPeer) {
        self.scenario = scenario
        self.peer = peer
    }

    /// Everything the script has printed so far, one entry per complete line.
    package var lines: [String] { peer.lines }

    /// Waits (polling, at most `timeout`) until the script has printed a line starting with
    /// `prefix`; returns it, or nil if none came.
    package func waitForLine(startingWith prefix: String, timeout: Duration = .seconds(10)) async -> String? {
        await peer.waitForLine(startingWith: prefix, timeout: timeout)
    }

    package func stop() { peer.stop() }
}
