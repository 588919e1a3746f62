package terraform

import (
	"fmt"

	"github.com/slm-project/slm/compiler/ir"
)

// monitoring writes the alarm topic (encrypted with the estate's key) and its subscriptions, the
// alarms from the configuration, a dashboard, and the EventBridge rule that announces model package
// approvals, which starts the promotion flow.
func (g *gen) monitoring() {
	file := "monitoring.tf"
	topic := g.resource(file, "aws_sns_topic", "alarms", "name", g.p.Project.PipelineName+"-alarms")
	topic.set("name", tmpl(ref("local", "name"), "-alarms"))
	topic.set("kms_master_key_id", ref("aws_kms_key", "this", "arn"))
	topicArn := ref("aws_sns_topic", "alarms", "arn")

	doc := g.policy(file, "alarms_topic", statement{
		sid: "AlarmsAndEventsPublish", actions: []string{"sns:Publish"}, resources: []expr{topicArn},
		principals: map[string][]expr{"Service": lits("cloudwatch.amazonaws.com", "events.amazonaws.com")},
		conditions: []condition{{"StringEquals", "aws:SourceAccount", []expr{ref("local", "account_id")}}},
	})
	tp := g.resource(file, "aws_sns_topic_policy", "alarms")
	tp.set("arn", topicArn)
	tp.set("policy", doc)

	// One subscription per address through for_each, so every environment declares the same addresses.
	s := g.resourceEach(file, "aws_sns_topic_subscription", "alarms_email", g.p.Monitoring.NotifyEmails,
		func(addr string) []string {
			return []string{"email", addr, "confirmed by", "the recipient (a link AWS mails)"}
		})
	s.set("for_each", call("toset", emails(g.p.Monitoring.NotifyEmails)))
	s.set("topic_arn", topicArn)
	s.set("protocol", "email")
	s.set("endpoint", ref("each", "value"))

	for _, a := range g.p.Monitoring.Alarms {
		g.alarm(a, topicArn)
	}
	g.dashboard()
	g.approvalRule(topicArn)
}

func (g *gen) alarm(a ir.Alarm, topic expr) {
	file := "monitoring.tf"
	switch a.Metric {
	case ir.AlarmPipelineFailed:
		n := "pipeline_" + tfName(a.Name)
		al := g.resource(file, "aws_cloudwatch_metric_alarm", n, "watches", "SageMaker ExecutionFailed", "threshold", fmt.Sprintf(">= %g", a.Threshold))
		g.alarmCommon(al, a, a.Name, "SageMaker pipeline executions failed", topic)
		al.set("namespace", "AWS/Sagemaker/ModelBuildingPipeline")
		al.set("metric_name", "ExecutionFailed")
		al.set("dimensions", map[string]any{"PipelineName": g.p.Project.PipelineName})
		al.set("statistic", "Sum")
	case ir.AlarmEdgeErrorRate, ir.AlarmEdgeLatencyP95, ir.AlarmEdgeDriftConfidence, ir.AlarmEdgeDriftLabels, ir.AlarmEdgeDriftTokens, ir.AlarmEdgeOOSRateChange:
		targets := g.p.EdgeTargets
		if a.EdgeTarget != "" {
			e, ok := g.edgeTarget(a.EdgeTarget)
			if !ok {
				panic(fmt.Sprintf("alarm %q watches edge target %q, which is not declared", a.Name, a.EdgeTarget))
			}
			targets = []ir.EdgeTarget{e}
		}
		for _, e := range targets {
			n := tfName(a.Name + "_" + e.Name)
			dims := g.edgeDimensions(e)
			if emfName, ok := EdgeDriftMetrics[a.Metric]; ok {
				// A device reports its window's statistic every interval; the worst in the period counts.
				al := g.resource(file, "aws_cloudwatch_metric_alarm", n, "watches", "edge drift "+emfName+" ("+e.Name+")", "threshold", fmt.Sprintf(">= %g", a.Threshold))
				g.alarmCommon(al, a, a.Name+"-"+e.Name, "drift of live traffic from the model's reference profile on "+e.Name+" devices: "+emfName, topic)
				al.set("namespace", EdgeMetricsNamespace)
				al.set("metric_name", emfName)
				al.set("dimensions", dims)
				al.set("statistic", "Maximum")
				continue
			}
			if a.Metric == ir.AlarmEdgeLatencyP95 {
				al := g.resource(file, "aws_cloudwatch_metric_alarm", n, "watches", "edge p95 latency ("+e.Name+")", "threshold", fmt.Sprintf(">= %g ms", a.Threshold))
				g.alarmCommon(al, a, a.Name+"-"+e.Name, "p95 classification latency on "+e.Name+" devices (ms)", topic)
				al.set("namespace", EdgeMetricsNamespace)
				al.set("metric_name", EdgeMetricLatency)
				al.set("dimensions", dims)
				al.set("extended_statistic", "p95")
				al.set("unit", "Milliseconds")
				continue
			}
			al := g.resource(file, "aws_cloudwatch_metric_alarm", n, "watches", "edge error rate ("+e.Name+")", "threshold", fmt.Sprintf(">= %g %%", a.Threshold))
			g.alarmCommon(al, a, a.Name+"-"+e.Name, "percentage of failed classification requests on "+e.Name+" devices", topic)
			rate := al.child("metric_query")
			rate.set("id", "error_rate")
			rate.set("label", "Error rate (%)")
			rate.set("expression", "IF(requests > 0, 100 * errors / requests, 0)")
			rate.set("return_data", true)
			for _, m := range []struct{ id, metric string }{{"errors", EdgeMetricErrors}, {"requests", EdgeMetricRequests}} {
				q := al.child("metric_query")
				q.set("id", m.id)
				mb := q.child("metric")
				mb.set("namespace", EdgeMetricsNamespace)
				mb.set("metric_name", m.metric)
				mb.set("dimensions", dims)
				mb.set("period", a.PeriodSeconds)
				mb.set("stat", "Sum")
			}
		}
	default:
		panic(fmt.Sprintf("alarm %q: metric %q has no CloudWatch wiring (known: %s, %s, %s, %v)", a.Name, a.Metric, ir.AlarmPipelineFailed, ir.AlarmEdgeErrorRate, ir.AlarmEdgeLatencyP95, ir.EdgeDriftMetrics))
	}
}

