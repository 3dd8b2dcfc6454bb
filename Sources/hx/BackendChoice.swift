import ArgumentParser
import HTTPCore
import HTTPCoreDispatch
import HTTPCoreLibUV

/// `--backend libuv|dispatch`.
enum BackendChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case libuv, dispatch

    /// A backend with `loops` event-loop threads (libuv) or serial queues (Dispatch).
    func make(loops: Int) -> any NetworkBackend {
        switch self {
        case .libuv: LibUVBackend(loopCount: loops)
        case .dispatch: DispatchBackend(queueCount: loops)
        }
    }

    /// The backend's loops (libuv) or queues (Dispatch) as task executors.
    static func taskExecutors(of backend: any NetworkBackend) -> [any TaskExecutor] {
        (backend as? LibUVBackend)?.taskExecutors ?? (backend as? DispatchBackend)?.taskExecutors ?? []
    }

    /// Joins libuv's loop threads; Dispatch's queues need nothing.
    static func shutDown(_ backend: any NetworkBackend) async {
        if let backend = backend as? LibUVBackend { await backend.shutdown() }
    }
}
