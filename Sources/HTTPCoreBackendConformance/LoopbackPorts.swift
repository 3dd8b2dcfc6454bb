import HTTPCore
#if canImport(Glibc)
import Glibc
#endif

/// A TCP port on 127.0.0.1 bound by a socket that never listens, so connects are refused
/// (the kernel answers RST), and no parallel test can take the port meanwhile.
struct ClosedPort {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw HTTPCoreError(.connectFailed, "bind failed") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() { Glibc.close(fd) }
}

/// A TCP port on 127.0.0.1 whose SYNs go unanswered: a listener with a backlog of one
/// whose accept queue is filled and never drained, so the kernel drops further SYNs and
/// a connect hangs until its timeout. Loopback only; on a scripted backend, a scripted hang.
struct BlackHole: Sendable {
    let port: Int
    private let fd: Int32
    private let fillers: [Int32]

    static func make(_ fixture: ConformanceFixture) async throws -> BlackHole {
        if let scripting = fixture.subject.scripting {
            scripting.expectConnect(fixture.backend, .hang)
            return BlackHole(port: 1, fd: -1, fillers: [])
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listen(fd, 0)
        let port = Int(UInt16(bigEndian: address.sin_port))
        // Fill the accept queue with non-blocking connects that are never accepted.
        var fillers: [Int32] = []
        for _ in 0..<8 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) } }
            fillers.append(filler)
        }
        try await Task.sleep(for: .milliseconds(50))
        return BlackHole(port: port, fd: fd, fillers: fillers)
    }

    func close() {
        for filler in fillers { Glibc.close(filler) }
        if fd >= 0 { Glibc.close(fd) }
    }
}
