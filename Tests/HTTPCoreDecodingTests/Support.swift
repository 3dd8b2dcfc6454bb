import Foundation
import HTTPCore
import HTTPCoreDecoding
import HTTPTypes
import Testing

/// A text-like payload: compressible, but not trivially (a counter in every line).
func samplePayload(lines: Int) -> [UInt8] {
    var text = ""
    for line in 0..<lines {
        text += "line \(line): the quick brown fox jumps over the lazy dog \(line * 7919 % 1000)\n"
    }
    return Array(text.utf8)
}

/// Bytes that do not compress (a 64-bit LCG).
func incompressible(_ count: Int, seed: UInt64 = 42) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 56)
    }
}

/// Compresses `bytes` with `coding` through the same C libraries (brotli: the `brotli` CLI
/// from Debian's `brotli` package, since the library links only the decoder).
func compress(_ bytes: [UInt8], _ coding: ContentCoding) throws -> [UInt8] {
    switch coding {
    case .gzip: ZlibDeflater.compress(bytes, .gzip)
    case .deflate: ZlibDeflater.compress(bytes, .zlib)
    case .zstd: ZstdCompression.compress(bytes)
    case .brotli: try brotliCLI(bytes)
    }
}

func brotliCLI(_ bytes: [UInt8]) throws -> [UInt8] {
    let path = "/usr/bin/brotli"
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw HTTPCoreError(.connectFailed, "brotli is not installed: run scripts/install-deps.sh (apt-get install brotli)")
    }
    let input = FileManager.default.temporaryDirectory.appendingPathComponent("httpcore-br-\(UUID().uuidString)")
    try Data(bytes).write(to: input)
    defer { try? FileManager.default.removeItem(at: input) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = ["-c", input.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw HTTPCoreError(.connectFailed, "brotli exited \(process.terminationStatus)") }
    return Array(output)
}

/// Feeds `chunks` to a `BodyDecoder` one at a time, draining after each, then finishes.
func decode(_ chunks: [[UInt8]], contentEncoding: String, policy: DecodingPolicy = DecodingPolicy()) throws -> [UInt8] {
    let decoder = try BodyDecoder(contentEncoding: contentEncoding, policy: policy)
    var output: [UInt8] = []
    for chunk in chunks {
        decoder.feed(chunk)
        while let decoded = try decoder.next() { output += decoded }
    }
    decoder.finishInput()
    while let decoded = try decoder.next() { output += decoded }
    #expect(decoder.isFinished)
    return output
}

func split(_ bytes: [UInt8], every size: Int) -> [[UInt8]] {
    stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
}

/// A body source over scripted chunks that records whether it was released.
final class ScriptedBodySource: ResponseBodySource, @unchecked Sendable {
    // @unchecked: state is behind `state`'s lock.
    private let state: Locked<(chunks: ArraySlice<[UInt8]>, released: Bool, reads: Int)>
    private let trailers: HTTPFields?

    init(_ chunks: [[UInt8]], trailers: HTTPFields? = nil) {
        state = Locked((chunks[...], false, 0))
        self.trailers = trailers
    }

    var released: Bool { state.withLock { $0.released } }
    var reads: Int { state.withLock { $0.reads } }

    func nextPart() async throws -> ResponseBodyPart {
        state.withLock { state in
            state.reads += 1
            return state.chunks.popFirst().map { .data($0) } ?? .end(trailers)
        }
    }

    func release() { state.withLock { $0.released = true } }
}

/// Peak resident memory since the last `resetPeakResidentMemory()` (VmHWM), in bytes.
func peakResidentMemory() -> Int { statusField("VmHWM") }
func residentMemory() -> Int { statusField("VmRSS") }

/// Resets VmHWM to the current RSS (Linux 4.0+: "5" to /proc/self/clear_refs).
func resetPeakResidentMemory() -> Bool {
    (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
}

private func statusField(_ name: String) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
        let number = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } ?? 0
        return number * 1024
    }
    return 0
}
