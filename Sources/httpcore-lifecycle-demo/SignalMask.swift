#if canImport(Glibc)
import Glibc
#endif

/// The demo's own signal mask, set before the service group installs its SIGTERM source.
enum SignalMask {
    /// Unblocks SIGTERM in this (the main) thread, before any other thread exists. A child
    /// inherits its parent's signal mask, and one started from a Swift concurrency or
    /// Dispatch thread, as the tests start this demo, inherits SIGTERM blocked
    /// (PLATFORM-NOTES.md). Measured here: the group's handler (libdispatch's signal
    /// source, which installs a handler and reads pending signals) drained the server on
    /// SIGTERM with or without this call; what the call changes is a SIGTERM that arrives
    /// before the group runs, which now ends the process at once, as for any program,
    /// instead of staying pending until the group's handler is installed. The demo behaves the same whoever started it.
    static func unblockTermination() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}
