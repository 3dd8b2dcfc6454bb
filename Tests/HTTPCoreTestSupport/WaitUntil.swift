package import Testing

/// Polls (yielding, never sleeping) until `condition` holds.
package func waitUntil(_ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool) async {
    for _ in 0..<200_000 {
        if condition() { return }
        await Task.yield()
    }
    Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
}
