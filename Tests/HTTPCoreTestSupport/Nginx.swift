package import Foundation
import HTTPCore
#if canImport(Glibc)
import Glibc
#endif

/// An nginx from Debian on 127.0.0.1, started for a test in its own temporary prefix and
/// stopped by `stop()`. It answers `/` and `/echo-headers` with headers that name the
/// connection (`X-Conn`) and how many requests it has carried (`X-Reqs`), and serves
/// `/file.bin` (`fileSize` bytes, 4 MiB by default) from disk. With `tls`, the same site also listens on `tlsPort` with
/// HTTPS (HTTP/2 and HTTP/1.1 by ALPN) and the test PKI's `good.pem` (localhost, good.test).
package struct Nginx: Sendable {
    package let port: Int
    package let tlsPort: Int?
    /// HTTP/2 in clear text by prior knowledge (h2c), when started with `tls`.
    package let h2cPort: Int?
    package let directory: URL
    package let file: [UInt8]
    private let process: Process

    package static func start(tls: Bool = false, fileSize: Int = 4 << 20) async throws -> Nginx {
        let binary = "/usr/sbin/nginx"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw HTTPCoreError(.connectFailed, "nginx is not installed: run scripts/install-deps.sh (apt-get install nginx-core)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("httpcore-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = payloadFile(size: fileSize)
        try Data(file).write(to: directory.appendingPathComponent("file.bin"))
        let port = try freePort()
        let tlsPort = tls ? try freePort() : nil
        let h2cPort = tls ? try freePort() : nil
        let path = directory.path
        var tlsListen = ""
        if let tlsPort {
            let pki = try TestPKI.shared()
            tlsListen = """
                listen 127.0.0.1:\(tlsPort) ssl http2;
                        ssl_certificate \(pki.path("good.pem"));
                        ssl_certificate_key \(pki.path("good.key"));
                        ssl_protocols TLSv1.2 TLSv1.3;
                        listen 127.0.0.1:\(h2cPort!) http2;
                """
        }
        let config = """
            user root;
            worker_processes 1;
            daemon off;
            error_log \(path)/error.log info;
            pid \(path)/nginx.pid;
            events { worker_connections 2048; }
            http {
                access_log off;
                client_body_temp_path \(path)/body;
                proxy_temp_path \(path)/proxy;
                fastcgi_temp_path \(path)/fastcgi;
                uwsgi_temp_path \(path)/uwsgi;
                scgi_temp_path \(path)/scgi;
                keepalive_requests 100000;
                # Generous: sanitizer builds run the tests many times slower.
                keepalive_timeout 600s;
                client_body_timeout 600s;
                send_timeout 600s;
                server {
                    listen 127.0.0.1:\(port);
                    \(tlsListen)
                    root \(path);
                    location = / {
                        add_header X-Conn $connection always;
                        add_header X-Reqs $connection_requests always;
                        return 200 "hello from nginx\\n";
                    }
                    location = /upload {
                        client_max_body_size 100m;
                        add_header X-Conn $connection always;
                        add_header X-Reqs $connection_requests always;
                        return 200 "got $content_length\\n";
                    }
                    location = /file.bin { add_header X-Conn $connection always; }
                }
            }
            """
        try config.write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-p", path, "-c", "\(path)/nginx.conf"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let nginx = Nginx(port: port, tlsPort: tlsPort, h2cPort: h2cPort, directory: directory, file: file, process: process)
        try await nginx.waitUntilListening()
        return nginx
    }

    package func stop() {
        process.terminate()
        process.waitUntilExit()
        // Whatever nginx complained about explains a failure on its side: show it.
        let log = (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        // Clients going away (closed, cancelled, reset) is what the cancellation tests do.
        let routine = [
            "closed keepalive connection", "client closed connection", "client prematurely closed connection",
            "client canceled stream", "reset by peer", "Broken pipe", "peer closed connection in SSL handshake",
            "client timed out", "SSL_do_handshake() failed", "SSL_write() failed", "SSL_read() failed",
        ]
        for line in log.split(separator: "\n") where !line.contains("[notice]") && !routine.contains(where: { line.contains($0) }) {
            print("nginx on port \(port): \(line)")
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private func waitUntilListening() async throws {
        for _ in 0..<200 {
            if canConnect(port: port) { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        stop()
        throw HTTPCoreError(.connectFailed, "nginx did not start: \(log)")
    }
}

/// A port that was free a moment ago on 127.0.0.1.
package func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    guard bound == 0 else { throw HTTPCoreError(.connectFailed, "no free port") }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

package func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    let length = socklen_t(MemoryLayout<sockaddr_in>.size)
    return withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } } == 0
}
