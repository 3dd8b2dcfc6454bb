internal import CNGHTTP2
import HTTPCore

// The only file that calls libnghttp2. Debian ships 1.52, which has only the older API
// (`mem_recv`, `mem_send`, `nghttp2_data_provider`); keeping every call here makes a later
// port to the `*2` API one file.

/// One nghttp2 session, client or server. Not thread-safe: its owner calls it under a lock.
///
/// nghttp2 parses input and frames output; what it reports while parsing comes back as a
/// list of `Event`s, so the connection's logic stays in Swift. Request and response bodies
/// are queued here, because nghttp2 pulls them through a callback when flow control allows.
package final class NGHTTP2Session {
    package enum Role: Sendable { case client, server }

    package enum HeadersKind: Sendable, Equatable {
        /// A request (server role), a response or a 1xx (client role).
        case head
        /// Trailers: a HEADERS frame after the head.
        case trailers
    }

    package enum Event: Sendable {
        case headers(stream: Int32, fields: HTTP2ReceivedHeaders, kind: HeadersKind)
        case data(stream: Int32, bytes: [UInt8])
        /// The peer ended its side of the stream (END_STREAM on HEADERS or DATA).
        case endStream(Int32)
        case resetByPeer(stream: Int32, code: UInt32)
        /// The stream is gone; `code` is the RST_STREAM code (ours or the peer's) or 0.
        case closed(stream: Int32, code: UInt32)
        case goaway(lastStreamID: Int32, code: UInt32, debug: [UInt8])
        case pingAck(opaque: UInt64)
        /// The peer's PING (nghttp2 acknowledges it by itself).
        case pingReceived
        /// The peer's SETTINGS (not an ACK), with its stream limit as now in force.
        case settings(maxConcurrentStreams: Int)
        /// The peer acknowledged our SETTINGS: a round trip measured for free.
        case settingsAcknowledged
        /// A head or trailers over `Limits.maxHeaderListSize`; the stream is reset.
        case headerListTooLarge(stream: Int32)
        /// RFC 9218 PRIORITY_UPDATE for `stream` (server role), such as `u=1, i`.
        case priorityUpdate(stream: Int32, value: String)
        /// nghttp2 wrote GOAWAY: a connection error it found (or `goAway` was called).
        case goawaySent(code: UInt32)
        /// The frame ending our side of `stream` (HEADERS or DATA with END_STREAM) went
        /// out: the whole request (client) or response (server) is sent.
        case endStreamSent(stream: Int32)
        /// The data source framed `count` queued body bytes of `stream` (they left the
        /// upload queue; flow control let them go).
        case bodyFramed(stream: Int32, count: Int)
    }

    package struct Settings: Sendable {
        package var maxConcurrentStreams: UInt32 = 100
        package var initialWindowSize: Int32 = 4 << 20
        package var connectionWindowSize: Int32 = 16 << 20
        package var maxFrameSize: Int32 = 16_384
        package var headerTableSize: UInt32 = 4096
        package var maxHeaderListSize: UInt32 = 64 << 10
        package init() {}
    }

    /// Defences against a hostile peer, passed to nghttp2 where it has the knob.
    package struct Limits: Sendable {
        /// Bytes of names and values in one head or trailers (RFC 9113 §6.5.2 counting).
        package var maxHeaderListSize = 64 << 10
        package var maxContinuations = 8
        package var maxOutboundAck = 1000
        package var maxSettingsEntries = 32
        package var streamResetBurst: UInt64 = 1000
        package var streamResetRatePerSecond: UInt64 = 33
        /// Our HPACK encoder's dynamic table, whatever the peer allows.
        package var maxEncoderTableSize = 4096
        package init() {}
    }

    package struct Failure: Error, Sendable, CustomStringConvertible {
        package let code: Int32
        package let message: String
        package var description: String { "\(message) (nghttp2 \(code))" }
    }

    private struct Outbound {
        var chunks: [[UInt8]] = []
        var head = 0
        var offset = 0
        var count = 0
        var ended = false
        var trailers: HTTP2HeaderList?
    }

    let role: Role
    private var session: OpaquePointer?
    private var events: [Event] = []
    /// RST_STREAM(REFUSED_STREAM) frames sent: streams nghttp2 refused by itself, past our
    /// SETTINGS_MAX_CONCURRENT_STREAMS while the peer had not acknowledged it yet. They
    /// never reach the machine (no event), so the server reads this count for its metrics.
    package private(set) var refusedStreamsSent = 0
    /// The header block being received. HTTP/2 sends a block's frames back to back
    /// (RFC 9113 §4.3), so there is at most one at a time.
    private var pending: (stream: Int32, fields: HTTP2ReceivedHeaders, kind: HeadersKind)?
    private var outbound: [Int32: Outbound] = [:]
    private let limits: Limits

    package init(role: Role, settings: Settings = Settings(), limits: Limits = Limits()) throws(Failure) {
        self.role = role
        self.limits = limits
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else {
            throw Failure(code: -1, message: "nghttp2_session_callbacks_new failed")
        }
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameReceived)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunk)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, onFrameSent)

        var option: OpaquePointer?
        guard nghttp2_option_new(&option) == 0, let option else {
            throw Failure(code: -1, message: "nghttp2_option_new failed")
        }
        defer { nghttp2_option_del(option) }
        // Window updates follow the application's reads (backpressure), not arrival.
        nghttp2_option_set_no_auto_window_update(option, 1)
        nghttp2_option_set_max_continuations(option, limits.maxContinuations)
        nghttp2_option_set_max_outbound_ack(option, limits.maxOutboundAck)
        nghttp2_option_set_max_settings(option, limits.maxSettingsEntries)
        nghttp2_option_set_stream_reset_rate_limit(option, limits.streamResetBurst, limits.streamResetRatePerSecond)
        nghttp2_option_set_max_deflate_dynamic_table_size(option, limits.maxEncoderTableSize)
        nghttp2_option_set_builtin_recv_extension_type(option, UInt8(NGHTTP2_PRIORITY_UPDATE.rawValue))
        // Until the peer's SETTINGS arrive, assume RFC 9113's recommended minimum.
        nghttp2_option_set_peer_max_concurrent_streams(option, 100)

        let user = Unmanaged.passUnretained(self).toOpaque()
        let created = role == .client
            ? nghttp2_session_client_new2(&session, callbacks, user, option)
            : nghttp2_session_server_new2(&session, callbacks, user, option)
        guard created == 0, session != nil else { throw Failure(code: created, message: "creating the session failed") }

        var entries: [nghttp2_settings_entry] = [
            .init(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: settings.maxConcurrentStreams),
            .init(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: UInt32(settings.initialWindowSize)),
            .init(settings_id: Int32(NGHTTP2_SETTINGS_MAX_FRAME_SIZE.rawValue), value: UInt32(settings.maxFrameSize)),
            .init(settings_id: Int32(NGHTTP2_SETTINGS_HEADER_TABLE_SIZE.rawValue), value: settings.headerTableSize),
            .init(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: settings.maxHeaderListSize),
            .init(settings_id: Int32(NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES.rawValue), value: 1),
        ]
        if role == .client { entries.append(.init(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0)) }
        let submitted = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count)
        guard submitted == 0 else { throw Failure(code: submitted, message: "submitting SETTINGS failed") }
        let window = nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, settings.connectionWindowSize)
        guard window == 0 else { throw Failure(code: window, message: "setting the connection window failed") }
    }

    deinit { nghttp2_session_del(session) }

    // MARK: - Input and output

    /// Parses `bytes`, appending what happened to `happened` (which the caller keeps and
    /// empties between calls, so steady traffic allocates no event lists). A failure means
    /// the connection is dead (nghttp2 has queued GOAWAY where it could).
    package func receive(_ bytes: [UInt8], into happened: inout [Event]) -> Failure? {
        takeEvents(into: &happened)
        swap(&events, &happened)
        defer { swap(&events, &happened) }
        let consumed = bytes.withUnsafeBufferPointer { nghttp2_session_mem_recv(session, $0.baseAddress, $0.count) }
        if consumed < 0 { return Failure(code: Int32(consumed), message: String(cString: nghttp2_strerror(Int32(consumed)))) }
        return nil
    }

    /// Appends the frames ready to send to `output`, up to about `limit` bytes (flow
    /// control permitting). The caller keeps the buffer between calls, so steady traffic
    /// frames into the same storage.
    package func takeOutput(into output: inout [UInt8], limit: Int = 256 << 10) -> Failure? {
        while output.count < limit {
            var data: UnsafePointer<UInt8>?
            let length = nghttp2_session_mem_send(session, &data)
            if length < 0 { return Failure(code: Int32(length), message: String(cString: nghttp2_strerror(Int32(length)))) }
            guard length > 0, let data else { break }
            output.append(contentsOf: UnsafeBufferPointer(start: data, count: length))
        }
        return nil
    }

    /// What happened while framing output (`takeOutput`): sending RST_STREAM or END_STREAM
    /// can close a stream, and GOAWAY reports a connection error.
    /// Appended to `happened`; when it is empty the two buffers trade places, so neither
    /// is reallocated.
    package func takeEvents(into happened: inout [Event]) {
        if happened.isEmpty {
            swap(&events, &happened)
        } else {
            happened.append(contentsOf: events)
            events.removeAll(keepingCapacity: true)
        }
    }

    /// False once nghttp2 has nothing more to read or write: after GOAWAY both ways, or a
    /// fatal error (PLATFORM-NOTES: garbage input is "consumed" and then both are 0).
    package var isAlive: Bool { nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0 }

    /// Frames are waiting to be taken by `takeOutput`.
    package var wantsWrite: Bool { nghttp2_session_want_write(session) != 0 }

    package var remoteMaxConcurrentStreams: UInt32 {
        nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS)
    }

    package var peerAllowsPriorityUpdate: Bool {
        nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES) == 1
    }

    // MARK: - Submitting

    /// Opens a stream with `fields` as its request head; a body follows through `append`
    /// and `finish` when `hasBody`. Returns the stream id.
    package func submitRequest(_ fields: HTTP2HeaderList, hasBody: Bool) -> Result<Int32, Failure> {
        let id = withNameValues(fields) { nva in
            hasBody
                ? withDataProvider { nghttp2_submit_request(session, nil, nva.baseAddress, nva.count, $0, nil) }
                : nghttp2_submit_request(session, nil, nva.baseAddress, nva.count, nil, nil)
        }
        guard id > 0 else { return .failure(Failure(code: id, message: String(cString: nghttp2_strerror(id)))) }
        if hasBody { outbound[id] = Outbound() }
        return .success(id)
    }

    /// Server role: answers stream `id` with `fields`; a body follows when `hasBody`.
    package func submitResponse(stream id: Int32, _ fields: HTTP2HeaderList, hasBody: Bool) -> Failure? {
        if hasBody { outbound[id] = Outbound() }
        let result = withNameValues(fields) { nva in
            hasBody
                ? withDataProvider { nghttp2_submit_response(session, id, nva.baseAddress, nva.count, $0) }
                : nghttp2_submit_response(session, id, nva.baseAddress, nva.count, nil)
        }
        return result == 0 ? nil : Failure(code: result, message: String(cString: nghttp2_strerror(result)))
    }

    /// Queues body bytes for stream `id` and wakes its data source.
    package func append(_ bytes: [UInt8], stream id: Int32) {
        guard !bytes.isEmpty, outbound[id] != nil else { return }
        outbound[id]!.chunks.append(bytes)
        outbound[id]!.count += bytes.count
        nghttp2_session_resume_data(session, id)
    }

    /// Ends stream `id`'s body, with trailers if any.
    package func finish(stream id: Int32, trailers: HTTP2HeaderList?) {
        guard outbound[id] != nil else { return }
        outbound[id]!.ended = true
        outbound[id]!.trailers = trailers.flatMap { $0.count == 0 ? nil : $0 }
        nghttp2_session_resume_data(session, id)
    }

    /// Body bytes queued for stream `id` and not yet framed.
    package func queuedBodyBytes(stream id: Int32) -> Int { outbound[id]?.count ?? 0 }

    /// The application read `count` body bytes of stream `id`: open the windows again.
    package func consume(_ count: Int, stream id: Int32) {
        guard count > 0 else { return }
        nghttp2_session_consume(session, id, count)
    }

    package func reset(stream id: Int32, code: UInt32) {
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), id, code)
        outbound[id] = nil
    }

    package func ping(opaque: UInt64) {
        withUnsafeBytes(of: opaque.bigEndian) { raw in
            _ = nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Sends GOAWAY with the last stream we processed.
    package func goAway(code: UInt32) {
        nghttp2_session_terminate_session(session, code)
    }

    /// Server role: the highest stream id the peer opened that we took (what a graceful
    /// GOAWAY names).
    package var lastProcessedStreamID: Int32 { nghttp2_session_get_last_proc_stream_id(session) }

    /// Sends GOAWAY naming `lastStreamID` (a server draining gracefully, or a test).
    package func goAway(code: UInt32, lastStreamID: Int32) {
        nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), lastStreamID, code, nil, 0)
    }

    /// A later SETTINGS frame changing SETTINGS_MAX_CONCURRENT_STREAMS (a server adapting
    /// its load, or a test).
    package func changeMaxConcurrentStreams(to limit: UInt32) {
        var entry = nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: limit)
        _ = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entry, 1)
    }

    /// RFC 9218 PRIORITY_UPDATE for stream `id`, such as `u=1, i`.
    package func priorityUpdate(stream id: Int32, _ value: String) {
        let bytes = Array(value.utf8)
        bytes.withUnsafeBufferPointer { _ = nghttp2_submit_priority_update(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), id, $0.baseAddress, $0.count) }
    }

    // MARK: - Callback plumbing

    /// nghttp2's name/value records for `fields`, pointing into the list's bytes, on the
    /// stack for a head of up to 32 fields.
    private func withNameValues<R>(_ fields: HTTP2HeaderList, _ body: (UnsafeMutableBufferPointer<nghttp2_nv>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: fields.count) { nva in
            var index = 0
            fields.forEach { name, value in
                nva.initializeElement(at: index, to: nghttp2_nv(
                    name: UnsafeMutablePointer(mutating: name.baseAddress!.assumingMemoryBound(to: UInt8.self)),
                    value: UnsafeMutablePointer(mutating: (value.baseAddress ?? name.baseAddress!).assumingMemoryBound(to: UInt8.self)),
                    namelen: name.count, valuelen: value.count,
                    flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)
                ))
                index += 1
            }
            defer { nva.deinitialize() }
            return body(nva)
        }
    }

    private func withDataProvider<R>(_ body: (UnsafePointer<nghttp2_data_provider>) -> R) -> R {
        var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: onReadBody)
        return withUnsafePointer(to: &provider) { body($0) }
    }

    fileprivate static func from(_ user: UnsafeMutableRawPointer?) -> NGHTTP2Session {
        Unmanaged<NGHTTP2Session>.fromOpaque(user!).takeUnretainedValue()
    }

    fileprivate func beginHeaders(stream: Int32, category: nghttp2_headers_category) {
        let kind: HeadersKind = category == NGHTTP2_HCAT_HEADERS ? .trailers : .head
        pending = (stream, HTTP2ReceivedHeaders(), kind)
    }

    /// False: the list is over the limit, and the stream gets reset.
    fileprivate func header(stream: Int32, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool {
        guard pending?.stream == stream else { return true }
        pending!.fields.append(name: name, value: value)
        if pending!.fields.size > limits.maxHeaderListSize {
            pending = nil
            events.append(.headerListTooLarge(stream: stream))
            return false
        }
        return true
    }

    fileprivate func frameReceived(_ frame: UnsafePointer<nghttp2_frame>) {
        let header = frame.pointee.hd
        let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch UInt32(header.type) {
        case NGHTTP2_HEADERS.rawValue:
            if let block = pending, block.stream == header.stream_id {
                pending = nil
                events.append(.headers(stream: header.stream_id, fields: block.fields, kind: block.kind))
            }
            if endStream { events.append(.endStream(header.stream_id)) }
        case NGHTTP2_DATA.rawValue:
            if endStream { events.append(.endStream(header.stream_id)) }
        case NGHTTP2_RST_STREAM.rawValue:
            events.append(.resetByPeer(stream: header.stream_id, code: frame.pointee.rst_stream.error_code))
        case NGHTTP2_GOAWAY.rawValue:
            let goaway = frame.pointee.goaway
            let debug = goaway.opaque_data.map { Array(UnsafeBufferPointer(start: $0, count: goaway.opaque_data_len)) } ?? []
            events.append(.goaway(lastStreamID: goaway.last_stream_id, code: goaway.error_code, debug: debug))
        case NGHTTP2_PING.rawValue where header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0:
            let opaque = withUnsafeBytes(of: frame.pointee.ping.opaque_data) { $0.loadUnaligned(as: UInt64.self) }
            events.append(.pingAck(opaque: UInt64(bigEndian: opaque)))
        case NGHTTP2_PING.rawValue:
            events.append(.pingReceived)
        case NGHTTP2_SETTINGS.rawValue:
            let acknowledgement = header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0
            events.append(acknowledgement ? .settingsAcknowledged : .settings(maxConcurrentStreams: Int(remoteMaxConcurrentStreams)))
        case NGHTTP2_PRIORITY_UPDATE.rawValue:
            guard let payload = frame.pointee.ext.payload?.assumingMemoryBound(to: nghttp2_ext_priority_update.self) else { break }
            let update = payload.pointee
            let value = update.field_value.map { String(decoding: UnsafeBufferPointer(start: $0, count: update.field_value_len), as: UTF8.self) } ?? ""
            events.append(.priorityUpdate(stream: update.stream_id, value: value))
        default:
            break
        }
    }

    fileprivate func frameSent(_ frame: UnsafePointer<nghttp2_frame>) {
        let header = frame.pointee.hd
        switch UInt32(header.type) {
        case NGHTTP2_GOAWAY.rawValue:
            events.append(.goawaySent(code: frame.pointee.goaway.error_code))
        case NGHTTP2_RST_STREAM.rawValue where frame.pointee.rst_stream.error_code == NGHTTP2_REFUSED_STREAM.rawValue:
            refusedStreamsSent += 1
        case NGHTTP2_HEADERS.rawValue, NGHTTP2_DATA.rawValue:
            if header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0 {
                events.append(.endStreamSent(stream: header.stream_id))
            }
        default:
            break
        }
    }

    fileprivate func dataChunk(stream: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
        events.append(.data(stream: stream, bytes: Array(bytes)))
    }

    fileprivate func streamClosed(_ stream: Int32, code: UInt32) {
        outbound[stream] = nil
        if pending?.stream == stream { pending = nil }
        events.append(.closed(stream: stream, code: code))
    }

    /// Fills `buffer` from stream `id`'s queue: DEFERRED while empty, EOF (and trailers)
    /// once finished.
    fileprivate func readBody(stream id: Int32, into buffer: UnsafeMutableRawBufferPointer, flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard var queue = outbound[id] else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
        var written = 0
        while written < buffer.count, queue.head < queue.chunks.count {
            let chunk = queue.chunks[queue.head]
            let count = min(buffer.count - written, chunk.count - queue.offset)
            chunk.withUnsafeBytes { source in
                (buffer.baseAddress! + written).copyMemory(from: source.baseAddress! + queue.offset, byteCount: count)
            }
            written += count
            queue.offset += count
            queue.count -= count
            if queue.offset == chunk.count {
                queue.head += 1
                queue.offset = 0
            }
        }
        if queue.head == queue.chunks.count {
            queue.chunks.removeAll(keepingCapacity: true)
            queue.head = 0
        }
        if written > 0 { events.append(.bodyFramed(stream: id, count: written)) }
        if queue.count == 0, queue.ended {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            if let trailers = queue.trailers {
                flags.pointee |= NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                _ = withNameValues(trailers) { nghttp2_submit_trailer(session, id, $0.baseAddress, $0.count) }
            }
            outbound[id] = nil
            return written
        }
        outbound[id] = queue
        return written == 0 ? Int(NGHTTP2_ERR_DEFERRED.rawValue) : written
    }
}

