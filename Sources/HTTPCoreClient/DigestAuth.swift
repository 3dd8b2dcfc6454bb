import HTTPCore
import HTTPCoreTLS
import HTTPTypes

/// RFC 7616 Digest: the first request goes without credentials; a 401 with a Digest
/// challenge (MD5, SHA-256, SHA-512-256 or a -sess variant; qop=auth, or none as in RFC
/// 2069) is answered by sending the request again, its body replayed. The challenge is
/// kept, so later requests of the client answer it at once with the nonce count
/// incremented (`nc=00000002`, ...); a 401 marked `stale=true` is answered once more with
/// the new nonce. The description never shows the credentials.
public final class DigestAuth: ClientAuth, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let user: String
    private let password: String
    private let makeCnonce: @Sendable () -> String
    /// The challenge answered last, the origin it came from (it is answered preemptively
    /// only there: one client may talk to several origins), and how many times its nonce
    /// was used.
    private let state = Locked<(challenge: DigestChallenge, origin: Origin, count: UInt32)?>(nil)

    public convenience init(user: String, password: String) {
        self.init(user: user, password: password, cnonce: DigestAuth.randomCnonce)
    }

    /// With the client nonce from `cnonce` (tests pin it to RFC 7616's examples).
    package init(user: String, password: String, cnonce: @escaping @Sendable () -> String) {
        self.user = user
        self.password = password
        makeCnonce = cnonce
    }

    /// 16 random bytes from the system generator, as hex.
    static func randomCnonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return DigestChallenge.hex((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    public func authorize(_ request: inout ClientAuthRequest) throws {
        // A challenge from an earlier request of this client: answer it preemptively.
        let origin = ClientURL(absolute: request.url)?.origin
        guard let (challenge, count) = state.withLock({ state -> (DigestChallenge, UInt32)? in
            guard var current = state, current.origin == origin else { return nil }
            current.count &+= 1
            state = current
            return (current.challenge, current.count)
        }) else { return }
        answer(challenge, count: count, to: &request)
    }

    public func retry(_ request: inout ClientAuthRequest, after response: ClientAuthResponse, round: Int) throws -> Bool {
        guard response.status == 401 else { return false }
        let offered = AuthChallenge.parse(fields: response.headerFields[values: .wwwAuthenticate])
            .compactMap(DigestChallenge.init)
        // The strongest algorithm offered; after a first retry, only a stale nonce is
        // worth another (wrong credentials stay wrong).
        guard let challenge = offered.max(by: { $0.algorithm.strength < $1.algorithm.strength }),
              round == 0 || challenge.stale
        else { return false }
        if let origin = ClientURL(absolute: request.url)?.origin { state.withLock { $0 = (challenge, origin, 1) } }
        return answer(challenge, count: 1, to: &request)
    }

    /// Sets Authorization for `challenge` with nonce count `count`; false when a hash is
    /// unavailable.
    @discardableResult
    private func answer(_ challenge: DigestChallenge, count: UInt32, to request: inout ClientAuthRequest) -> Bool {
        guard let value = challenge.authorization(
            user: user, password: password, method: request.method.rawValue, uri: request.target, count: count, cnonce: makeCnonce()
        ) else { return false }
        request.headerFields[.authorization] = value
        return true
    }

    public var description: String { "DigestAuth(<redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
