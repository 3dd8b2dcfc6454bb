import HTTPCore
import HTTPCoreDispatch
import HTTPCoreLibUV

/// The transports every row runs over: the same checks on each, so a bug that only one
/// backend's read or write path has still shows.
enum BackendKind: String, CaseIterable, Sendable {
    case libuv
    case dispatch

    /// One loop (or queue): the checks run one at a time.
    func make() -> (any NetworkBackend, any TaskExecutor) {
        switch self {
        case .libuv:
            let backend = LibUVBackend(loopCount: 1)
            return (backend, backend.taskExecutors[0])
        case .dispatch:
            let backend = DispatchBackend(queueCount: 1)
            return (backend, backend.taskExecutors[0])
        }
    }

    /// Joins libuv's loop thread; Dispatch's queue needs nothing.
    static func shutDown(_ backend: any NetworkBackend) async {
        if let backend = backend as? LibUVBackend { await backend.shutdown() }
    }
}
