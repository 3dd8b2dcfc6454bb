public import HTTPCore

/// The `NetworkBackend` seam's contract as checks a backend's own tests can run: echo over
/// TCP and Unix sockets, 64 MiB each way, a thousand connections, refused and timed-out
/// and cancelled connects, resets, read and write deadlines, cancellation, close, local
/// address and socket options, each with the `HTTPCoreError` code and category the layers
/// above branch on. The project's libuv, Dispatch and mock backends run these same checks
/// (Tests/HTTPCoreBackendTests/BackendConformanceTests.swift).
///
/// A plain function API that throws `BackendConformanceFailure`, rather than Swift Testing
/// expectations: the library then depends on HTTPCore only, and a third party calls it
/// from whatever test framework they use:
///
///     @Test(arguments: BackendConformance.Check.allCases)
///     func conformance(check: BackendConformance.Check) async throws {
///         try await BackendConformance.run(check, on: BackendConformance.Subject { MyBackend() })
///     }
///
/// A check stops at its first failed condition.
public enum BackendConformance {
    /// One part of the contract.
    public enum Check: String, CaseIterable, Sendable, CustomStringConvertible {
        case echoOverTCP, echoOverUnixSocket, transfer64MiBEachWayWithChecksum, thousandConcurrentConnections
        case connectRefused, connectTimeout, connectCancellation, peerResetMidRead, readTimeoutLeavesTheStreamUsable
        case writeBackpressureAgainstASlowReader, readAndWriteCancellation, closeWithAPendingRead
        case localAddressBind, socketOptionsApplied

        public var description: String { rawValue }

        /// Whether the check applies to `subject`: binding a local address needs real
        /// sockets (`Subject.bindsLocalAddresses`); every other check applies to all.
        public func applies(to subject: Subject) -> Bool {
            self != .localAddressBind || subject.bindsLocalAddresses
        }

        /// The checks that apply to `subject`.
        public static func all(for subject: Subject) -> [Check] { allCases.filter { $0.applies(to: subject) } }
    }

    /// The backend under test, and what the checks need to drive it the same way whether
    /// it runs on the kernel's sockets or is scripted in memory.
    public struct Subject: Sendable {
        /// A fresh backend per check.
        public var makeBackend: @Sendable () -> any NetworkBackend
        /// Releases a backend after its check (loop threads, queues).
        public var shutdown: @Sendable (any NetworkBackend) async -> Void
        /// Reads a socket option back from a stream (for `socketOptionsApplied` on real
        /// sockets); nil for a scripted backend, which reports `Scripting.connectOptions`.
        public var socketOption: (@Sendable (any NetworkStream, _ level: Int32, _ name: Int32) async -> Int32?)?
        /// Whether `ConnectOptions.localAddress` binds a real address (127.0.0.2 here).
        public var bindsLocalAddresses: Bool
        /// For a backend without the kernel behind it; nil for real sockets.
        public var scripting: Scripting?

        public init(
            bindsLocalAddresses: Bool = true,
            socketOption: (@Sendable (any NetworkStream, _ level: Int32, _ name: Int32) async -> Int32?)? = nil,
            scripting: Scripting? = nil,
            shutdown: @escaping @Sendable (any NetworkBackend) async -> Void = { _ in },
            makeBackend: @escaping @Sendable () -> any NetworkBackend
        ) {
            self.makeBackend = makeBackend
            self.shutdown = shutdown
            self.socketOption = socketOption
            self.bindsLocalAddresses = bindsLocalAddresses
            self.scripting = scripting
        }
    }

    /// What a scripted backend (the project's mock) is told where a real one meets the
    /// kernel: how the next connect ends, and a manual clock to move.
    public struct Scripting: Sendable {
        public enum Connect: Sendable {
            /// Refused, as by a port with no listener.
            case refuse
            /// Never answered, as a SYN dropped: ends at its timeout or cancellation.
            case hang
            /// Succeeds, to a peer that sends nothing.
            case silentPeer
        }

        /// Stages the next connect's outcome.
        public var expectConnect: @Sendable (any NetworkBackend, Connect) -> Void
        /// The options each connect so far was made with, in order.
        public var connectOptions: @Sendable (any NetworkBackend) -> [ConnectOptions]
        /// Returns once the code under test has armed `count` timers on the backend's clock.
        public var waitForTimers: @Sendable (any NetworkBackend, _ count: Int) async throws -> Void
        /// Moves the backend's clock by `duration`.
        public var advanceClock: @Sendable (any NetworkBackend, Duration) -> Void

        public init(
            expectConnect: @escaping @Sendable (any NetworkBackend, Connect) -> Void,
            connectOptions: @escaping @Sendable (any NetworkBackend) -> [ConnectOptions],
            waitForTimers: @escaping @Sendable (any NetworkBackend, _ count: Int) async throws -> Void,
            advanceClock: @escaping @Sendable (any NetworkBackend, Duration) -> Void
        ) {
            self.expectConnect = expectConnect
            self.connectOptions = connectOptions
            self.waitForTimers = waitForTimers
            self.advanceClock = advanceClock
        }
    }

    /// Runs `check` against a fresh backend from `subject`, and shuts the backend down
    /// however the check ends. Throws `BackendConformanceFailure` at the first condition
    /// that does not hold (or an error the backend threw where none was expected).
    public static func run(_ check: Check, on subject: Subject) async throws {
        let fixture = ConformanceFixture(subject: subject, backend: subject.makeBackend(), check: check)
        do {
            try await fixture.run()
        } catch {
            await subject.shutdown(fixture.backend)
            throw error
        }
        await subject.shutdown(fixture.backend)
    }
}
