/// Why an HTTP/2 stream or connection ended early, as the `underlying` error of an
/// `HTTPCoreError` (`.streamReset`, `.goAway`, `.cancelled`, `.headTooLarge`).
public struct HTTP2Failure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Initiator: Sendable, Hashable {
        /// The application: a cancelled task or a dropped body.
        case localUser
        /// This library, because the peer broke the protocol or a limit.
        case library
        /// The peer, with RST_STREAM or GOAWAY.
        case remotePeer
    }

    public var errorCode: HTTP2ErrorCode
    public var initiator: Initiator
    /// GOAWAY's debug data, when the peer sent any.
    public var debugData: String?

    public init(errorCode: HTTP2ErrorCode, initiator: Initiator, debugData: String? = nil) {
        self.errorCode = errorCode
        self.initiator = initiator
        self.debugData = debugData
    }

    public var description: String {
        var text = "\(errorCode) from \(initiator)"
        if let debugData, !debugData.isEmpty { text += " (\(debugData))" }
        return text
    }
}

/// An RFC 9113 §7 error code; unknown codes keep their value.
public struct HTTP2ErrorCode: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static let noError = HTTP2ErrorCode(0x0)
    public static let protocolError = HTTP2ErrorCode(0x1)
    public static let internalError = HTTP2ErrorCode(0x2)
    public static let flowControlError = HTTP2ErrorCode(0x3)
    public static let settingsTimeout = HTTP2ErrorCode(0x4)
    public static let streamClosed = HTTP2ErrorCode(0x5)
    public static let frameSizeError = HTTP2ErrorCode(0x6)
    public static let refusedStream = HTTP2ErrorCode(0x7)
    public static let cancel = HTTP2ErrorCode(0x8)
    public static let compressionError = HTTP2ErrorCode(0x9)
    public static let connectError = HTTP2ErrorCode(0xa)
    public static let enhanceYourCalm = HTTP2ErrorCode(0xb)
    public static let inadequateSecurity = HTTP2ErrorCode(0xc)
    public static let http11Required = HTTP2ErrorCode(0xd)

    private static let names = [
        "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
        "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR",
        "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
    ]

    public var description: String {
        rawValue < Self.names.count ? Self.names[Int(rawValue)] : "0x\(String(rawValue, radix: 16))"
    }
}
