import Metrics
import Prometheus
import Steward

/// swift-metrics into a Prometheus registry, like `PrometheusMetricsFactory`, but with each
/// Steward family's help text (``MetricFamilies/help``), so `/metrics` carries `# HELP` and
/// `# TYPE` for every family. (Prometheus's own factory registers every family without help, and
/// a family's help cannot be added after its first series.)
public struct StewardPrometheusFactory: MetricsFactory {
    private let base: PrometheusMetricsFactory

    /// The registry `/metrics` exposes.
    public var registry: PrometheusCollectorRegistry { base.registry }

    /// Records into `registry`.
    public init(registry: PrometheusCollectorRegistry) {
        base = PrometheusMetricsFactory(registry: registry)
    }

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: MetricFamilies.help[label] ?? "")
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let (label, dimensions) = base.nameAndLabelSanitizer(label, dimensions)
        return registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        let (label, dimensions) = base.nameAndLabelSanitizer(label, dimensions)
        return registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let (label, dimensions) = base.nameAndLabelSanitizer(label, dimensions)
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        let buckets = base.valueHistogramBuckets[label] ?? base.defaultValueHistogramBuckets
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        let (label, dimensions) = base.nameAndLabelSanitizer(label, dimensions)
        return registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let (label, dimensions) = base.nameAndLabelSanitizer(label, dimensions)
        let buckets = base.durationHistogramBuckets[label] ?? base.defaultDurationHistogramBuckets
        return registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) { base.destroyCounter(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { base.destroyFloatingPointCounter(handler) }
    public func destroyRecorder(_ handler: any RecorderHandler) { base.destroyRecorder(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { base.destroyMeter(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { base.destroyTimer(handler) }
}
