import Foundation
import HTTPCore

/// A network namespace joined to this one by a veth pair, for fault tests: a peer runs
/// inside it on `peerAddress`, and the test breaks the link between the two ends with
/// iptables (blackhole, reset) and tc (a slow link) without touching anything else.
///
///     let namespace = try await NetworkNamespace.create()
///     defer { namespace.destroy() }
///     let peer = try await namespace.start(["/usr/bin/python3", script, namespace.peerAddress])
///     try await namespace.blackhole()
///
/// Each namespace gets its own subnet 10.77.N.0/30 (this side .1, the namespace .2), so
/// tests run in parallel, and so do test processes: N is claimed by creating the host-side
/// interface `hcfNh`, which fails if another process holds it. Namespaces are named
/// `hcf-PID-N`; one left by a killed run (its PID gone) is removed by the next `create()`.
/// Needs root (or CAP_NET_ADMIN), iproute2 and iptables: `permitted()` says why not.
package final class NetworkNamespace: Sendable {
    package let name: String
    /// The third octet of the subnet, unique among live namespaces on the machine.
    package let index: Int
    /// This side of the veth pair (the root namespace).
    package var hostAddress: String { "10.77.\(index).1" }
    /// The namespace's side: where a peer inside listens.
    package var peerAddress: String { "10.77.\(index).2" }
    /// The interface names: `hostInterface` here, `peerInterface` inside the namespace.
    package var hostInterface: String { "hcf\(index)h" }
    package let peerInterface = "veth0"

    private init(name: String, index: Int) {
        self.name = name
        self.index = index
    }

    /// Which end of the link a qdisc shapes: traffic leaving the namespace (towards this
    /// side: downloads) or leaving this side (towards the peer: uploads).
    package enum Direction: Sendable { case fromPeer, toPeer }

    private static let ip = "/usr/sbin/ip"
    private static let iptables = "/usr/sbin/iptables"
    private static let tc = "/usr/sbin/tc"
    private static let ss = "/usr/bin/ss"
    private static let prefix = "hcf-"

    // MARK: - Availability

    /// Nil when namespaces, veth, iptables and tbf all work here; otherwise why not, for a
    /// test to print when it skips. Tries each once per process, on a throwaway namespace.
    package static func permitted() async -> String? {
        await probe.value
    }

    private static let probe = Task<String?, Never> {
        for tool in [ip, iptables, tc, ss] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is missing: run scripts/install-deps.sh (iproute2, iptables)"
        }
        do {
            let namespace = try await create()
            try await withTeardown {
                try await namespace.blackhole()
                try await namespace.clearRules()
                try await namespace.shape(.fromPeer, rateKbit: 1000)
                try await namespace.unshape(.fromPeer)
            } teardown: {
                await namespace.destroy()
            }
            return nil
        } catch {
            return "network namespaces are not usable here (need root with CAP_NET_ADMIN, iproute2, iptables, tc tbf): \(error)"
        }
    }

    // MARK: - Life cycle

    /// Claims a subnet, creates the namespace and the veth pair, and brings both ends up.
    package static func create() async throws -> NetworkNamespace {
        await removeStale.value
        let pid = getpid()
        for _ in 0..<64 {
            let index = nextIndex.withLock { index -> Int in
                defer { index = index % 254 + 1 }
                return index
            }
            let name = "\(prefix)\(pid)-\(index)"
            try await run(ip, ["netns", "add", name])
            let namespace = NetworkNamespace(name: name, index: index)
            // Fails with "File exists" when another process holds this index.
            let claimed = try await runStatus(ip, ["link", "add", namespace.hostInterface, "type", "veth", "peer", "name", namespace.peerInterface, "netns", name])
            guard claimed.status == 0 else {
                _ = try? await runStatus(ip, ["netns", "del", name])
                if claimed.output.contains("File exists") { continue }
                throw HarnessError("ip link add \(namespace.hostInterface): \(claimed.output)")
            }
            do {
                try await run(ip, ["addr", "add", "\(namespace.hostAddress)/30", "dev", namespace.hostInterface])
                try await run(ip, ["link", "set", namespace.hostInterface, "up"])
                try await namespace.exec(ip, ["addr", "add", "\(namespace.peerAddress)/30", "dev", namespace.peerInterface])
                try await namespace.exec(ip, ["link", "set", namespace.peerInterface, "up"])
                try await namespace.exec(ip, ["link", "set", "lo", "up"])
            } catch {
                await namespace.destroy()
                throw error
            }
            return namespace
        }
        throw HarnessError("no free 10.77.N.0/30 subnet: 64 attempts found every hcfNh interface taken")
    }

    /// Removes the veth pair (both ends go together) and the namespace, and with it every
    /// iptables rule and qdisc; processes still inside are not killed (stop them first).
    /// Off the cooperative threads: the kernel can take hundreds of milliseconds to tear a
    /// namespace down, and a test beside this one waits for a timer on those threads.
    package func destroy() async {
        _ = try? await Self.runStatus(Self.ip, ["link", "del", hostInterface])
        _ = try? await Self.runStatus(Self.ip, ["netns", "del", name])
    }

    /// The index the next `create()` tries first; starts from the PID so that concurrent
    /// test processes rarely collide.
    private static let nextIndex = Locked(Int(getpid()) % 254 + 1)

    /// Namespaces of test processes that no longer exist, and their host interfaces.
    private static let removeStale = Task<Void, Never> {
        guard let list = try? await runStatus(ip, ["netns", "list"]) else { return }
        for line in list.output.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            guard name.hasPrefix(prefix) else { continue }
            let parts = name.dropFirst(prefix.count).split(separator: "-")
            guard parts.count == 2, let pid = Int32(parts[0]), let index = Int(parts[1]) else { continue }
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            _ = try? await runStatus(ip, ["link", "del", "hcf\(index)h"])
            _ = try? await runStatus(ip, ["netns", "del", name])
        }
    }

    // MARK: - Faults

    /// Drops every TCP packet in and out of the namespace: the peer vanishes without a FIN
    /// or RST, and what either side sends is lost. `clearRules()` lifts it.
    package func blackhole() async throws {
        try await exec(Self.iptables, ["-w", "-A", "INPUT", "-p", "tcp", "-j", "DROP"])
        try await exec(Self.iptables, ["-w", "-A", "OUTPUT", "-p", "tcp", "-j", "DROP"])
    }

    /// Answers every TCP segment that reaches the namespace with a RST: the next packet
    /// this side sends on a connection (data, or the ACK of received data) resets it.
    package func resetConnections() async throws {
        try await exec(Self.iptables, ["-w", "-A", "INPUT", "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"])
    }

    /// Removes every rule `blackhole()` and `resetConnections()` added.
    package func clearRules() async throws {
        try await exec(Self.iptables, ["-w", "-F", "INPUT"])
        try await exec(Self.iptables, ["-w", "-F", "OUTPUT"])
    }

    /// Destroys the namespace's TCP sockets to `hostAddress` in the kernel (`ss -K`), as if
    /// the peer's machine had rebooted: with `blackhole()` on, not even its RST gets out.
    package func forgetConnections() async throws {
        try await exec(Self.ss, ["-K", "dst", hostAddress])
    }

    /// Limits the link to `rateKbit` kbit/s in one direction with a token bucket (tc tbf:
    /// netem is not in every kernel). The burst is one 1500-byte packet plus a little, and
    /// packets queue up to `latency` before they are dropped.
    package func shape(_ direction: Direction, rateKbit: Int, burstBytes: Int = 4096, latency: Duration = .seconds(5)) async throws {
        let milliseconds = latency.components.seconds * 1000 + latency.components.attoseconds / 1_000_000_000_000_000
        let arguments = ["qdisc", "replace", "dev", direction == .fromPeer ? peerInterface : hostInterface, "root", "tbf",
                         "rate", "\(rateKbit)kbit", "burst", "\(burstBytes)", "latency", "\(milliseconds)ms"]
        switch direction {
        case .fromPeer: try await exec(Self.tc, arguments)
        case .toPeer: try await Self.run(Self.tc, arguments)
        }
    }

    /// Removes the qdisc `shape` added in `direction`.
    package func unshape(_ direction: Direction) async throws {
        switch direction {
        case .fromPeer: try await exec(Self.tc, ["qdisc", "del", "dev", peerInterface, "root"])
        case .toPeer: try await Self.run(Self.tc, ["qdisc", "del", "dev", hostInterface, "root"])
        }
    }

    // MARK: - Processes inside

    /// Runs `executable` inside the namespace to completion; throws on a non-zero status.
    @discardableResult
    package func exec(_ executable: String, _ arguments: [String]) async throws -> String {
        try await Self.run(Self.ip, ["netns", "exec", name, executable] + arguments)
    }

    /// Starts a long-running `executable` inside the namespace, its output in a file.
    /// `ip netns exec` execs the command in place, so the process (and its PID, for
    /// `signal`) is the command itself.
    package func start(_ executable: String, _ arguments: [String]) throws -> NamespacedProcess {
        try NamespacedProcess(executable: Self.ip, arguments: ["netns", "exec", name, executable] + arguments)
    }

    // MARK: - Descriptors

    /// This process's TCP sockets (open descriptors) whose local or remote address is
    /// `peerAddress` or `hostAddress`: the connections to this namespace that are still
    /// open. Other tests' sockets never match, so this works while they run.
    package func openSockets() -> Int {
        TCPSocketTable.openDescriptors(matching: [hostAddress, peerAddress])
    }

    // MARK: - Commands

    @discardableResult
    private static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let result = try await runStatus(executable, arguments)
        guard result.status == 0 else {
            throw HarnessError("\(executable) \(arguments.joined(separator: " ")) exited with \(result.status): \(result.output)")
        }
        return result.output
    }

    /// Runs a command off Swift's cooperative threads (it blocks while it waits). Not on
    /// `DispatchQueue.global()`, which on Linux is where those threads come from: CI's
    /// machine took long enough over `ip netns` and `tc` that the fault tests' timers,
    /// firing on time, reached their tasks 500 ms late (+51% against a 10% bound).
    private static func runStatus(_ executable: String, _ arguments: [String]) async throws -> HarnessProcess.Result {
        try await offCooperativeThreads { try HarnessProcess.run(executable, arguments, timeout: .seconds(30)) }
    }
}
