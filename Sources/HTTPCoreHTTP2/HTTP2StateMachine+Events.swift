import HTTPCore

extension HTTP2StateMachine {
    /// The peer sent something (any frame proves it alive).
    mutating func bytesReceived(now: HTTPInstant) {
        lastActivity = now
    }

    /// Applies one thing nghttp2 reported while reading or framing.
    mutating func receive(_ event: NGHTTP2Session.Event, now: HTTPInstant) -> [Action] {
        switch event {
        case .headers(let id, let fields, .head):
            return role == .client ? responseHead(id, fields) : requestHead(id, fields)
        case .headers(let id, let fields, .trailers):
            streams[id]?.trailers = fields.fields
            return []
        case .data(let id, let bytes):
            guard let index = streams.index(forKey: id), !streams.values[index].consumerDone, streams.values[index].error == nil else {
                // A stream we let go of or failed: keep the windows open for the others.
                return [.consume(stream: id, count: bytes.count)]
            }
            streams.values[index].chunks.append(bytes)
            return wake(at: index, data: true)
        case .endStream(let id):
            guard let index = streams.index(forKey: id) else { return [] }
            streams.values[index].remoteEnded = true
            return wake(at: index, data: true)
        case .resetByPeer(let id, let code):
            streams[id]?.resetByPeer = code
            return []
        case .closed(let id, let code):
            return streamClosed(id, code: code, now: now)
        case .goaway(let lastStreamID, let code, let debug):
            let failure = HTTP2Failure(errorCode: HTTP2ErrorCode(code), initiator: .remotePeer, debugData: String(decoding: debug, as: UTF8.self))
            goAway = (lastStreamID, failure)
            return slots.drain().map { .resumeSlot(ticket: $0, error: Self.goAwayError(failure)) }
        case .pingAck(let opaque):
            guard let sentAt = pings.removeValue(forKey: opaque) else { return [] }
            let rtt = sentAt.duration(to: now)
            roundTrip = rtt
            if functionalPing?.opaque == opaque {
                functionalPing = nil
                awaitingLiveness = false
            }
            return [.resumePing(opaque: opaque, result: .success(rtt))]
        case .settings(let maxConcurrentStreams):
            return slots.peerLimitChanged(maxConcurrentStreams).map { .resumeSlot(ticket: $0, error: nil) }
        case .pingReceived:
            return [] // nghttp2 answers it; the frame already proved the peer alive
        case .settingsAcknowledged:
            if let sentAt = settingsSentAt {
                roundTrip = roundTrip ?? sentAt.duration(to: now)
                settingsSentAt = nil
            }
            return []
        case .endStreamSent(let id):
            guard let index = streams.index(forKey: id) else { return [] }
            streams.values[index].localEnded = true
            guard role == .client, let trace = streams.values[index].trace else { return [] }
            return [.recordRequestSent(trace, bodyBytes: streams.values[index].framedBodyBytes, at: now)]
        case .bodyFramed(let id, let count):
            guard let index = streams.index(forKey: id) else { return [] }
            streams.values[index].queuedBytes = max(0, streams.values[index].queuedBytes - count)
            streams.values[index].framedBodyBytes += Int64(count)
            let held = boundHeldBody(at: index, now: now)
            guard streams.values[index].waitingForRoom, streams.values[index].queuedBytes < uploadBuffer else { return held }
            if role == .client { streams.values[index].writeDeadline = nil }
            return held + wake(at: index, room: true)
        case .goawaySent(let code):
            if !closing { sentGoAway = HTTP2Failure(errorCode: HTTP2ErrorCode(code), initiator: .library) }
            if slots.phase == .active, !closing {
                return slots.drain().map { .resumeSlot(ticket: $0, error: unavailableError) }
            }
            return []
        case .priorityUpdate(let id, let value):
            streams[id]?.priority = value
            return []
        case .headerListTooLarge(let id):
            // nghttp2 resets the stream; its close releases the slot.
            return failStream(id, HTTPCoreError(
                .headTooLarge, "an HTTP/2 header list over maxHeaderListSize bytes",
                underlying: HTTP2Failure(errorCode: .internalError, initiator: .library)
            ))
        }
    }

