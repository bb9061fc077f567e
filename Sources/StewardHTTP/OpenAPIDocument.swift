/// The OpenAPI 3.1 document of `/api/v1`, served at `/api/v1/openapi.json`. A test checks that it
/// lists exactly the routes the router has; schemathesis checks the answers against it.
enum OpenAPIDocument {
    static let json = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "Steward API",
  "version": "1",
  "description": "Jobs, queues, schedules and workflows. JSON shapes are those of the CLI's --json (docs/operations.md)."
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
  }
 }
}
"""#
}
