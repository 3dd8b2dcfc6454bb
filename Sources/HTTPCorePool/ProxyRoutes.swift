public import HTTPCore

/// Which proxy each origin goes through (`ConnectionPool.Configuration.proxyRoutes`), as
/// the `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy` variables say it: a proxy
/// per scheme, a fallback for every scheme, and the hosts that go direct.
///
/// The route is a function of the origin alone (scheme, host, port), fixed for the
/// pool's life, so the pool keeping connections per origin keeps them per route too: a
/// connection through one proxy is never reused for an origin routed elsewhere.
public struct ProxyRoutes: Sendable {
    /// For http:// origins.
    public var http: Proxy?
    /// For https:// origins.
    public var https: Proxy?
    /// For origins whose scheme has no proxy of its own.
    public var all: Proxy?
    /// Origins that go direct whatever the above say.
    public var noProxy: NoProxy

    public init(http: Proxy? = nil, https: Proxy? = nil, all: Proxy? = nil, noProxy: NoProxy = NoProxy("")) {
        self.http = http
        self.https = https
        self.all = all
        self.noProxy = noProxy
    }

    /// The proxy for `origin`, or nil to connect directly.
    public func proxy(for origin: Origin) -> Proxy? {
        slot(for: origin).flatMap { self[$0] }
    }

    /// Where a proxy is configured; also what tells proxies apart inside the pool.
    enum Slot: Hashable, CaseIterable {
        /// `ConnectionPool.Configuration.proxy`: every origin.
        case every
        case http, https, all
    }

    func slot(for origin: Origin) -> Slot? {
        let own: Slot? = switch origin.scheme {
        case "http": http == nil ? nil : .http
        case "https": https == nil ? nil : .https
        default: nil
        }
        guard let slot = own ?? (all == nil ? nil : .all) else { return nil }
        return noProxy.matches(host: origin.host, port: origin.port) ? nil : slot
    }

    subscript(slot: Slot) -> Proxy? {
        switch slot {
        case .every: nil
        case .http: http
        case .https: https
        case .all: all
        }
    }
}

extension ConnectionPool.Configuration {
    /// The proxy `origin`'s connections go through: `proxy` for every origin, else the
    /// routes' choice; nil: direct.
    func proxySlot(for origin: Origin) -> ProxyRoutes.Slot? {
        proxy != nil ? .every : proxyRoutes?.slot(for: origin)
    }

    func routedProxy(in slot: ProxyRoutes.Slot) -> Proxy? {
        slot == .every ? proxy : proxyRoutes?[slot]
    }
}
