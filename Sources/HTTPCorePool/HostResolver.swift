import Dispatch
import HTTPCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Turns a host into the IP address a `socks5://` proxy is given (`socks5h://` sends the
/// name instead). Backends offer no resolver seam, so this calls `getaddrinfo` itself: on
/// a Dispatch worker, because it blocks, and never on Swift's few cooperative threads. The
/// caller stops waiting at its deadline or on cancellation; a lookup still running then
/// finishes unobserved.
enum HostResolver {
    /// The address bytes of an IP literal (4 for IPv4, 16 for IPv6; brackets allowed), or
    /// nil for a name.
    static func numericAddress(_ host: String) -> [UInt8]? {
        var text = host
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// The first IPv4 address of `host`, else its first IPv6 address (a SOCKS5 proxy makes
    /// one connect, so there is no Happy Eyeballs to feed). Throws `.hostNotFound`,
    /// `.connectTimeout` at `deadline`, or `.cancelled`.
    static func resolve(_ host: String, clock: any HTTPClock, deadline: HTTPInstant?) async throws(HTTPCoreError) -> [UInt8] {
        if let literal = numericAddress(host) { return literal }
        let waiter = Waiter<[UInt8]>()
        DispatchQueue.global().async { waiter.resume(with: lookUp(host)) }
        let timer = deadline.map { deadline in
            Task {
                guard (try? await clock.sleep(until: deadline)) != nil else { return }
                waiter.resume(throwing: HTTPCoreError(.connectTimeout, "resolving \(host) for the SOCKS5 proxy did not finish in time", processing: .notProcessed))
            }
        }
        defer { timer?.cancel() }
        do {
            return try await waiter.wait()
        } catch {
            throw HTTPCoreError.from(error, default: .hostNotFound).with(processing: .notProcessed)
        }
    }

    private static func lookUp(_ host: String) -> Result<[UInt8], any Error> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            let reason = String(cString: gai_strerror(status))
            return .failure(HTTPCoreError(.hostNotFound, "cannot resolve \(host) for the SOCKS5 proxy: \(reason)", processing: .notProcessed))
        }
        defer { freeaddrinfo(list) }
        var v6: [UInt8]?
        var entry = list
        while let info = entry?.pointee {
            if info.ai_family == AF_INET, let address = info.ai_addr {
                var sin = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                return .success(withUnsafeBytes(of: &sin) { Array($0) })
            }
            if info.ai_family == AF_INET6, v6 == nil, let address = info.ai_addr {
                var sin6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                v6 = withUnsafeBytes(of: &sin6) { Array($0) }
            }
            entry = info.ai_next
        }
        if let v6 { return .success(v6) }
        return .failure(HTTPCoreError(.hostNotFound, "\(host) has no IPv4 or IPv6 address", processing: .notProcessed))
    }
}
