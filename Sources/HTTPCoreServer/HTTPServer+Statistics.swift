public import HTTPCore

extension HTTPServer {
    /// What happened to the server's connections and requests since it started: the
    /// counters an operator reads, and a test asserts (`HTTPServer.statistics`).
    public struct Statistics: Sendable, Equatable {
        /// Connections ended, by cause.
        public var connectionsEnded: [ConnectionEnd: Int] = [:]
        /// Handlers that threw an `HTTPCoreError` (their own, or a failed read or write of
        /// the exchange they passed on), by its category.
        public var requestsFailed: [HTTPCoreError.Category: Int] = [:]
        /// Handlers that threw any other error.
        public var handlerErrors = 0

        public init() {}
    }

    /// One thing the server observed, as it happens (`Configuration.onEvent`): the typed
    /// source that metrics and logging build on.
    public enum Event: Sendable {
        /// A connection ended, `duration` after it was accepted.
        case connectionEnded(ConnectionEnd, duration: Duration)
        /// A handler threw `error`, `duration` after it started.
        case requestFailed(any Error, duration: Duration)
    }
}
