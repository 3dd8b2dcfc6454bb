/// Numbers as h2load prints them: sizes in decimal units, durations in the largest unit
/// that keeps them above one.
public enum Units {
    /// `512B`, `1.50KB`, `2.10MB`, `3.00GB` (powers of 1000, like h2load's MB/s).
    public static func bytes(_ count: Double) -> String {
        let units: [(Double, String)] = [(1e9, "GB"), (1e6, "MB"), (1e3, "KB")]
        for (size, name) in units where count >= size { return fixed(count / size, 2) + name }
        return fixed(count, 0) + "B"
    }

    /// `850ns`, `12.34us`, `1.23ms`, `2.50s`.
    public static func duration(nanoseconds: Double) -> String {
        if nanoseconds >= 1e9 { return fixed(nanoseconds / 1e9, 2) + "s" }
        if nanoseconds >= 1e6 { return fixed(nanoseconds / 1e6, 2) + "ms" }
        if nanoseconds >= 1e3 { return fixed(nanoseconds / 1e3, 2) + "us" }
        return fixed(nanoseconds, 0) + "ns"
    }

    public static func duration(_ duration: Duration) -> String { Self.duration(nanoseconds: duration.nanoseconds) }

    /// `value` with exactly `decimals` digits after the point (no Foundation formatter).
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard decimals > 0 else { return sign + "\(whole)" }
        let digits = String(fraction)
        return sign + "\(whole)." + String(repeating: "0", count: decimals - digits.count) + digits
    }
}

extension Duration {
    /// The duration in nanoseconds, as a `Double`.
    public var nanoseconds: Double { Double(components.seconds) * 1e9 + Double(components.attoseconds) / 1e9 }
}
