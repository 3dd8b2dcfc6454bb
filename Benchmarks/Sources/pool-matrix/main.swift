// This project's pool in scripts/bench-matrix.sh: one matrix cell per process, with the
// same arguments as ahc-bench and httpx_bench.py, then the backend.
//
// Usage: pool-matrix get|post ... (MatrixCase.usage) <libuv|dispatch>
//
// Its own executable, without Foundation, so the process pays for what an application
// on this library pays (the Swift runtime and the library) and not for loading
// Foundation and ICU, which pool-bench's other modes use: start-up counts here, as it
// does for every client in the matrix.
import BenchSupport
import HTTPCore
import HTTPCoreDispatch
import HTTPCoreLibUV
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard let cell = MatrixCase(arguments.dropFirst().dropLast()), let choice = arguments.last, choice == "libuv" || choice == "dispatch" else {
    print("usage: pool-matrix \(MatrixCase.usage) <libuv|dispatch>")
    exit(2)
}
let backend: any NetworkBackend = choice == "libuv" ? LibUVBackend(loopCount: 1) : DispatchBackend(queueCount: 1)
await MatrixRun(cell: cell, backend: backend).run()
if let backend = backend as? LibUVBackend { await backend.shutdown() }
