import Foundation
import HTTPCore

/// `Interop/peers/fault_peer.py` running inside a `NetworkNamespace`: HTTP/1.1 and h2c on
/// one port, with bodies at a pace the URL sets and an upload sink that never reads (the
/// script's docstring lists the paths). `restart()` brings it back on the same port after
/// a test killed it.
package final class FaultPeer: Sendable {
    package let namespace: NetworkNamespace
    package let port: Int
    private let process: Locked<NamespacedProcess>

    private static let python = "/usr/bin/python3"
    private static let script = TestPKI.repositoryRoot.appendingPathComponent("Interop/peers/fault_peer.py").path

    /// Starts the peer on `namespace.peerAddress`, port 0 (the script picks one).
    package static func start(in namespace: NetworkNamespace) async throws -> FaultPeer {
        let (process, port) = try await launch(in: namespace, port: 0)
        return FaultPeer(namespace: namespace, port: port, process: process)
    }

    private init(namespace: NetworkNamespace, port: Int, process: NamespacedProcess) {
        self.namespace = namespace
        self.port = port
        self.process = Locked(process)
    }

    private static func launch(in namespace: NetworkNamespace, port: Int) async throws -> (NamespacedProcess, Int) {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw HarnessError("\(python) is missing: run scripts/install-deps.sh (python3-h2)")
        }
        let process = try namespace.start(python, [script, namespace.peerAddress, "\(port)"])
        do {
            let ready = try await process.waitForLine(startingWith: "READY ")
            guard let port = Int(ready.dropFirst(6)) else { throw HarnessError("fault_peer.py: bad \(ready)") }
            return (process, port)
        } catch {
            await process.stop()
            throw error
        }
    }

    /// `http://ADDRESS:PORT` + `path`.
    package func url(_ path: String) -> String { "http://\(namespace.peerAddress):\(port)\(path)" }

    /// The peer's output so far (REQUEST, SENT, SINK lines).
    package var lines: [String] { process.withLock { $0 }.lines }

    /// Waits for a line starting with `prefix` among those after the first `after`.
    @discardableResult
    package func waitForLine(startingWith prefix: String, after: Int = 0, timeout: Duration = .seconds(10)) async throws -> String {
        try await process.withLock { $0 }.waitForLine(startingWith: prefix, after: after, timeout: timeout)
    }

    /// SIGKILL (waits until it is gone and the kernel has closed its sockets), SIGSTOP, SIGCONT.
    package func signal(_ signal: Int32) async {
        await process.withLock { $0 }.signal(signal)
    }

    /// A new peer process on the same port (after `signal(SIGKILL)`).
    package func restart() async throws {
        await process.withLock { $0 }.stop()
        let (process, _) = try await Self.launch(in: namespace, port: port)
        self.process.withLock { $0 = process }
    }

    package func stop() async {
        await process.withLock { $0 }.stop()
    }
}
