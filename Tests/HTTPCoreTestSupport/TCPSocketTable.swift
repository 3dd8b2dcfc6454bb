import Foundation

/// This process's open TCP sockets, found by matching the socket inodes of /proc/self/fd
/// with /proc/self/net/tcp and tcp6. Counting only sockets to given addresses (a fault
/// test's namespace) shows a leaked descriptor without a process-wide baseline, which
/// other suites running in parallel would move.
package enum TCPSocketTable {
    /// Descriptors whose TCP socket has `addresses` (IPv4, dotted) as its local or remote
    /// address, in any state.
    package static func openDescriptors(matching addresses: [String]) -> Int {
        let wanted = Set(addresses.compactMap(procHex))
        var inodes: Set<String> = []
        for file in ["/proc/self/net/tcp", "/proc/self/net/tcp6"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                let fields = line.split(separator: " ")
                guard fields.count > 9 else { continue }
                let ends = [fields[1], fields[2]].map { ipv4Hex(ofEnd: $0) }
                if ends.contains(where: { $0.map(wanted.contains) ?? false }) { inodes.insert(String(fields[9])) }
            }
        }
        guard !inodes.isEmpty, let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return 0 }
        return descriptors.filter { descriptor in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)"),
                  target.hasPrefix("socket:["), target.hasSuffix("]")
            else { return false }
            return inodes.contains(String(target.dropFirst(8).dropLast()))
        }.count
    }

    /// An address as /proc/net/tcp prints it: the four bytes as one host-order (little
    /// endian) word in hex, so 10.77.5.2 is "02054D0A".
    static func procHex(_ address: String) -> String? {
        let octets = address.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4 else { return nil }
        return octets.reversed().map { String(format: "%02X", $0) }.joined()
    }

    /// The IPv4 part of an `ADDRESS:PORT` end: the whole address from tcp, or from tcp6
    /// an IPv4-mapped address (::ffff:a.b.c.d, whose third word prints as "FFFF0000").
    private static func ipv4Hex(ofEnd end: Substring) -> String? {
        guard let colon = end.firstIndex(of: ":") else { return nil }
        let address = end[..<colon]
        switch address.count {
        case 8: return String(address)
        case 32 where address.hasPrefix("0000000000000000FFFF0000"): return String(address.suffix(8))
        default: return nil
        }
    }
}
