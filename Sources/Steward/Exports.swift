// The shared vocabulary (JSONValue, JobID, StewardError, clocks, durations) is part of Steward's
// API: `import Steward` brings it, as before it became a target of its own.
@_exported import StewardSupport
