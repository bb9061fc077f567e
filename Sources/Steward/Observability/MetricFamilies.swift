import Metrics

/// Every metric family Steward records, with its help text (the `# HELP` line of `/metrics`):
/// one table, so the exposition and docs/operations.md name the same families.
public enum MetricFamilies {
    /// Help text by family name.
    public static let help: [String: String] = [
        "steward_job_attempts_total": "Job attempts finished, by queue, job name and outcome (succeeded, failed, skipped, cancelled).",
        "steward_job_duration_seconds": "How long job attempts ran, by queue, job name and outcome.",
        "steward_jobs_enqueued_total": "Jobs enqueued through this process, by queue.",
        "steward_jobs_running": "Jobs this process is running now, by queue.",
        "steward_jobs_claimed_ahead": "Jobs this process has claimed and not yet started, by queue.",
        "steward_queue_depth": "Jobs in the store by queue and state (sampled every 5 s).",
        "steward_queue_oldest_age_seconds": "Seconds the oldest due job of a queue has waited to start; 0 when none waits.",
        "steward_workers_active": "Worker processes holding a running job, on any machine.",
        "steward_schedule_fires_total": "Jobs enqueued by schedules fired from this process.",
        "steward_scheduler_skipped_total": "Schedule fires skipped because the previous run of an exclusive schedule was still live.",
        "steward_scheduler_missed_total": "Schedule fires missed (past their misfire policy) and not enqueued.",
        "steward_workflow_executions_total": "Workflow executions that ended (DAG and code runs), by workflow and final state.",
        "steward_workflow_steps_total": "Code workflow steps recorded (not replayed) by this process, by workflow, kind and state (pending: a wait begun).",
    ]

    /// Creates, at zero, the families whose labels are known before any work: the scheduler's
    /// counters, the workers gauge and the per-queue families of `queues`, so dashboards and
    /// alerts see series (not "no data") from the first scrape. Families labelled by job name or
    /// workflow appear with their first event.
    public static func declare(queues: [String], scheduler: Bool) {
        if scheduler {
            for name in ["steward_schedule_fires_total", "steward_scheduler_skipped_total", "steward_scheduler_missed_total"] {
                Counter(label: name).increment(by: 0)
            }
        }
        Gauge(label: "steward_workers_active").record(0)
        for queue in queues {
            let dims = [("queue", queue)]
            Counter(label: "steward_jobs_enqueued_total", dimensions: dims).increment(by: 0)
            Gauge(label: "steward_jobs_running", dimensions: dims).record(0)
            Gauge(label: "steward_jobs_claimed_ahead", dimensions: dims).record(0)
            Gauge(label: "steward_queue_oldest_age_seconds", dimensions: dims).record(0)
        }
    }
}
