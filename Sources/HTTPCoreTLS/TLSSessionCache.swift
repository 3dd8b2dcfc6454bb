import HTTPCore

/// Client sessions per origin (`host:port`), so the next connection to the same server
/// resumes instead of running a full handshake. Bounded: the oldest origin is dropped
/// once `capacity` is reached. A TLS 1.3 ticket is handed out once (RFC 8446 §C.4);
/// servers usually send two per connection, so the next connection finds a fresh one.
final class TLSSessionCache: Sendable {
    private struct Entries {
        var sessions: [String: [OpenSSLSession]] = [:]
        var order: [String] = []
    }

    private let entries = Locked(Entries())
    private let capacity: Int
    private let perOrigin = 4

    init(capacity: Int = 256) { self.capacity = capacity }

    func session(for key: String) -> OpenSSLSession? {
        entries.withLock { entries in
            guard var list = entries.sessions[key], let newest = list.last else { return nil }
            if newest.isSingleUse {
                list.removeLast()
                entries.sessions[key] = list.isEmpty ? nil : list
                if list.isEmpty { entries.order.removeAll { $0 == key } }
            }
            return newest
        }
    }

    func store(_ session: OpenSSLSession, for key: String) {
        // Dropped sessions are freed after the lock is released.
        let dropped: [OpenSSLSession] = entries.withLock { entries in
            var dropped: [OpenSSLSession] = []
            if entries.sessions[key] == nil {
                entries.order.append(key)
                if entries.order.count > capacity {
                    let oldest = entries.order.removeFirst()
                    dropped += entries.sessions.removeValue(forKey: oldest) ?? []
                }
            }
            var list = entries.sessions[key] ?? []
            list.append(session)
            if list.count > perOrigin { dropped.append(list.removeFirst()) }
            entries.sessions[key] = list
            return dropped
        }
        _ = dropped
    }

    var count: Int { entries.withLock { $0.sessions.values.reduce(0) { $0 + $1.count } } }
}
