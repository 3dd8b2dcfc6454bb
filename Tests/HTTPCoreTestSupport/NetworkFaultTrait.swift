import HTTPCore
package import Testing

extension Trait where Self == ConditionTrait {
    /// Runs a test only where `NetworkNamespace.permitted()` says namespaces, veth,
    /// iptables and tc work. Elsewhere the test is reported skipped, and the reason (the
    /// probe's finding) is printed once to stdout: never a silent pass.
    package static var networkNamespaces: Self {
        .enabled("needs network namespaces, veth, iptables and tc tbf (root); the reason is printed above") {
            guard let reason = await NetworkNamespace.permitted() else { return true }
            let first = skipReported.withLock { reported in
                defer { reported = true }
                return !reported
            }
            if first { print("SKIP network fault tests: \(reason)") }
            return false
        }
    }
}

private let skipReported = Locked(false)
