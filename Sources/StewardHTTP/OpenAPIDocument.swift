/// The OpenAPI 3.1 document of `/api/v1`, served at `/api/v1/openapi.json`. A test checks that it
/// lists exactly the routes the router has; schemathesis checks the answers against it.
enum OpenAPIDocument {
    static let json = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "Steward API",
  "version": "1",
  "description": "Jobs, queues, schedules, workflows, pipelines and data checks. JSON shapes are those of the CLI's --json (docs/operations.md)."
 },
 "servers": [
  {
   "url": "/"
  }
 ],
 "security": [
  {
   "bearer": []
  },
  {}
 ],
 "components": {
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer"
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "properties": {
     "error": {
      "type": "object",
      "properties": {
       "code": {
        "type": "string"
       },
       "message": {
        "type": "string"
       },
       "field": {
        "type": [
         "string",
         "null"
        ]
       }
      },
      "required": [
       "code",
       "message",
       "field"
      ]
     }
    },
    "required": [
     "error"
    ]
   },
   "Progress": {
    "type": "object",
    "properties": {
     "step": {
      "type": [
       "integer",
       "null"
      ]
     },
     "total_steps": {
      "type": [
       "integer",
       "null"
      ]
     },
     "percent": {
      "type": [
       "number",
       "null"
      ]
     },
     "message": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "step",
     "total_steps",
     "percent",
     "message"
    ]
   },
   "JobError": {
    "type": "object",
    "properties": {
     "type": {
      "type": "string"
     },
     "message": {
      "type": "string"
     },
     "attempt": {
      "type": "integer"
     }
    },
    "required": [
     "type",
     "message",
     "attempt"
    ]
   },
   "Job": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer"
     },
     "queue": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "state": {
      "type": "string",
      "enum": [
       "waiting",
       "scheduled",
       "available",
       "running",
       "succeeded",
       "cancelled",
       "dead"
      ]
     },
     "attempt": {
      "type": "integer"
     },
     "max_attempts": {
      "type": "integer"
     },
     "retries": {
      "type": "integer"
     },
     "priority": {
      "type": "integer"
     },
     "payload": {},
     "progress": {
      "oneOf": [
       {
        "$ref": "#/components/schemas/Progress"
       },
       {
        "type": "null"
       }
      ]
     },
     "error": {
      "oneOf": [
       {
        "$ref": "#/components/schemas/JobError"
       },
       {
        "type": "null"
       }
      ]
     },
     "result": {},
     "metadata": {
      "type": "object",
      "additionalProperties": {
       "type": "string"
      }
     },
     "unique_key": {
      "type": [
       "string",
       "null"
      ]
     },
     "original_queue": {
      "type": [
       "string",
       "null"
      ]
     },
     "lease_owner": {
      "type": [
       "string",
       "null"
      ]
     },
     "depends_on": {
      "type": "array",
      "items": {
       "type": "integer"
      }
     },
     "run_at": {
      "type": "string"
     },
     "created_at": {
      "type": "string"
     },
     "started_at": {
      "type": [
       "string",
       "null"
      ]
     },
     "finished_at": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "id",
     "queue",
     "name",
     "state",
     "attempt",
     "max_attempts",
     "retries",
     "priority",
     "payload",
     "progress",
     "error",
     "result",
     "metadata",
     "unique_key",
     "original_queue",
     "lease_owner",
     "depends_on",
     "run_at",
     "created_at",
     "started_at",
     "finished_at"
    ]
   },
   "Attempt": {
    "type": "object",
    "properties": {
     "attempt": {
      "type": "integer"
     },
     "worker": {
      "type": "string"
     },
     "started_at": {
      "type": "string"
     },
     "finished_at": {
      "type": "string"
     },
     "outcome": {
      "type": "string"
     },
     "error_type": {
      "type": [
       "string",
       "null"
      ]
     },
     "error_message": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "attempt",
     "worker",
     "started_at",
     "finished_at",
     "outcome",
     "error_type",
     "error_message"
    ]
   },
   "Enqueued": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer"
     },
     "state": {
      "type": "string"
     },
     "duplicate": {
      "type": "boolean"
     }
    },
    "required": [
     "id",
     "state",
     "duplicate"
    ]
   },
   "BulkResult": {
    "type": "object",
    "properties": {
     "matched": {
      "type": "integer"
     },
     "changed": {
      "type": "array",
      "items": {
       "type": "integer"
      }
     },
     "skipped": {
      "type": "array",
      "items": {
       "type": "integer"
      }
     }
    },
    "required": [
     "matched",
     "changed",
     "skipped"
    ]
   },
   "QueueStats": {
    "type": "object",
    "properties": {
     "queue": {
      "type": "string"
     },
     "paused": {
      "type": "boolean"
     },
     "counts": {
      "type": "object",
      "additionalProperties": {
       "type": "integer"
      }
     },
     "running": {
      "type": "integer"
     },
     "succeeded_last_minute": {
      "type": "integer"
     },
     "failed_last_minute": {
      "type": "integer"
     },
     "error_rate": {
      "type": "number"
     },
     "oldest_waiting_age_s": {
      "type": [
       "number",
       "null"
      ]
     }
    },
    "required": [
     "queue",
     "paused",
     "counts",
     "running",
     "succeeded_last_minute",
     "failed_last_minute",
     "error_rate",
     "oldest_waiting_age_s"
    ]
   },
   "Queue": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "paused": {
      "type": "boolean"
     },
     "waiting": {
      "type": "integer"
     },
     "running": {
      "type": "integer"
     },
     "max_depth": {
      "type": [
       "integer",
       "null"
      ]
     },
     "dead_letter_queue": {
      "type": [
       "string",
       "null"
      ]
     },
     "max_attempts": {
      "type": [
       "integer",
       "null"
      ]
     }
    },
    "required": [
     "name",
     "paused",
     "waiting",
     "running",
     "max_depth",
     "dead_letter_queue",
     "max_attempts"
    ]
   },
   "Schedule": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "paused": {
      "type": "boolean"
     },
     "trigger": {
      "type": "string"
     },
     "job": {
      "type": "string"
     },
     "queue": {
      "type": "string"
     },
     "next_fire_at": {
      "type": [
       "string",
       "null"
      ]
     },
     "last_fire_at": {
      "type": [
       "string",
       "null"
      ]
     },
     "last_job_id": {
      "type": [
       "integer",
       "null"
      ]
     },
     "skipped_runs": {
      "type": "integer"
     },
     "missed_runs": {
      "type": "integer"
     }
    },
    "required": [
     "name",
     "paused",
     "trigger",
     "job",
     "queue",
     "next_fire_at",
     "last_fire_at",
     "last_job_id",
     "skipped_runs",
     "missed_runs"
    ]
   },
   "WorkflowTask": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "job": {
      "type": "string"
     },
     "state": {
      "type": "string",
      "enum": [
       "pending",
       "waiting",
       "running",
       "succeeded",
       "failed",
       "skipped",
       "cancelled",
       "compensated"
      ]
     },
     "attempts": {
      "type": "integer"
     },
     "output": {},
     "error": {
      "type": [
       "string",
       "null"
      ]
     },
     "items": {
      "type": [
       "integer",
       "null"
      ]
     },
     "started_at": {
      "type": [
       "string",
       "null"
      ]
     },
     "finished_at": {
      "type": [
       "string",
       "null"
      ]
     },
     "depends_on": {
      "type": "array",
      "items": {
       "type": "string"
      }
     }
    },
    "required": [
     "name",
     "job",
     "state",
     "attempts",
     "output",
     "error",
     "items",
     "started_at",
     "finished_at",
     "depends_on"
    ]
   },
   "WorkflowRun": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "workflow": {
      "type": "string"
     },
     "version": {
      "type": "string"
     },
     "state": {
      "type": "string",
      "enum": [
       "running",
       "succeeded",
       "failed",
       "cancelled",
       "compensated",
       "compensation_failed"
      ]
     },
     "input": {},
     "output": {},
     "error": {
      "type": [
       "string",
       "null"
      ]
     },
     "generation": {
      "type": "integer"
     },
     "created_at": {
      "type": "string"
     },
     "finished_at": {
      "type": [
       "string",
       "null"
      ]
     },
     "tasks": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/WorkflowTask"
      }
     }
    },
    "required": [
     "id",
     "workflow",
     "version",
     "state",
     "input",
     "output",
     "error",
     "generation",
     "created_at",
     "finished_at",
     "tasks"
    ]
   },
   "WorkflowRunRow": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "workflow": {
      "type": "string"
     },
     "version": {
      "type": "string"
     },
     "state": {
      "type": "string"
     },
     "created_at": {
      "type": "string"
     },
     "finished_at": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "id",
     "workflow",
     "version",
     "state",
     "created_at",
     "finished_at"
    ]
   },
   "WorkflowDefinitionRow": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "version": {
      "type": "string"
     },
     "tasks": {
      "type": "integer"
     },
     "created_at": {
      "type": "string"
     }
    },
    "required": [
     "name",
     "version",
     "tasks",
     "created_at"
    ]
   },
   "WorkflowList": {
    "type": "object",
    "properties": {
     "workflows": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/WorkflowDefinitionRow"
      }
     },
     "runs": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/WorkflowRunRow"
      }
     }
    },
    "required": [
     "workflows",
     "runs"
    ]
   },
   "WorkflowEvent": {
    "type": "object",
    "properties": {
     "at": {
      "type": "string"
     },
     "event": {
      "type": "string"
     },
     "task": {
      "type": [
       "string",
       "null"
      ]
     },
     "attempt": {
      "type": [
       "integer",
       "null"
      ]
     },
     "worker": {
      "type": [
       "string",
       "null"
      ]
     },
     "message": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "at",
     "event",
     "task",
     "attempt",
     "worker",
     "message"
    ]
   },
   "Applied": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "version": {
      "type": "string"
     },
     "status": {
      "type": "string",
      "enum": [
       "created",
       "unchanged"
      ]
     }
    },
    "required": [
     "name",
     "version",
     "status"
    ]
   },
   "EnqueueRequest": {
    "type": "object",
    "required": [
     "name"
    ],
    "additionalProperties": false,
    "properties": {
     "name": {
      "type": "string"
     },
     "queue": {
      "type": "string"
     },
     "payload": {},
     "priority": {
      "type": "integer"
     },
     "delay": {
      "oneOf": [
       {
        "type": "string"
       },
       {
        "type": "number"
       }
      ]
     },
     "run_at": {
      "type": "string"
     },
     "timeout": {
      "oneOf": [
       {
        "type": "string"
       },
       {
        "type": "number"
       }
      ]
     },
     "max_attempts": {
      "type": "integer",
      "minimum": 1
     },
     "unique_key": {
      "type": "string"
     },
     "metadata": {
      "type": "object",
      "additionalProperties": {
       "type": "string"
      }
     },
     "after": {
      "type": "array",
      "items": {
       "type": "integer",
       "minimum": 1
      }
     }
    }
   },
   "JobFilter": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
     "queue": {
      "type": "string"
     },
     "state": {
      "type": "string"
     },
     "name": {
      "type": "string"
     }
    }
   },
   "RunRequest": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
     "input": {},
     "version": {
      "type": "string"
     }
    }
   },
   "ScheduleUpdate": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
     "cron": {
      "type": "string"
     },
     "timezone": {
      "type": "string"
     },
     "every": {
      "oneOf": [
       {
        "type": "string"
       },
       {
        "type": "number"
       }
      ]
     },
     "jitter": {
      "oneOf": [
       {
        "type": "string"
       },
       {
        "type": "number"
       }
      ]
     }
    }
   },
   "Monitor": {
    "type": "object",
    "required": [
     "task",
     "windows",
     "failed_windows",
     "last_window_end"
    ],
    "properties": {
     "task": {
      "type": "string"
     },
     "windows": {
      "type": "integer"
     },
     "failed_windows": {
      "type": "integer"
     },
     "last_window_end": {
      "type": [
       "string",
       "number",
       "null"
      ]
     }
    }
   },
   "QueueSample": {
    "type": "object",
    "required": [
     "at",
     "depth",
     "running",
     "succeeded_last_minute",
     "failed_last_minute"
    ],
    "properties": {
     "at": {
      "type": "string"
     },
     "depth": {
      "type": "integer"
     },
     "running": {
      "type": "integer"
     },
     "succeeded_last_minute": {
      "type": "integer"
     },
     "failed_last_minute": {
      "type": "integer"
     }
    }
   },
   "AnomalySettings": {
    "type": "object",
    "properties": {
     "metrics": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "lookback": {
      "type": "integer"
     },
     "min_history": {
      "type": "integer"
     },
     "threshold": {
      "type": "number"
     }
    },
    "required": [
     "metrics",
     "lookback",
     "min_history",
     "threshold"
    ]
   },
   "PipelineDefinition": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "max_duration_seconds": {
      "type": [
       "number",
       "null"
      ]
     },
     "reads": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "writes": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "anomaly": {
      "oneOf": [
       {
        "$ref": "#/components/schemas/AnomalySettings"
       },
       {
        "type": "null"
       }
      ]
     }
    },
    "required": [
     "name",
     "max_duration_seconds",
     "reads",
     "writes",
     "anomaly"
    ]
   },
   "DatasetDefinition": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "max_age_seconds": {
      "type": [
       "number",
       "null"
      ]
     }
    },
    "required": [
     "name",
     "max_age_seconds"
    ]
   },
   "PipelineCatalog": {
    "type": "object",
    "properties": {
     "pipelines": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/PipelineDefinition"
      }
     },
     "datasets": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/DatasetDefinition"
      }
     }
    },
    "required": [
     "pipelines",
     "datasets"
    ]
   },
   "PipelineApplied": {
    "type": "object",
    "properties": {
     "pipelines": {
      "type": "integer"
     },
     "datasets": {
      "type": "integer"
     },
     "lineage_rows_written": {
      "type": "integer"
     },
     "lineage_rows_removed": {
      "type": "integer"
     }
    },
    "required": [
     "pipelines",
     "datasets",
     "lineage_rows_written",
     "lineage_rows_removed"
    ]
   },
   "PipelineExecution": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer"
     },
     "pipeline": {
      "type": "string"
     },
     "parent": {
      "type": [
       "integer",
       "null"
      ]
     },
     "state": {
      "type": "string",
      "enum": [
       "running",
       "succeeded",
       "failed"
      ]
     },
     "started_at": {
      "type": "string"
     },
     "finished_at": {
      "type": [
       "string",
       "null"
      ]
     },
     "duration_seconds": {
      "type": [
       "number",
       "null"
      ]
     },
     "inserted": {
      "type": [
       "integer",
       "null"
      ]
     },
     "updated": {
      "type": [
       "integer",
       "null"
      ]
     },
     "deleted": {
      "type": [
       "integer",
       "null"
      ]
     },
     "metrics": {
      "type": "object",
      "additionalProperties": {
       "type": "number"
      }
     },
     "workflow_run": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "id",
     "pipeline",
     "parent",
     "state",
     "started_at",
     "finished_at",
     "duration_seconds",
     "inserted",
     "updated",
     "deleted",
     "metrics",
     "workflow_run"
    ]
   },
   "PipelineAnomaly": {
    "type": "object",
    "properties": {
     "execution": {
      "type": "integer"
     },
     "pipeline": {
      "type": "string"
     },
     "metric": {
      "type": "string"
     },
     "value": {
      "type": "number"
     },
     "mean": {
      "type": "number"
     },
     "std": {
      "type": "number"
     },
     "z": {
      "type": [
       "number",
       "null"
      ]
     },
     "detected_at": {
      "type": "string"
     }
    },
    "required": [
     "execution",
     "pipeline",
     "metric",
     "value",
     "mean",
     "std",
     "z",
     "detected_at"
    ]
   },
   "AnomalyReport": {
    "type": "object",
    "properties": {
     "execution": {
      "type": "integer"
     },
     "anomalies": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/PipelineAnomaly"
      }
     }
    },
    "required": [
     "execution",
     "anomalies"
    ]
   },
   "PipelineTree": {
    "type": "object",
    "properties": {
     "executions": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "depth": {
         "type": "integer"
        },
        "execution": {
         "$ref": "#/components/schemas/PipelineExecution"
        }
       },
       "required": [
        "depth",
        "execution"
       ]
      }
     }
    },
    "required": [
     "executions"
    ]
   },
   "FreshnessEntry": {
    "type": "object",
    "properties": {
     "dataset": {
      "type": "string"
     },
     "last_modified": {
      "type": [
       "string",
       "null"
      ]
     },
     "age_seconds": {
      "type": [
       "number",
       "null"
      ]
     },
     "max_age_seconds": {
      "type": "number"
     }
    },
    "required": [
     "dataset",
     "last_modified",
     "age_seconds",
     "max_age_seconds"
    ]
   },
   "FreshnessReport": {
    "type": "object",
    "properties": {
     "stale": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/FreshnessEntry"
      }
     },
     "fresh": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/FreshnessEntry"
      }
     }
    },
    "required": [
     "stale",
     "fresh"
    ]
   },
   "LateExecution": {
    "type": "object",
    "properties": {
     "pipeline": {
      "type": "string"
     },
     "execution": {
      "type": "integer"
     },
     "started_at": {
      "type": "string"
     },
     "finished_at": {
      "type": [
       "string",
       "null"
      ]
     },
     "duration_seconds": {
      "type": "number"
     },
     "max_duration_seconds": {
      "type": "number"
     },
     "state": {
      "type": "string",
      "enum": [
       "running",
       "succeeded",
       "failed"
      ]
     }
    },
    "required": [
     "pipeline",
     "execution",
     "started_at",
     "finished_at",
     "duration_seconds",
     "max_duration_seconds",
     "state"
    ]
   },
   "TimelinessReport": {
    "type": "object",
    "properties": {
     "late": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/LateExecution"
      }
     }
    },
    "required": [
     "late"
    ]
   },
   "Lineage": {
    "type": "object",
    "properties": {
     "dataset": {
      "type": "string"
     },
     "datasets": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "name": {
         "type": "string"
        },
        "depth": {
         "type": "integer"
        }
       },
       "required": [
        "name",
        "depth"
       ]
      }
     }
    },
    "required": [
     "dataset",
     "datasets"
    ]
   },
   "QualityRun": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer"
     },
     "check": {
      "type": "string"
     },
     "at": {
      "type": "string"
     },
     "records": {
      "type": "integer"
     },
     "completeness": {
      "type": "number"
     },
     "accuracy": {
      "type": "number"
     },
     "consistency": {
      "type": "number"
     },
     "overall_score": {
      "type": "number"
     },
     "passed_all": {
      "type": "boolean"
     }
    },
    "required": [
     "id",
     "check",
     "at",
     "records",
     "completeness",
     "accuracy",
     "consistency",
     "overall_score",
     "passed_all"
    ]
   },
   "QualityReport": {
    "type": "object",
    "properties": {
     "check": {
      "type": "string"
     },
     "runs": {
      "type": "integer"
     },
     "average_score": {
      "type": "number"
     },
     "latest": {
      "$ref": "#/components/schemas/QualityRun"
     },
     "previous": {
      "oneOf": [
       {
        "$ref": "#/components/schemas/QualityRun"
       },
       {
        "type": "null"
       }
      ]
     },
     "change": {
      "type": "object",
      "properties": {
       "completeness": {
        "type": [
         "number",
         "null"
        ]
       },
       "accuracy": {
        "type": [
         "number",
         "null"
        ]
       },
       "consistency": {
        "type": [
         "number",
         "null"
        ]
       },
       "overall_score": {
        "type": [
         "number",
         "null"
        ]
       }
      },
      "required": [
       "completeness",
       "accuracy",
       "consistency",
       "overall_score"
      ]
     }
    },
    "required": [
     "check",
     "runs",
     "average_score",
     "latest",
     "previous",
     "change"
    ]
   },
   "StartRequest": {
    "type": "object",
    "properties": {
     "parent": {
      "type": [
       "integer",
       "null"
      ],
      "minimum": 1
     },
     "at": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     }
    },
    "additionalProperties": false
   },
   "FinishRequest": {
    "type": "object",
    "properties": {
     "status": {
      "type": [
       "string",
       "null"
      ],
      "enum": [
       "succeeded",
       "failed",
       null
      ]
     },
     "inserted": {
      "type": [
       "integer",
       "null"
      ],
      "minimum": 0
     },
     "updated": {
      "type": [
       "integer",
       "null"
      ],
      "minimum": 0
     },
     "deleted": {
      "type": [
       "integer",
       "null"
      ],
      "minimum": 0
     },
     "metrics": {
      "type": [
       "object",
       "null"
      ],
      "additionalProperties": {
       "type": "number"
      }
     },
     "at": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     }
    },
    "additionalProperties": false
   },
   "TouchRequest": {
    "type": "object",
    "properties": {
     "at": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     }
    },
    "additionalProperties": false
   },
   "Touched": {
    "type": "object",
    "properties": {
     "dataset": {
      "type": "string"
     },
     "touched_at": {
      "type": "string"
     }
    },
    "required": [
     "dataset",
     "touched_at"
    ]
   }
  }
 },
 "paths": {
  "/api/v1/jobs": {
   "post": {
    "summary": "Enqueue a job",
    "operationId": "enqueueJob",
    "responses": {
     "201": {
      "description": "created",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "200": {
      "description": "a live job with the same unique key",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "404": {
      "description": "not found",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "unknown parent",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "429": {
      "description": "queue full",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "description": "Answers with the same job (200, Idempotent-Replayed: true) for the key's retention (http.idempotency_retention, default 24h), whatever the job's state; a different body under the key is 422 idempotency_key_reused.",
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 255
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/EnqueueRequest"
       }
      }
     }
    }
   },
   "get": {
    "summary": "List jobs, newest first",
    "operationId": "listJobs",
    "responses": {
     "200": {
      "description": "jobs",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Job"
         }
        }
       }
      },
      "headers": {
       "X-Next-Before": {
        "schema": {
         "type": "string"
        },
        "description": "the `before` of the next page"
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "queue",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "state",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "name",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 1000
      }
     },
     {
      "name": "before",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ]
   }
  },
  "/api/v1/jobs/{id}": {
   "get": {
    "summary": "A job",
    "operationId": "getJob",
    "responses": {
     "200": {
      "description": "the job",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "404": {
      "description": "no such job",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ]
   }
  },
  "/api/v1/jobs/{id}/history": {
   "get": {
    "summary": "A job's attempts",
    "operationId": "jobHistory",
    "responses": {
     "200": {
      "description": "attempts",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Attempt"
         }
        }
       }
      }
     },
     "404": {
      "description": "no such job",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ]
   }
  },
  "/api/v1/jobs/{id}/cancel": {
   "post": {
    "summary": "Cancel a job",
    "operationId": "cancelJob",
    "responses": {
     "200": {
      "description": "the job",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "404": {
      "description": "no such job",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "already finished",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ]
   }
  },
  "/api/v1/jobs/{id}/retry": {
   "post": {
    "summary": "Retry a dead or cancelled job",
    "operationId": "retryJob",
    "responses": {
     "200": {
      "description": "the job",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "404": {
      "description": "no such job",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "not dead or cancelled",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ]
   }
  },
  "/api/v1/jobs/cancel": {
   "post": {
    "summary": "Cancel every job matching a filter",
    "operationId": "cancelJobs",
    "responses": {
     "200": {
      "description": "what changed",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/BulkResult"
        }
       }
      }
     },
     "413": {
      "description": "body too large",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/JobFilter"
       }
      }
     }
    }
   }
  },
  "/api/v1/jobs/retry": {
   "post": {
    "summary": "Retry every dead or cancelled job matching a filter",
    "operationId": "retryJobs",
    "responses": {
     "200": {
      "description": "what changed",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/BulkResult"
        }
       }
      }
     },
     "413": {
      "description": "body too large",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/JobFilter"
       }
      }
     }
    }
   }
  },
  "/api/v1/queues": {
   "get": {
    "summary": "Queues",
    "operationId": "listQueues",
    "responses": {
     "200": {
      "description": "queues",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Queue"
         }
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/queues/{name}": {
   "get": {
    "summary": "A queue's statistics",
    "operationId": "queueStats",
    "responses": {
     "200": {
      "description": "statistics",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/QueueStats"
        }
       }
      }
     },
     "404": {
      "description": "no such queue",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ]
   }
  },
  "/api/v1/queues/{name}/pause": {
   "post": {
    "summary": "Pause a queue",
    "operationId": "pauseQueue",
    "responses": {
     "200": {
      "description": "statistics",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/QueueStats"
        }
       }
      }
     },
     "404": {
      "description": "no such queue",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ]
   }
  },
  "/api/v1/queues/{name}/resume": {
   "post": {
    "summary": "Resume a queue",
    "operationId": "resumeQueue",
    "responses": {
     "200": {
      "description": "statistics",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/QueueStats"
        }
       }
      }
     },
     "404": {
      "description": "no such queue",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ]
   }
  },
  "/api/v1/schedules": {
   "get": {
    "summary": "Schedules",
    "operationId": "listSchedules",
    "responses": {
     "200": {
      "description": "schedules",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Schedule"
         }
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/schedules/{name}": {
   "put": {
    "summary": "Change a schedule's trigger",
    "operationId": "updateSchedule",
    "responses": {
     "200": {
      "description": "the schedule",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Schedule"
        }
       }
      }
     },
     "404": {
      "description": "no such schedule",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/ScheduleUpdate"
       }
      }
     }
    }
   }
  },
  "/api/v1/schedules/{name}/pause": {
   "post": {
    "summary": "Pause a schedule",
    "operationId": "pauseSchedule",
    "responses": {
     "200": {
      "description": "the schedule",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Schedule"
        }
       }
      }
     },
     "404": {
      "description": "no such schedule",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ]
   }
  },
  "/api/v1/schedules/{name}/resume": {
   "post": {
    "summary": "Resume a schedule",
    "operationId": "resumeSchedule",
    "responses": {
     "200": {
      "description": "the schedule",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Schedule"
        }
       }
      }
     },
     "404": {
      "description": "no such schedule",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ]
   }
  },
  "/api/v1/schedules/{name}/trigger": {
   "post": {
    "summary": "Enqueue a schedule's job now",
    "operationId": "triggerSchedule",
    "responses": {
     "201": {
      "description": "the job",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Enqueued"
        }
       }
      }
     },
     "404": {
      "description": "no such schedule",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ]
   }
  },
  "/api/v1/workflows": {
   "post": {
    "summary": "Apply workflow definitions (YAML or JSON)",
    "operationId": "applyWorkflows",
    "responses": {
     "201": {
      "description": "what was applied",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Applied"
         }
        }
       }
      }
     },
     "413": {
      "description": "body too large",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/yaml": {
       "schema": {
        "type": "string"
       }
      },
      "application/json": {
       "schema": {
        "type": "object"
       }
      }
     }
    }
   },
   "get": {
    "summary": "Definitions and recent executions",
    "operationId": "listWorkflows",
    "responses": {
     "200": {
      "description": "the list",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WorkflowList"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/workflows/{name}/runs": {
   "post": {
    "summary": "Start an execution",
    "operationId": "runWorkflow",
    "responses": {
     "404": {
      "description": "not found",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "201": {
      "description": "the execution",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WorkflowRun"
        }
       }
      }
     },
     "413": {
      "description": "body too large",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/RunRequest"
       }
      }
     }
    }
   }
  },
  "/api/v1/workflow-runs": {
   "get": {
    "summary": "Executions, newest first",
    "operationId": "listWorkflowRuns",
    "responses": {
     "200": {
      "description": "executions",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/WorkflowRunRow"
         }
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "workflow",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "state",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 1000
      }
     }
    ]
   }
  },
  "/api/v1/workflow-runs/{id}": {
   "get": {
    "summary": "An execution with its tasks",
    "operationId": "getWorkflowRun",
    "responses": {
     "200": {
      "description": "the execution",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WorkflowRun"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "not found",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ]
   }
  },
  "/api/v1/workflow-runs/{id}/logs": {
   "get": {
    "summary": "An execution's log",
    "operationId": "workflowRunLogs",
    "responses": {
     "200": {
      "description": "events",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/WorkflowEvent"
         }
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "not found",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ]
   }
  },
  "/api/v1/workflow-runs/{id}/cancel": {
   "post": {
    "summary": "Cancel an execution",
    "operationId": "cancelWorkflowRun",
    "responses": {
     "200": {
      "description": "the execution",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WorkflowRun"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "the execution is not in a state this action applies to (invalid_transition)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "not found",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ]
   }
  },
  "/api/v1/workflow-runs/{id}/retry": {
   "post": {
    "summary": "Retry a failed or cancelled execution from its failed tasks",
    "operationId": "retryWorkflowRun",
    "responses": {
     "200": {
      "description": "the execution",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/WorkflowRun"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "the execution is not in a state this action applies to (invalid_transition)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "not found",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ]
   }
  },
  "/api/v1/monitors": {
   "get": {
    "summary": "Data-quality tasks run by this server, with window counts",
    "operationId": "listMonitors",
    "responses": {
     "200": {
      "description": "tasks",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Monitor"
         }
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/monitors/{task}/windows": {
   "get": {
    "summary": "A task's newest windows, newest first",
    "operationId": "monitorWindows",
    "parameters": [
     {
      "name": "task",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "failed",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "true",
        "false"
       ]
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 1000
      }
     }
    ],
    "responses": {
     "200": {
      "description": "windows (the records of `quality run`, with `passed`)",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "type": "object"
         }
        }
       }
      }
     },
     "404": {
      "description": "no such task",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/session": {
   "get": {
    "summary": "What the presented token may do (null: no valid token; never 401)",
    "operationId": "session",
    "responses": {
     "200": {
      "description": "the scope",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "scope"
         ],
         "properties": {
          "scope": {
           "type": [
            "string",
            "null"
           ],
           "enum": [
            "read",
            "admin",
            null
           ]
          }
         }
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/queues/{name}/history": {
   "get": {
    "summary": "The last hour of a queue's statistics, sampled every 5 s by this server",
    "operationId": "queueHistory",
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "samples, oldest first",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/QueueSample"
         }
        }
       }
      }
     },
     "404": {
      "description": "no such queue",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/pipelines": {
   "post": {
    "summary": "Apply the pipeline catalog (YAML or JSON `pipelines` and `datasets`)",
    "operationId": "applyPipelines",
    "responses": {
     "200": {
      "description": "what was applied",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PipelineApplied"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/yaml": {
       "schema": {
        "type": "string"
       }
      },
      "application/json": {
       "schema": {
        "type": "object"
       }
      }
     }
    }
   },
   "get": {
    "summary": "The stored pipelines and declared datasets",
    "operationId": "getPipelines",
    "responses": {
     "200": {
      "description": "the catalog",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PipelineCatalog"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/pipelines/{name}/executions": {
   "post": {
    "summary": "Record that an execution started",
    "operationId": "startPipelineExecution",
    "responses": {
     "201": {
      "description": "the execution",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PipelineExecution"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "not found",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/StartRequest"
       }
      }
     }
    }
   }
  },
  "/api/v1/pipeline-executions": {
   "get": {
    "summary": "Executions, newest first",
    "operationId": "listPipelineExecutions",
    "responses": {
     "200": {
      "description": "executions",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/PipelineExecution"
         }
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "pipeline",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "state",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 1000
      }
     }
    ]
   }
  },
  "/api/v1/pipeline-executions/{id}": {
   "get": {
    "summary": "One execution",
    "operationId": "getPipelineExecution",
    "responses": {
     "200": {
      "description": "the execution",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PipelineExecution"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "not found",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ]
   }
  },
  "/api/v1/pipeline-executions/{id}/tree": {
   "get": {
    "summary": "An execution and every execution under it",
    "operationId": "getPipelineExecutionTree",
    "responses": {
     "200": {
      "description": "the tree",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PipelineTree"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "not found",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ]
   }
  },
  "/api/v1/pipeline-executions/{id}/finish": {
   "post": {
    "summary": "Record that an execution finished; answers once its anomaly check has run",
    "operationId": "finishPipelineExecution",
    "responses": {
     "200": {
      "description": "the anomalies found",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/AnomalyReport"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "not found",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "already finished, or the check failed",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "504": {
      "description": "the check did not finish in time",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/FinishRequest"
       }
      }
     }
    }
   }
  },
  "/api/v1/pipeline-anomalies": {
   "get": {
    "summary": "Recorded anomalies, newest first",
    "operationId": "listPipelineAnomalies",
    "responses": {
     "200": {
      "description": "anomalies",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "anomalies": {
           "type": "array",
           "items": {
            "$ref": "#/components/schemas/PipelineAnomaly"
           }
          }
         },
         "required": [
          "anomalies"
         ]
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "pipeline",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 10000
      }
     }
    ]
   }
  },
  "/api/v1/checks/freshness": {
   "get": {
    "summary": "Datasets older than their max_age, or never modified",
    "operationId": "checkFreshness",
    "responses": {
     "200": {
      "description": "stale and fresh datasets",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/FreshnessReport"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "as_of",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date-time"
      }
     }
    ]
   }
  },
  "/api/v1/checks/timeliness": {
   "get": {
    "summary": "Executions started within the lookback that ran past their max_duration",
    "operationId": "checkTimeliness",
    "responses": {
     "200": {
      "description": "late executions",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/TimelinessReport"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "lookback",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "as_of",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "format": "date-time"
      }
     }
    ]
   }
  },
  "/api/v1/datasets/{name}/touch": {
   "post": {
    "summary": "Record that a dataset was modified",
    "operationId": "touchDataset",
    "responses": {
     "200": {
      "description": "the dataset and the instant",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Touched"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "not found",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/TouchRequest"
       }
      }
     }
    }
   }
  },
  "/api/v1/lineage/{dataset}": {
   "get": {
    "summary": "Datasets downstream or upstream of a dataset, nearest first",
    "operationId": "getLineage",
    "responses": {
     "200": {
      "description": "the datasets with their distance",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Lineage"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "not found",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "dataset",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "direction",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "downstream",
        "upstream"
       ]
      }
     }
    ]
   }
  },
  "/api/v1/quality/checks/{name}/report": {
   "get": {
    "summary": "A batch check's latest run compared with the one before",
    "operationId": "getQualityReport",
    "responses": {
     "200": {
      "description": "the report",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/QualityReport"
        }
       }
      }
     },
     "400": {
      "description": "invalid request",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "read-only token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store unavailable or timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "no stored runs",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "last",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 1000000
      }
     }
    ]
   }
  }
 }
}
"""#
}
