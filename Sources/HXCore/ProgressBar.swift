/// One line of download progress for a terminal, redrawn in place (`\r`):
///
///     [##########..........]  50%  2.10MB / 4.19MB  10.52MB/s
///     2.10MB  10.52MB/s  0.2s          (length unknown)
public enum ProgressBar {
    public static func line(received: Int, total: Int?, elapsed: Duration, width: Int) -> String {
        let seconds = elapsed.nanoseconds / 1e9
        let rate = seconds > 0 ? Units.bytes(Double(received) / seconds) + "/s" : "-"
        guard let total, total > 0 else {
            return clip("\(Units.bytes(Double(received)))  \(rate)  \(Units.fixed(seconds, 1))s", width)
        }
        let fraction = min(1, Double(received) / Double(total))
        let percent = Int(fraction * 100)
        let tail = "  \(String(repeating: " ", count: 3 - String(percent).count))\(percent)%  "
            + "\(Units.bytes(Double(received))) / \(Units.bytes(Double(total)))  \(rate)"
        let barWidth = width - tail.count - 3
        guard barWidth >= 10 else { return clip(tail.trimmingLeadingSpaces, width) }
        let filled = Int(fraction * Double(barWidth))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]" + tail
    }

    /// At most `width - 1` characters, so the cursor never wraps to a new line.
    private static func clip(_ text: String, _ width: Int) -> String {
        String(text.prefix(max(1, width - 1)))
    }
}

extension String {
    var trimmingLeadingSpaces: String { String(drop { $0 == " " }) }
}
