/// The command line: `httpcore-soak [--requests N] [--protocol http1|http2|both]
/// [--workers N] [--seed N] [--cancel-percent N] [--fault-every N] [--backend
/// libuv|dispatch] [--max-growth-mib N] [--csv FILE]`.
struct SoakOptions {
    enum Wire: String, CaseIterable { case http1, http2 }
    enum BackendKind: String { case libuv, dispatch }

    var requests = 1_000_000
    var wires: [Wire] = Wire.allCases
    var workers = 32
    var seed: UInt64 = 1
    var cancelPercent = 20
    var faultEvery = 1_000
    var backend = BackendKind.libuv
    /// Resident memory may grow at most this much after warm-up (the first 10%).
    var maxGrowthMiB = 16
    var csvPath: String?

    static let usage = """
        usage: httpcore-soak [--requests N] [--protocol http1|http2|both] [--workers N] [--seed N]
                             [--cancel-percent N] [--fault-every N] [--backend libuv|dispatch]
                             [--max-growth-mib N] [--csv FILE]
        """

    struct Invalid: Error, CustomStringConvertible { let description: String }

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        func value(_ name: String) throws -> String {
            guard let value = rest.popFirst() else { throw Invalid(description: "\(name) needs a value") }
            return value
        }
        func number(_ name: String, atLeast minimum: Int) throws -> Int {
            let text = try value(name).filter { $0 != "_" && $0 != "," }
            guard let number = Int(text), number >= minimum else { throw Invalid(description: "\(name): not a number >= \(minimum): \(text)") }
            return number
        }
        while let name = rest.popFirst() {
            switch name {
            case "--requests": requests = try number(name, atLeast: 1)
            case "--workers": workers = try number(name, atLeast: 1)
            case "--seed": seed = UInt64(try number(name, atLeast: 0))
            case "--cancel-percent": cancelPercent = min(100, try number(name, atLeast: 0))
            case "--fault-every": faultEvery = try number(name, atLeast: 0)
            case "--max-growth-mib": maxGrowthMiB = try number(name, atLeast: 0)
            case "--csv": csvPath = try value(name)
            case "--protocol":
                let text = try value(name)
                if text == "both" {
                    wires = Wire.allCases
                } else if let wire = Wire(rawValue: text) {
                    wires = [wire]
                } else {
                    throw Invalid(description: "--protocol: http1, http2 or both, not \(text)")
                }
            case "--backend":
                let text = try value(name)
                guard let kind = BackendKind(rawValue: text) else { throw Invalid(description: "--backend: libuv or dispatch, not \(text)") }
                backend = kind
            default:
                throw Invalid(description: "unknown argument \(name)")
            }
        }
    }
}
