// The one file that calls the socket API (Glibc) for the Dispatch backend. Everything
// returns Swift values or `HTTPCoreError`s; nothing above sees errno.
import HTTPCore
#if canImport(Glibc)
import Glibc
#endif

enum POSIXSocket {
    /// errno mapped to the error callers branch on.
    static func error(_ code: Int32, during phase: HTTPCoreError.Phase) -> HTTPCoreError {
        let detail = "errno \(code): \(String(cString: strerror(code)))"
        switch code {
        case ECONNREFUSED: return HTTPCoreError(.connectRefused, detail, processing: .notProcessed)
        case ETIMEDOUT where phase == .connect: return HTTPCoreError(.connectTimeout, detail, processing: .notProcessed)
        case ECONNRESET where phase != .connect, EPIPE where phase != .connect, ECONNABORTED where phase != .connect:
            return HTTPCoreError(.connectionReset, detail)
        default:
            switch phase {
            case .connect: return HTTPCoreError(.connectFailed, detail, processing: .notProcessed)
            case .write: return HTTPCoreError(.writeFailed, detail)
            default: return HTTPCoreError(.readFailed, detail)
            }
        }
    }

    static func makeSocket(family: Int32) throws(HTTPCoreError) -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw error(errno, during: .connect) }
        return fd
    }

    static func setOption(_ fd: Int32, _ option: SocketOption) throws(HTTPCoreError) {
        var value = option.value
        guard setsockopt(fd, option.level, option.name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw HTTPCoreError(.connectFailed, "setsockopt(\(option.level), \(option.name)) failed: errno \(errno)", processing: .notProcessed)
        }
    }

    static func option(_ fd: Int32, level: Int32, name: Int32) -> Int32? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, level, name, &value, &length) == 0 ? value : nil
    }

    /// A socket address for an IP literal or a Unix path.
    struct Address {
        var storage = sockaddr_storage()
        var length: socklen_t = 0
        var family: Int32 { Int32(storage.ss_family) }

        init(ip: String, port: Int) throws(HTTPCoreError) {
            let ok = withUnsafeMutablePointer(to: &storage) { pointer -> Bool in
                if ip.contains(":") {
                    return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                        address.pointee.sin6_family = sa_family_t(AF_INET6)
                        address.pointee.sin6_port = in_port_t(UInt16(port).bigEndian)
                        return inet_pton(AF_INET6, ip, &address.pointee.sin6_addr) == 1
                    }
                }
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    address.pointee.sin_family = sa_family_t(AF_INET)
                    address.pointee.sin_port = in_port_t(UInt16(port).bigEndian)
                    return inet_pton(AF_INET, ip, &address.pointee.sin_addr) == 1
                }
            }
            guard ok else { throw HTTPCoreError(.connectFailed, "\(ip) is not an IP address", processing: .notProcessed) }
            length = socklen_t(ip.contains(":") ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        }

        init(unixPath path: String) throws(HTTPCoreError) {
            let bytes = Array(path.utf8)
            let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
            guard bytes.count < capacity else { throw HTTPCoreError(.connectFailed, "Unix socket path too long: \(path)", processing: .notProcessed) }
            withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { address in
                    address.pointee.sun_family = sa_family_t(AF_UNIX)
                    withUnsafeMutableBytes(of: &address.pointee.sun_path) { raw in
                        raw.copyBytes(from: bytes)
                        raw[bytes.count] = 0
                    }
                }
            }
            length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        }

        func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
            withUnsafePointer(to: storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) } }
        }
    }

    static func bind(_ fd: Int32, _ address: Address) throws(HTTPCoreError) {
        let status = address.withSockaddr { Glibc.bind(fd, $0, $1) }
        guard status == 0 else { throw error(errno, during: .connect) }
    }

    /// Starts a non-blocking connect: true if it completed at once, false if in progress.
    static func startConnect(_ fd: Int32, _ address: Address) throws(HTTPCoreError) -> Bool {
        let status = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        if status == 0 { return true }
        let code = errno
        guard code == EINPROGRESS else { throw error(code, during: .connect) }
        return false
    }

    /// The outcome of an in-progress connect, once the socket is writable.
    static func connectResult(_ fd: Int32) -> HTTPCoreError? {
        let code = option(fd, level: SOL_SOCKET, name: SO_ERROR) ?? EIO
        return code == 0 ? nil : error(code, during: .connect)
    }

    static func listen(_ fd: Int32, backlog: Int32) throws(HTTPCoreError) {
        guard Glibc.listen(fd, backlog) == 0 else { throw error(errno, during: .connect) }
    }

    /// The next pending connection, or nil when none waits.
    static func accept(_ fd: Int32) throws(HTTPCoreError) -> Int32? {
        let client = Glibc.accept(fd, nil, nil)
        if client >= 0 {
            // accept4 is not visible without _GNU_SOURCE: set the flags afterwards.
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            return client
        }
        let code = errno
        if code == EAGAIN || code == EWOULDBLOCK || code == ECONNABORTED || code == EINTR { return nil }
        throw error(code, during: .connect)
    }

    enum ReadOutcome {
        case data(Int)
        case wouldBlock
        case eof
        case failed(HTTPCoreError)
    }

    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> ReadOutcome {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return .data(count) }
            if count == 0 { return .eof }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            return .failed(error(code, during: .read))
        }
    }

    /// Sends what the kernel takes now; 0 when it takes nothing.
    static func send(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Result<Int, HTTPCoreError> {
        bytes.withUnsafeBytes { raw in
            while true {
                let count = Glibc.send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
                if count >= 0 { return .success(count) }
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return .success(0) }
                return .failure(error(code, during: .write))
            }
        }
    }

    static func shutdownWrite(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Makes the next close send RST instead of FIN.
    static func setAbortiveClose(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    static func unlink(_ path: String) { _ = Glibc.unlink(path) }

    static func localAddress(_ fd: Int32) -> SocketAddress? { address(fd, peer: false) }
    static func remoteAddress(_ fd: Int32) -> SocketAddress? { address(fd, peer: true) }

    private static func address(_ fd: Int32, peer: Bool) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { peer ? getpeername(fd, $0, &length) : getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        return socketAddress(&storage)
    }

    static func socketAddress(_ storage: inout sockaddr_storage) -> SocketAddress? {
        var name = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        return withUnsafeMutablePointer(to: &storage) { pointer -> SocketAddress? in
            switch Int32(pointer.pointee.ss_family) {
            case AF_INET6:
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    inet_ntop(AF_INET6, &address.pointee.sin6_addr, &name, socklen_t(name.count))
                    return .inet(host: cString(name), port: Int(UInt16(bigEndian: address.pointee.sin6_port)))
                }
            case AF_INET:
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    inet_ntop(AF_INET, &address.pointee.sin_addr, &name, socklen_t(name.count))
                    return .inet(host: cString(name), port: Int(UInt16(bigEndian: address.pointee.sin_port)))
                }
            case AF_UNIX:
                return pointer.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { address in
                    let path = withUnsafeBytes(of: &address.pointee.sun_path) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    return .unix(path: path)
                }
            default:
                return nil
            }
        }
    }

    /// Blocking name resolution (callers run it off the loop). IP literals answer at once.
    static func resolve(host: String, port: Int) -> Result<[ResolvedAddress], HTTPCoreError> {
        if (try? Address(ip: host, port: port)) != nil {
            return .success([ResolvedAddress(ip: host, port: port, isIPv6: host.contains(":"))])
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &results)
        guard status == 0 else {
            return .failure(HTTPCoreError(.hostNotFound, "\(host): \(String(cString: gai_strerror(status)))", processing: .notProcessed))
        }
        defer { freeaddrinfo(results) }
        var addresses: [ResolvedAddress] = []
        var cursor = results
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(entry.pointee.ai_addrlen))) }
                if case .inet(let ip, _)? = socketAddress(&storage) {
                    let resolved = ResolvedAddress(ip: ip, port: port, isIPv6: entry.pointee.ai_family == AF_INET6)
                    if !addresses.contains(resolved) { addresses.append(resolved) }
                }
            }
            cursor = entry.pointee.ai_next
        }
        return .success(addresses)
    }

    static func cString(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