// nghttp2 calls these synchronously inside mem_recv/mem_send, on the thread that holds the
// session, so the session found through user_data is safe to use (PLATFORM-NOTES).

private let onBeginHeaders: nghttp2_on_begin_headers_callback = { _, frame, user in
    guard let frame else { return 0 }
    NGHTTP2Session.from(user).beginHeaders(stream: frame.pointee.hd.stream_id, category: frame.pointee.headers.cat)
    return 0
}

private let onHeader: nghttp2_on_header_callback = { _, frame, name, nameLength, value, valueLength, _, user in
    guard let frame, let name, let value else { return 0 }
    let accepted = NGHTTP2Session.from(user).header(
        stream: frame.pointee.hd.stream_id,
        name: UnsafeRawBufferPointer(start: name, count: nameLength),
        value: UnsafeRawBufferPointer(start: value, count: valueLength)
    )
    return accepted ? 0 : Int32(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
}

private let onFrameReceived: nghttp2_on_frame_recv_callback = { _, frame, user in
    guard let frame else { return 0 }
    NGHTTP2Session.from(user).frameReceived(frame)
    return 0
}

private let onFrameSent: nghttp2_on_frame_send_callback = { _, frame, user in
    guard let frame else { return 0 }
    NGHTTP2Session.from(user).frameSent(frame)
    return 0
}

private let onDataChunk: nghttp2_on_data_chunk_recv_callback = { _, _, stream, data, length, user in
    guard let data else { return 0 }
    NGHTTP2Session.from(user).dataChunk(stream: stream, UnsafeBufferPointer(start: data, count: length))
    return 0
}

private let onStreamClose: nghttp2_on_stream_close_callback = { _, stream, code, user in
    NGHTTP2Session.from(user).streamClosed(stream, code: code)
    return 0
}

private let onReadBody: nghttp2_data_source_read_callback = { _, stream, buffer, length, flags, _, user in
    guard let buffer, let flags else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    return NGHTTP2Session.from(user).readBody(stream: stream, into: UnsafeMutableRawBufferPointer(start: buffer, count: length), flags: flags)
}
