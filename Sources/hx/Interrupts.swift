import Dispatch
import HXCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Turns Ctrl-C (SIGINT) into cancellation of the running command, so hx unwinds like any
/// cancelled task: streams reset, connections closed, the pool shut down, the progress line
/// ended, and exit 130 with a message. A second SIGINT exits at once, for a peer that
/// never lets go.
enum Interrupts {
    /// How many SIGINTs arrived.
    private static let count = Atomic<Int>(0)

    /// Routes SIGINT to cancelling `task` for the rest of the process. The returned source
    /// must be kept alive while `task` runs.
    static func cancel<T, E>(_ task: Task<T, E>) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)  // delivered to the source below instead of killing hx
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if count.add(1, ordering: .relaxed).newValue > 1 {
                StandardIO.write("\n", to: StandardIO.error)
                _exit(ExitStatus.cancelled.rawValue)
            }
            task.cancel()
        }
        source.resume()
        return source
    }

    /// Whether Ctrl-C was pressed: a cancellation hx sees was the user's, not a timeout's.
    static var happened: Bool { count.load(ordering: .relaxed) > 0 }
}
