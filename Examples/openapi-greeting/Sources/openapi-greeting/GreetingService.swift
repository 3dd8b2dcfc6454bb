/// The server side: the generated `APIProtocol`, one method per operation.
struct GreetingService: APIProtocol {
    func getGreeting(_ input: Operations.GetGreeting.Input) async throws -> Operations.GetGreeting.Output {
        .ok(.init(body: .json(.init(message: "Hello, \(input.query.name ?? "Stranger")!"))))
    }

    /// The runtime hands the path parameter over decoded (the transport keeps it
    /// percent-encoded until then).
    func greetByName(_ input: Operations.GreetByName.Input) async throws -> Operations.GreetByName.Output {
        .ok(.init(body: .json(.init(message: "Hello, \(input.path.name)!"))))
    }

    /// Answers with the request body itself: each chunk goes back out as it arrives,
    /// nothing is collected.
    func echo(_ input: Operations.Echo.Input) async throws -> Operations.Echo.Output {
        switch input.body {
        case .binary(let body): .ok(.init(body: .binary(body)))
        }
    }
}
