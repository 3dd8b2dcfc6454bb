import HTTPCore

/// The duplex check: the request body is fed one chunk at a time, and the next chunk is
/// yielded only once the peer has echoed the last one. A client that returned the
/// response only after the whole upload, or held the upload back while the response
/// streams, would wait forever here; every wait is bounded so that shows as a failed cell
/// with the step it stalled on, not a hung run.
extension Checker {
    static let duplexChunkSize = 16 << 10
    static let duplexChunkCount = 8
    static let duplexWaitSeconds = 10

    func duplex(_ spec: Manifest.CheckSpec) async throws {
        // Pseudo-random bytes, so each chunk differs and an echo of the wrong one shows.
        let chunks = Payload(size: Checker.duplexChunkSize * Checker.duplexChunkCount, seed: 0xD0_7E)
            .chunks(of: Checker.duplexChunkSize).chunks
        let (body, feed) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        // However the check ends, the upload ends with it rather than pulling forever.
        defer { feed.finish() }
        let notDuplex = "the request path is not full duplex"
        // The first chunk goes before the head is awaited: the check then holds whether the
        // peer answers at once or after the first bytes, and a client that returns only
        // after the whole upload still stalls here, with the body open.
        feed.yield(chunks[0])
        let response = try await bounded(else: "no response head within \(Checker.duplexWaitSeconds) s while the body was open: \(notDuplex)") {
            try await send("POST", spec.path, body: .stream(body))
        }
        let source = BodyAsSource(response.body)
        for (index, chunk) in chunks.enumerated() {
            if index > 0 { feed.yield(chunk) }
            let echo = try await bounded(else: "chunk \(index) not echoed within \(Checker.duplexWaitSeconds) s: \(notDuplex)") {
                var echo: [UInt8] = []
                while echo.count < chunk.count {
                    guard case .data(let bytes) = try await source.nextPart() else {
                        throw CheckFailure("the response ended after \(echo.count) bytes of chunk \(index)'s echo")
                    }
                    echo += bytes
                }
                return echo
            }
            try CheckFailure.require(echo == chunk, "chunk \(index) came back as \(describe(echo)), sent \(describe(chunk))")
        }
        feed.finish()
        let last = try await bounded(else: "the response did not end within \(Checker.duplexWaitSeconds) s of the request's end") {
            try await source.nextPart()
        }
        guard case .end = last else { throw CheckFailure("bytes after the last echo, where the response should end") }
    }

    /// `operation`'s result, or a `CheckFailure` saying `failure` once `duplexWaitSeconds` have
    /// passed first; the operation is then cancelled (which the client must honour at every
    /// await, so the run goes on).
    private func bounded<T: Sendable>(else failure: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: .seconds(Checker.duplexWaitSeconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let result = try await group.next() ?? nil else { throw CheckFailure(failure) }
            return result
        }
    }
}
