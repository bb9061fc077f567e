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

    /// Registers a typed job; its payload is decoded into `J` and its output kept as JSON.
    public func register<J: Job>(_ type: J.Type) {
        register(name: J.name) { payload, context in
            let job: J
            do {
                job = try JSONDecoder().decode(J.self, from: Data(payload.utf8))
            } catch {
                throw PayloadDecodingError(job: J.name, reason: "\(error)")
            }
            let output = try await job.run(context: context)
            guard let encodable = output as? any Encodable else { return nil }
            return try JSONCoding.encode(encodable)
        }
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
