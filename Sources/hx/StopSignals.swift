import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// What ends `hx serve`: SIGTERM (a service manager, `kill`) through a signal source, or
/// SIGINT, which `Interrupts` turns into cancelling the command's task. Either way the
/// server shuts down gracefully and hx exits 0.
struct StopSignals {
    private let terms: AsyncStream<Void>
    private let source: any DispatchSourceSignal

    init() {
        let (terms, continuation) = AsyncStream.makeStream(of: Void.self)
        signal(SIGTERM, SIG_IGN)  // delivered to the source below instead of killing hx
        let source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        source.setEventHandler { continuation.yield() }
        source.resume()
        self.terms = terms
        self.source = source
    }

    /// Returns at the first SIGTERM, or when the task is cancelled (SIGINT).
    func next() async {
        for await _ in terms { break }
        source.cancel()
    }
}
