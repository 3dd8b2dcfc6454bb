#if canImport(Glibc)
import Glibc
#endif

/// The process's resident memory and open descriptors, read from /proc (Linux).
enum ProcessGauges {
    /// Resident set size in bytes: the second field of /proc/self/statm, in pages.
    static func residentBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return 0 }
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }

    /// Open descriptors: the entries of /proc/self/fd, less the one reading it.
    static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let first = withUnsafeBytes(of: entry.pointee.d_name) { $0.first ?? 0 }
            if first != UInt8(ascii: ".") { count += 1 }
        }
        return count - 1
    }

    /// What each open descriptor is ("socket:[123]", "anon_inode:[eventpoll]", a path),
    /// for a report of descriptors left open.
    static func descriptorTargets() -> [String] {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        var targets: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !name.hasPrefix(".") else { continue }
            var buffer = [CChar](repeating: 0, count: 512)
            let count = buffer.withUnsafeMutableBufferPointer { readlink("/proc/self/fd/" + name, $0.baseAddress!, $0.count) }
            let target = count > 0 ? String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
            targets.append("\(name) -> \(target)")
        }
        return targets
    }
}
