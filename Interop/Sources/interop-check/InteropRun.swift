import Foundation
import HTTPCore
import HTTPCorePool

/// Runs every peer's rows on every backend, one check at a time, and reports each row on
/// stderr as it finishes (a slow or hung peer shows where it is).
struct InteropRun {
    let manifest: Manifest
    let docroot: Docroot
    let backends: [BackendKind]
    let smallBody = Payload(size: 4 << 10, seed: 0x1D7E)
    let largeBody = Payload(size: 8 << 20, seed: 0x5EED)

    var columns: [String] {
        let download = manifest.peers.lazy.compactMap { $0.checks[CheckKind.download.rawValue]?.expect }.first.flatMap { docroot[$0]?.length }
        return CheckKind.allCases.map { $0.title(downloadSize: download ?? 0, uploadSize: largeBody.bytes.count) }
    }

    func run() async -> ResultTable {
        var table = ResultTable(columns: columns)
        for peer in manifest.peers {
            let title = [peer.name, peer.version].compactMap { $0 }.joined(separator: " ")
            for wire in WireProtocol.allCases {
                let start = ContinuousClock.now
                let outcomes = await row(peer, wire)
                table.rows.append(ResultTable.Row(peer: title, wire: wire, outcomes: outcomes))
                let elapsed = (ContinuousClock.now - start).formatted(.units(allowed: [.seconds], width: .narrow, fractionalPart: .show(length: 1)))
                StandardError.write("interop: \(title), \(wire.label): \(outcomes.map(\.word).joined(separator: " ")) (\(elapsed))")
            }
        }
        return table
    }

    private func row(_ peer: Manifest.Peer, _ wire: WireProtocol) async -> [Outcome] {
        if let reason = peer.unspoken[wire.rawValue] {
            return CheckKind.allCases.map { _ in .notApplicable(reason) }
        }
        guard let url = peer.endpoints[wire.rawValue] else {
            let reason = peer.error ?? "run.sh gave no endpoint for \(wire.rawValue) and no reason why"
            return CheckKind.allCases.map { _ in .fail(reason) }
        }
        var runs: [[(backend: String, outcome: Outcome)]] = Array(repeating: [], count: CheckKind.allCases.count)
        for backend in backends {
            for (index, outcome) in await checks(peer, wire, url, on: backend).enumerated() {
                runs[index].append((backend.rawValue, outcome))
            }
        }
        return zip(CheckKind.allCases, runs).map { kind, runs in
            let outcome = Outcome.combine(runs)
            guard let bug = peer.knownFailure(kind, over: wire) else { return outcome }
            switch outcome {
            case .fail(let detail): return .knownFailure(bug: bug, detail: detail)
            case .pass: return .unexpectedPass(bug: bug)
            default: return outcome
            }
        }
    }

    /// Every check over one backend and one pool, in the order of the columns.
    private func checks(_ peer: Manifest.Peer, _ wire: WireProtocol, _ url: String, on kind: BackendKind) async -> [Outcome] {
        let (backend, executor) = kind.make()
        let outcomes: [Outcome]
        do {
            outcomes = try await withTaskExecutorPreference(executor) {
                try await withConnectionPool(backend: backend, configuration: wire.poolConfiguration(caFile: manifest.ca)) { pool in
                    let checker = Checker(pool: pool, baseURL: url, wire: wire, docroot: docroot, smallBody: smallBody, largeBody: largeBody,
                                          followUp: peer.checks[CheckKind.get.rawValue])
                    var outcomes: [Outcome] = []
                    for kind in CheckKind.allCases {
                        if let reason = peer.notApplicable(kind, over: wire) {
                            outcomes.append(.notApplicable(reason))
                        } else if let spec = peer.checks[kind.rawValue] {
                            outcomes.append(await checker.run(kind, spec))
                        } else {
                            outcomes.append(.fail("run.sh gave no \(kind.rawValue) check and no reason why"))
                        }
                    }
                    return outcomes
                }
            }
        } catch {
            outcomes = CheckKind.allCases.map { _ in .fail("no pool: \(error)") }
        }
        await BackendKind.shutDown(backend)
        return outcomes
    }
}
