package terraform

import "github.com/slm-project/slm/compiler/ir"

// What the Terraform and the Greengrass backend agree on with the edge runtime. The runtime writes one
// CloudWatch embedded metric format (EMF) record a line to its metrics log; Greengrass' log manager ships
// that file to the component's log group, where CloudWatch extracts the metrics the alarms watch.
const (
	// ArtifactsPrefix is where, under an edge storage location's prefix, the content-addressed component
	// artifacts live: <prefix>artifacts/<sha256>/<file>. Devices may read only these objects.
	ArtifactsPrefix = "artifacts/"
	// EdgeMetricsNamespace is the CloudWatch namespace of the edge runtime's metrics.
	EdgeMetricsNamespace = "slm/edge"
	// EdgeMetricRequests counts classification requests, EdgeMetricErrors the failed ones; EdgeMetricLatency
	// is each request's latency in milliseconds (CloudWatch computes p95 from the values).
	EdgeMetricRequests = "Requests"
	EdgeMetricErrors   = "Errors"
	EdgeMetricLatency  = "LatencyMs"
)

// EdgeDriftMetrics are the runtime's drift statistics in its EMF records (runtime/server EMFDrift), by
// the alarm metric that watches each: unit-less, present once the live window holds enough answers.
var EdgeDriftMetrics = map[ir.AlarmMetric]string{
	ir.AlarmEdgeDriftConfidence: "DriftConfidencePSI",
	ir.AlarmEdgeDriftLabels:     "DriftLabelPSI",
	ir.AlarmEdgeDriftTokens:     "DriftTokensPSI",
	ir.AlarmEdgeOOSRateChange:   "OutOfScopeRateChange",
}

// EdgeMetricDimensions are the dimensions of every edge metric, in EMF order.
var EdgeMetricDimensions = []string{"Project", "Environment", "EdgeTarget"}

// GreengrassLogGroup is the log group Greengrass' log manager writes a user component's logs to.
func GreengrassLogGroup(region, component string) string {
	return "/aws/greengrass/UserComponent/" + region + "/" + component
}
