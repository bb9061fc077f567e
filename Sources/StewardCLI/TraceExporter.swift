import Instrumentation
import Logging
import ServiceLifecycle
import StewardConfig
import StewardHTTP
import Tracing

#if OTLP
    import OTel
#endif

/// Bootstraps the process's tracer for a ``TraceExport`` and returns the service that batches and
/// sends the spans; it must run in the command's service group, first, so it shuts down last
/// and flushes the spans of the jobs drained before it.
enum TraceExporter {
    static func start(_ export: TraceExport, logger: Logger) throws -> any Service {
        #if OTLP
            var config = OTel.Configuration.default
            config.serviceName = export.serviceName
            config.metrics.enabled = false
            config.logs.enabled = false
            config.traces.otlpExporter.endpoint = export.tracesURL
            config.traces.otlpExporter.protocol = export.wireProtocol == .httpJSON ? .httpJSON : .httpProtobuf
            config.traces.otlpExporter.headers = export.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            config.diagnosticLogger = .custom(logger)
            config.diagnosticLogLevel = .warning
            let backend = try OTel.makeTracingBackend(configuration: config)
            InstrumentationSystem.bootstrap(backend.factory)
            logger.info("exporting spans over OTLP", metadata: ["url": "\(export.tracesURL)", "protocol": "\(export.wireProtocol.rawValue)"])
            return backend.service
        #else
            // TraceExport's initializer refuses to exist without the trait; kept for completeness.
            throw TraceExport.ValidationFailure("otlp_endpoint: this steward binary was built without OTLP export")
        #endif
    }
}