    /// nghttp2 has read all it was given. Returns `closeConnection` when the session is
    /// over (`sessionAlive` false) or the peer's GOAWAY left no stream to finish.
    mutating func inputProcessed(sessionAlive: Bool) -> [Action] {
        guard closeError == nil else { return [] }
        if !sessionAlive {
            let failure = goAway?.failure ?? sentGoAway ?? HTTP2Failure(errorCode: .protocolError, initiator: .library)
            return [.closeConnection(HTTPCoreError(.goAway, "the HTTP/2 session ended: \(failure)", underlying: failure))]
        }
        if goAway != nil, slots.phase == .draining, slots.isIdle, role == .client {
            return [.closeConnection(HTTPCoreError(.goAway, "the peer sent GOAWAY and every stream has finished", underlying: goAway?.failure))]
        }
        return []
    }

    /// nghttp2 refused our input outright (a connection error).
    static func inputRejected(_ failure: NGHTTP2Session.Failure) -> HTTPCoreError {
        HTTPCoreError(.goAway, "HTTP/2 connection error: \(failure)", underlying: HTTP2Failure(errorCode: .protocolError, initiator: .library))
    }

    static func goAwayError(_ failure: HTTP2Failure) -> HTTPCoreError {
        HTTPCoreError(.goAway, "the server is closing the connection (GOAWAY \(failure.errorCode)); the request was not processed", processing: .notProcessed, underlying: failure)
    }

    // MARK: - Heads

    private mutating func responseHead(_ id: Int32, _ fields: HTTP2ReceivedHeaders) -> [Action] {
        guard let index = streams.index(forKey: id), streams.values[index].head == nil else { return [] }
        do {
            let head = try HTTP2Fields.responseHead(fields)
            if head.status.kind == .informational { return [] } // 1xx: wait for the final head
            streams.values[index].head = .response(head)
            streams.values[index].readDeadline = nil
            return wake(at: index, head: true)
        } catch {
            return [.reset(stream: id, code: .protocolError)] + failStream(id, error)
        }
    }

    /// Server role: the peer opened stream `id` with a request.
    private mutating func requestHead(_ id: Int32, _ fields: HTTP2ReceivedHeaders) -> [Action] {
        guard streams[id] == nil else { return [] }
        guard let head = HTTP2Fields.requestHead(fields) else {
            return [.reset(stream: id, code: .protocolError)]
        }
        var state = HTTP2StreamState(holdsSlot: false)
        state.head = .request(head)
        state.readTimeout = incomingOptions.readTimeout
        state.writeTimeout = incomingOptions.writeTimeout
        streams[id] = state
        incoming.append(id)
        return [.wakeIncoming]
    }

    // MARK: - Closing

    private mutating func streamClosed(_ id: Int32, code: UInt32, now: HTTPInstant) -> [Action] {
        guard let index = streams.index(forKey: id) else { return [] }
        streams.values[index].wireClosed = true
        var actions: [Action]
        // The peer ended its side and closed cleanly (an early complete response, perhaps
        // with RST_STREAM(NO_ERROR)): no error, and an unfinished upload just stops.
        let clean = streams.values[index].remoteEnded && code == 0
        if streams.values[index].error == nil, !clean {
            actions = failStream(at: index, closeError(index, code: code))
        } else {
            actions = wake(at: index, head: true, data: true, room: true)
        }
        if streams.values[index].uploading {
            streams.values[index].uploading = false
            actions.append(.stopUpload(stream: id))
        }
        if streams.values[index].holdsSlot {
            streams.values[index].holdsSlot = false
            actions += releaseSlot(now: now)
        }
        // Keep the stream until the application has taken its end or its error (a woken
        // waiter asks for it after this), unless it already let go. A server is also done
        // with a stream once its whole response went out: a request body nobody read
        // (a GET's empty one, most often) must not keep it.
        let responded = role == .server && streams.values[index].localEnded && streams.values[index].error == nil
        if streams.values[index].consumerDone || responded {
            streams.remove(at: index)
            removeIncoming(id)
        }
        return actions
    }