func (g *gen) alarmCommon(al block, a ir.Alarm, name, description string, topic expr) {
	al.set("alarm_name", tmpl(ref("local", "name"), "-"+name))
	al.set("alarm_description", description+" (slm)")
	al.set("comparison_operator", "GreaterThanOrEqualToThreshold")
	al.set("threshold", a.Threshold)
	al.set("evaluation_periods", a.EvaluationPeriods)
	if _, drift := EdgeDriftMetrics[a.Metric]; drift || a.Metric == ir.AlarmPipelineFailed || a.Metric == ir.AlarmEdgeLatencyP95 {
		al.set("period", a.PeriodSeconds)
	}
	// No data means no executions or no traffic, not a failure.
	al.set("treat_missing_data", "notBreaching")
	al.set("alarm_actions", []expr{topic})
	al.set("ok_actions", []expr{topic})
}

func (g *gen) edgeDimensions(e ir.EdgeTarget) map[string]any {
	vals := []string{g.p.Project.Name, g.p.Project.Environment, e.Name}
	dims := map[string]any{}
	for i, d := range EdgeMetricDimensions {
		dims[d] = vals[i]
	}
	return dims
}

// dashboard shows pipeline executions and, per edge target, requests, errors and latency.
func (g *gen) dashboard() {
	pipeline := g.p.Project.PipelineName
	region := ref("local", "region")
	widgets := []any{
		map[string]any{"type": "metric", "x": 0, "y": 0, "width": 24, "height": 6, "properties": map[string]any{
			"title": "Pipeline executions", "region": region, "stat": "Sum", "period": 300, "view": "timeSeries",
			"metrics": []any{
				[]any{"AWS/Sagemaker/ModelBuildingPipeline", "ExecutionStarted", "PipelineName", pipeline},
				[]any{".", "ExecutionSucceeded", ".", "."},
				[]any{".", "ExecutionFailed", ".", "."},
			}}},
	}
	for i, e := range g.p.EdgeTargets {
		dims := []any{}
		for _, d := range EdgeMetricDimensions {
			dims = append(dims, d, g.edgeDimensions(e)[d])
		}
		y := 6 * (i + 1)
		withMetric := func(m string) []any { return append([]any{EdgeMetricsNamespace, m}, dims...) }
		widgets = append(widgets,
			map[string]any{"type": "metric", "x": 0, "y": y, "width": 12, "height": 6, "properties": map[string]any{
				"title": e.Name + ": requests and errors", "region": region, "stat": "Sum", "period": 60, "view": "timeSeries",
				"metrics": []any{withMetric(EdgeMetricRequests), withMetric(EdgeMetricErrors)}}},
			map[string]any{"type": "metric", "x": 12, "y": y, "width": 12, "height": 6, "properties": map[string]any{
				"title": e.Name + ": latency (ms)", "region": region, "period": 60, "view": "timeSeries",
				"metrics": []any{
					append(withMetric(EdgeMetricLatency), map[string]any{"stat": "p50"}),
					append(withMetric(EdgeMetricLatency), map[string]any{"stat": "p95"}),
				}}},
		)
	}
	d := g.resource("monitoring.tf", "aws_cloudwatch_dashboard", "this", "name", pipeline, "widgets", fmt.Sprint(len(widgets)))
	d.set("dashboard_name", ref("local", "name"))
	d.set("dashboard_body", call("jsonencode", map[string]any{"widgets": widgets}))
}

// approvalRule announces approved model packages of the pipeline's groups on the alarm topic, where the
// promotion flow (CI running slm apply for the edge) subscribes.
func (g *gen) approvalRule(topic expr) {
	groups := g.packageGroups()
	if len(groups) == 0 {
		return
	}
	file := "monitoring.tf"
	pattern := map[string]any{
		"source":      []string{"aws.sagemaker"},
		"detail-type": []string{"SageMaker Model Package State Change"},
		"detail": map[string]any{
			"ModelPackageGroupName": groups,
			"ModelApprovalStatus":   []string{"Approved"},
		},
	}
	r := g.resource(file, "aws_cloudwatch_event_rule", "model_approved", "event", "SageMaker Model Package State Change: Approved")
	r.set("name", tmpl(ref("local", "name"), "-model-approved"))
	r.set("description", "A model package of the slm pipeline was approved: promote it to the edge")
	r.set("event_pattern", call("jsonencode", pattern))
	t := g.resource(file, "aws_cloudwatch_event_target", "model_approved", "target", "alarm topic")
	t.set("rule", ref("aws_cloudwatch_event_rule", "model_approved", "name"))
	t.set("target_id", "notify")
	t.set("arn", topic)
}

// emails is the address list as a value; an empty list stays an empty tuple rather than being left out.
func emails(list []string) any {
	if len(list) == 0 {
		return []any{}
	}
	return list
}
