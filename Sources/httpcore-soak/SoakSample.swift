import HTTPCore

/// The process and both ends at one point of a phase.
struct SoakSample: Sendable {
    var requests: Int
    var seconds: Double
    var residentBytes: Int
    var descriptors: Int
    var poolConnections: Int
    var activeRequests: Int
    var queuedRequests: Int
    var serverConnections: Int
    var serverInFlight: Int

    var residentMiB: Double { Double(residentBytes) / Double(1 << 20) }

    static let header = " requests  seconds  RSS MiB   fds  pool conns  active  queued  server conns  in flight"
    static let csvHeader = "protocol,requests,seconds,rss_bytes,fds,pool_connections,active_requests,queued_requests,server_connections,server_in_flight"

    var row: String {
        [
            pad(requests, 9), pad(format(seconds, 1), 8), pad(format(residentMiB, 1), 8), pad(descriptors, 5),
            pad(poolConnections, 11), pad(activeRequests, 7), pad(queuedRequests, 7), pad(serverConnections, 13),
            pad(serverInFlight, 10),
        ].joined(separator: " ")
    }

    func csv(_ wire: String) -> String {
        "\(wire),\(requests),\(format(seconds, 3)),\(residentBytes),\(descriptors),\(poolConnections),\(activeRequests),\(queuedRequests),\(serverConnections),\(serverInFlight)"
    }
}

func pad(_ value: some CustomStringConvertible, _ width: Int) -> String {
    let text = "\(value)"
    return String(repeating: " ", count: max(0, width - text.count)) + text
}

/// `value` with `digits` decimals (Foundation-free).
func format(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((abs(value) * scale).rounded())
    let whole = scaled / Int(scale), fraction = scaled % Int(scale)
    let sign = value < 0 && scaled != 0 ? "-" : ""
    guard digits > 0 else { return "\(sign)\(whole)" }
    let digitsText = String(fraction)
    return "\(sign)\(whole)." + String(repeating: "0", count: digits - digitsText.count) + digitsText
}
