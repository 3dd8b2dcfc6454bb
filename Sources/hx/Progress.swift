import HXCore

/// The download progress bar on stderr, redrawn at most ten times a second, left on
/// screen with its final figures when the body ends.
final class Progress {
    private let total: Int?
    private let start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private var received = 0

    init(total: Int?) { self.total = total }

    func add(_ count: Int) {
        received += count
        let now = ContinuousClock.now
        if let lastDraw, now - lastDraw < .milliseconds(100) { return }
        lastDraw = now
        draw()
    }

    func finish() {
        draw()
        StandardIO.write("\n", to: StandardIO.error)
    }

    private func draw() {
        let width = StandardIO.terminalWidth(StandardIO.error) ?? 80
        let line = ProgressBar.line(received: received, total: total, elapsed: .now - start, width: width)
        StandardIO.write("\r" + line + "\u{1B}[K", to: StandardIO.error)
    }
}
