// Echo round trips on loopback for each backend: a server process (this binary with
// `server`) echoes; the client process measures round trips per second and its own CPU
// time (user + system) per round trip, with 1 and 100 connections.
//
// Usage: echo-bench [seconds-per-case]        (default 3)
//        echo-bench server <libuv|dispatch> <port>
import BenchSupport
import Foundation
import HTTPCore
import HTTPCoreDispatch
import HTTPCoreLibUV

func makeBackend(_ name: String) -> any NetworkBackend {
    name == "libuv" ? LibUVBackend(loopCount: 1) : DispatchBackend(queueCount: 1)
}

func serve(_ name: String, port: Int) async throws {
    let backend = makeBackend(name)
    let listener = try await backend.listenTCP(host: "127.0.0.1", port: port, options: ListenOptions())
    FileHandle.standardOutput.write(Data("ready\n".utf8))
    await withTaskGroup(of: Void.self) { group in
        while let stream = try? await listener.accept() {
            group.addTask(executorPreference: stream.preferredTaskExecutor) {
                while let bytes = try? await stream.read(maxBytes: 65536) {
                    if (try? await stream.write(bytes)) == nil { break }
                }
                await stream.close()
            }
        }
    }
}

struct Result { var roundTrips: Int; var seconds: Double; var cpu: Double }

func measure(_ name: String, port: Int, connections: Int, seconds: Double) async throws -> Result {
    let backend = makeBackend(name)
    var streams: [any NetworkStream] = []
    for _ in 0..<connections { streams.append(try await backend.connectTCP(host: "127.0.0.1", port: port, options: ConnectOptions())) }
    let message = [UInt8](repeating: 0x61, count: 64)
    let deadline = Date().addingTimeInterval(seconds)
    let cpuStart = cpuSeconds()
    let start = Date()
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
        for stream in streams {
            group.addTask(executorPreference: stream.preferredTaskExecutor) {
                var count = 0
                while true {
                    if count % 64 == 0, Date() >= deadline { break }
                    try await stream.write(message)
                    var received = 0
                    while received < message.count {
                        guard let bytes = try await stream.read(maxBytes: 65536) else { throw HTTPCoreError(.truncatedResponse, "echo closed") }
                        received += bytes.count
                    }
                    count += 1
                }
                return count
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = Date().timeIntervalSince(start)
    let cpu = cpuSeconds() - cpuStart
    for stream in streams { await stream.close() }
    if let backend = backend as? LibUVBackend { await backend.shutdown() }
    return Result(roundTrips: total, seconds: elapsed, cpu: cpu)
}

let arguments = CommandLine.arguments
if arguments.count >= 4, arguments[1] == "server" {
    try await serve(arguments[2], port: Int(arguments[3])!)
    exit(0)
}
let seconds = arguments.count >= 2 ? Double(arguments[1]) ?? 3 : 3

print("| backend | connections | round trips/s | client CPU µs per round trip |")
print("|---|---:|---:|---:|")
for name in ["libuv", "dispatch"] {
    let port = Int.random(in: 30000...40000)
    let server = Process()
    server.executableURL = URL(fileURLWithPath: arguments[0])
    server.arguments = ["server", name, String(port)]
    let pipe = Pipe()
    server.standardOutput = pipe
    try server.run()
    _ = pipe.fileHandleForReading.availableData  // "ready"
    for connections in [1, 100] {
        let result = try await measure(name, port: port, connections: connections, seconds: seconds)
        let rate = Double(result.roundTrips) / result.seconds
        let cpu = result.cpu / Double(result.roundTrips) * 1e6
        print("| \(name) | \(connections) | \(Int(rate)) | \(String(format: "%.1f", cpu)) |")
    }
    server.terminate()
    server.waitUntilExit()
}