    /// Why stream `index` closed before its peer's side ended cleanly.
    private func closeError(_ index: HTTP2StreamTable.Index, code: UInt32) -> HTTPCoreError {
        let errorCode = HTTP2ErrorCode(code)
        let resetByPeer = streams.values[index].resetByPeer
        if errorCode == .refusedStream, resetByPeer == nil, let goAway {
            // GOAWAY says the peer never processed this stream, but a head it already
            // sent proves otherwise: then a retry is not safe.
            return streams.values[index].head != nil
                ? HTTPCoreError(.goAway, "the server went away (GOAWAY \(goAway.failure.errorCode)) in the middle of the response", underlying: goAway.failure)
                : Self.goAwayError(goAway.failure)
        }
        if let peerCode = resetByPeer {
            let failure = HTTP2Failure(errorCode: HTTP2ErrorCode(peerCode), initiator: .remotePeer)
            let processing: HTTPCoreError.Processing = failure.errorCode == .refusedStream ? .notProcessed : .unknown
            return HTTPCoreError(.streamReset, "the peer reset the stream: \(failure.errorCode)", processing: processing, underlying: failure)
        }
        if code != 0 {
            let failure = HTTP2Failure(errorCode: errorCode, initiator: .library)
            return HTTPCoreError(.streamReset, "the stream was reset because the peer broke HTTP/2: \(errorCode)", underlying: failure)
        }
        return HTTPCoreError(.truncatedResponse, "the HTTP/2 stream closed before the peer's side ended")
    }

    /// Ends every wait on stream `id` with `error` (the head, the data, the upload room).
    mutating func failStream(_ id: Int32, _ error: HTTPCoreError) -> [Action] {
        guard let index = streams.index(forKey: id) else { return [] }
        return failStream(at: index, error)
    }

    mutating func failStream(at index: HTTP2StreamTable.Index, _ error: HTTPCoreError) -> [Action] {
        if streams.values[index].error == nil { streams.values[index].error = error }
        var actions = wake(at: index, head: true, data: true, room: true)
        if streams.values[index].uploading, !streams.values[index].wireClosed {
            actions.append(.stopUpload(stream: streams.keys[index]))
        }
        return actions
    }

    /// Clears the wait flags named and returns the wake-ups for those that were set.
    mutating func wake(_ id: Int32, head: Bool = false, data: Bool = false, room: Bool = false) -> [Action] {
        guard let index = streams.index(forKey: id) else { return [] }
        return wake(at: index, head: head, data: data, room: room)
    }

    /// `wake` for the stream at `index`, in place: a stream's buffers are never copied.
    mutating func wake(at index: HTTP2StreamTable.Index, head: Bool = false, data: Bool = false, room: Bool = false) -> [Action] {
        let id = streams.keys[index]
        var actions: [Action] = []
        if head, streams.values[index].waitingForHead {
            streams.values[index].waitingForHead = false
            actions.append(.wakeHead(stream: id))
        }
        if data, streams.values[index].waitingForData {
            streams.values[index].waitingForData = false
            actions.append(.wakeData(stream: id))
        }
        if room, streams.values[index].waitingForRoom {
            streams.values[index].waitingForRoom = false
            actions.append(.wakeRoom(stream: id))
        }
        return actions
    }

    mutating func removeIncoming(_ id: Int32) {
        if let index = incoming.firstIndex(of: id) { incoming.remove(at: index) }
    }
}
