import Foundation

/// What `run.sh` started, written as JSON: where each peer listens, how each check reaches
/// it, and why a cell does not apply. Keeping these facts next to the peer configurations
/// (in run.sh) means the Swift side knows no peer by name.
struct Manifest: Decodable {
    /// Holds the files the peers serve, for the expected bytes and digests.
    var docroot: String
    /// The CA that signed every peer's certificate (for `localhost`).
    var ca: String
    var peers: [Peer]

    struct Peer: Decodable {
        var name: String
        var version: String?
        /// Set when the peer could not be started: every cell of it fails with this.
        var error: String?
        /// `WireProtocol` raw value to base URL (`https://localhost:PORT`).
        var endpoints: [String: String] = [:]
        /// `WireProtocol` raw value to why the peer does not speak it.
        var unspoken: [String: String] = [:]
        /// `CheckKind` raw value to how to run it.
        var checks: [String: CheckSpec] = [:]
        /// `check` or `check@protocol` to why it does not apply.
        var na: [String: String] = [:]
        /// `check@protocol` to a client bug it is known to show: the cell says so and the
        /// run still passes; if the check passes, the run fails so the entry is removed.
        var known: [String: String] = [:]

        private enum CodingKeys: String, CodingKey {
            case name, version, error, endpoints, unspoken, checks, na, known
        }

        /// Every map may be left out.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            version = try container.decodeIfPresent(String.self, forKey: .version)
            error = try container.decodeIfPresent(String.self, forKey: .error)
            endpoints = try container.decodeIfPresent([String: String].self, forKey: .endpoints) ?? [:]
            unspoken = try container.decodeIfPresent([String: String].self, forKey: .unspoken) ?? [:]
            checks = try container.decodeIfPresent([String: CheckSpec].self, forKey: .checks) ?? [:]
            na = try container.decodeIfPresent([String: String].self, forKey: .na) ?? [:]
            known = try container.decodeIfPresent([String: String].self, forKey: .known) ?? [:]
        }
    }

    struct CheckSpec: Decodable {
        var path: String
        /// A docroot file holding the expected response body.
        var expect: String?
        /// How the peer answers a POST: `echo` (the body back) or `sha256`
        /// (`"<hex digest> <length>\n"`).
        var reply: Reply?
        var trailer: Trailer?
        /// Seconds to stay idle: longer than the peer's keep-alive timeout.
        var wait: Double?
    }

    enum Reply: String, Decodable {
        case echo
        case sha256
    }

    struct Trailer: Decodable {
        var name: String
        var value: String
    }

    static func load(_ path: String) throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

extension Manifest.Peer {
    /// Why `check` cannot run over `wire` (or nil: it should pass).
    func notApplicable(_ check: CheckKind, over wire: WireProtocol) -> String? {
        na["\(check.rawValue)@\(wire.rawValue)"] ?? na[check.rawValue]
    }

    func knownFailure(_ check: CheckKind, over wire: WireProtocol) -> String? {
        known["\(check.rawValue)@\(wire.rawValue)"]
    }
}
