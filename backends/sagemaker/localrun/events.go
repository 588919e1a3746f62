package localrun

// Event is one thing that happened in an execution, in order. `slm run
// --json` prints one per line; the terminal view renders them.
type Event struct {
	// Event is execution_started, step_started, step_log, step_metric,
	// step_succeeded, step_cached, step_failed, step_not_executed,
	// condition_evaluated, registered, execution_succeeded or
	// execution_failed.
	Event    string `json:"event"`
	Step     string `json:"step,omitempty"`
	StepType string `json:"step_type,omitempty"`
	// Message: a log line, a failure's reason, the Fail step's message.
	Message string `json:"message,omitempty"`
	// Stream is "stdout" or "stderr" for step_log.
	Stream string  `json:"stream,omitempty"`
	Metric *Metric `json:"metric,omitempty"`
	// Outcome and Conditions: a Condition step's verdict and each
	// comparison with the measured values.
	Outcome    *bool             `json:"outcome,omitempty"`
	Conditions []ConditionResult `json:"conditions,omitempty"`
	// Seconds a step took (step_succeeded, step_failed).
	Seconds float64 `json:"seconds,omitempty"`
	// Log is the step's log file; Dir the execution's directory.
	Log string `json:"log,omitempty"`
	Dir string `json:"dir,omitempty"`
	// CachedFrom is the execution whose run a cached step reuses.
	CachedFrom string `json:"cached_from,omitempty"`
	// Registered: the model package written to the local registry.
	Registered  string `json:"registered,omitempty"`
	ExecutionID string `json:"execution_id,omitempty"`
	// Outputs: where a step wrote (S3 URI -> local path).
	Outputs map[string]string `json:"outputs,omitempty"`
}

// Metric is a training metric matched by one of the definition's
// MetricDefinitions regexes.
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	// Step is the training step the line reports, when it says.
	Step int `json:"step,omitempty"`
}
