import HTTPTypes

/// Reason phrases for responses that carry none (HTTP/2 has no reason phrase; some
/// HTTP/1.1 servers send an empty one), from HTTPTypes' registered statuses, as httpx
/// falls back to the standard phrase.
enum ReasonPhrase {
    private static let standard: [Int: String] = Dictionary(
        uniqueKeysWithValues: ([.continue, .switchingProtocols, .earlyHints, .ok, .created, .accepted, .nonAuthoritativeInformation, .noContent, .resetContent, .partialContent, .multipleChoices, .movedPermanently, .found, .seeOther, .notModified, .temporaryRedirect, .permanentRedirect, .badRequest, .unauthorized, .forbidden, .notFound, .methodNotAllowed, .notAcceptable, .proxyAuthenticationRequired, .requestTimeout, .conflict, .gone, .lengthRequired, .preconditionFailed, .contentTooLarge, .uriTooLong, .unsupportedMediaType, .rangeNotSatisfiable, .expectationFailed, .misdirectedRequest, .unprocessableContent, .tooEarly, .upgradeRequired, .preconditionRequired, .tooManyRequests, .requestHeaderFieldsTooLarge, .unavailableForLegalReasons, .internalServerError, .notImplemented, .badGateway, .serviceUnavailable, .gatewayTimeout, .httpVersionNotSupported, .networkAuthenticationRequired] as [HTTPResponse.Status]).map { ($0.code, $0.reasonPhrase) }
    )

    static func of(_ status: HTTPResponse.Status) -> String {
        status.reasonPhrase.isEmpty ? standard[status.code] ?? "" : status.reasonPhrase
    }
}
