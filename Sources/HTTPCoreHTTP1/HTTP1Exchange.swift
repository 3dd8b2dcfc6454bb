import HTTPCore

/// One request/response on the connection: its id and the limits that apply to it.
final class HTTP1Exchange: Sendable {
    let id: UInt64
    let options: RequestOptions
    /// The request's total deadline, if it has one.
    let deadline: HTTPInstant?
    private let wrote = Locked(false)

    init(id: UInt64, options: RequestOptions, deadline: HTTPInstant?) {
        self.id = id
        self.options = options
        self.deadline = deadline
    }

    /// Whether any write was attempted (after that, the peer may have seen the request).
    var wroteAnything: Bool { wrote.value }
    func markWriting() { wrote.withLock { $0 = true } }
}
