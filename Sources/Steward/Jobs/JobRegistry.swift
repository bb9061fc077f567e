import Foundation
import Synchronization

/// An untyped handler: payload JSON in, optional result JSON out.
public typealias JobHandlerFunction = @Sendable (_ payload: String, _ context: JobContext) async throws -> String?

/// The handlers a worker can run, by job name.
public final class JobRegistry: Sendable {
    /// The handlers, and their names sorted (kept with them: a worker reads them at every claim).
    private let handlers = Mutex<(byName: [String: JobHandlerFunction], names: [String])>(([:], []))

    /// Creates an empty registry.
    public init() {}

    /// Registers a typed job that runs itself; its payload is decoded into `J` and its output
    /// kept as JSON.
    public func register<J: Job>(_ type: J.Type) {
        register(J.self) { job, context in try await job.run(context: context) }
    }

    /// Registers `handler` for the jobs of `type`: the payload is decoded into `P`, the closure
    /// runs with it (capturing whatever it needs) and an `Encodable` output is kept as JSON.
    public func register<P: JobParameters, Output: Sendable>(
        _ type: P.Type, _ handler: @escaping @Sendable (_ job: P, _ context: JobContext) async throws -> Output
    ) {
        register(name: P.name) { payload, context in
            let job: P
            do {
                job = try JSONDecoder().decode(P.self, from: Data(payload.utf8))
            } catch {
                throw PayloadDecodingError(job: P.name, reason: "\(error)")
            }
            let output = try await handler(job, context)
            guard let encodable = output as? any Encodable else { return nil }
            return try JSONCoding.encode(encodable)
        }
    }

    /// Registers a handler value for its parameters' name.
    public func register<H: JobHandler>(_ handler: H) {
        register(H.Parameters.self) { job, context in try await handler.handle(job, context: context) }
    }

    /// Registers an untyped handler under `name`, replacing any earlier one.
    public func register(name: String, handler: @escaping JobHandlerFunction) {
        handlers.withLock { state in
            if state.byName.updateValue(handler, forKey: name) == nil { state.names = state.byName.keys.sorted() }
        }
    }

    /// The handler for `name`, if registered.
    public func handler(for name: String) -> JobHandlerFunction? {
        handlers.withLock { $0.byName[name] }
    }

    /// The registered names, sorted.
    public var names: [String] {
        handlers.withLock { $0.names }
    }
}
