resource "aws_sns_topic" "alarms" {
  name              = "${local.name}-alarms"
  kms_master_key_id = aws_kms_key.this.arn
}

data "aws_iam_policy_document" "alarms_topic" {
  statement {
    sid       = "AlarmsAndEventsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms_topic.json
}

resource "aws_sns_topic_subscription" "alarms_email" {
  for_each  = toset([])
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_metric_alarm" "edge_errors_stores" {
  alarm_name          = "${local.name}-edge-errors-stores"
  alarm_description   = "percentage of failed classification requests on stores devices (slm)"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 5
  evaluation_periods  = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  metric_query {
    id          = "error_rate"
    label       = "Error rate (%)"
    expression  = "IF(requests > 0, 100 * errors / requests, 0)"
    return_data = true
  }
  metric_query {
    id = "errors"
    metric {
      namespace   = "slm/edge"
      metric_name = "Errors"
      dimensions = {
        EdgeTarget  = "stores"
        Environment = "dev"
        Project     = "intent"
      }
      period = 300
      stat   = "Sum"
    }
  }
  metric_query {
    id = "requests"
    metric {
      namespace   = "slm/edge"
      metric_name = "Requests"
      dimensions = {
        EdgeTarget  = "stores"
        Environment = "dev"
        Project     = "intent"
      }
      period = 300
      stat   = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "edge_latency_stores" {
  alarm_name          = "${local.name}-edge-latency-stores"
  alarm_description   = "p95 classification latency on stores devices (ms) (slm)"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 50
  evaluation_periods  = 3
  period              = 300
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  namespace           = "slm/edge"
  metric_name         = "LatencyMs"
  dimensions = {
    EdgeTarget  = "stores"
    Environment = "dev"
    Project     = "intent"
  }
  extended_statistic = "p95"
  unit               = "Milliseconds"
}

resource "aws_cloudwatch_metric_alarm" "pipeline_pipeline_failed" {
  alarm_name          = "${local.name}-pipeline-failed"
  alarm_description   = "SageMaker pipeline executions failed (slm)"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  evaluation_periods  = 1
  period              = 300
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  namespace           = "AWS/Sagemaker/ModelBuildingPipeline"
  metric_name         = "ExecutionFailed"
  dimensions = {
    PipelineName = "intent-dev"
  }
  statistic = "Sum"
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = local.name
  dashboard_body = jsonencode({
    widgets = [{
      height = 6
      properties = {
        metrics = [["AWS/Sagemaker/ModelBuildingPipeline", "ExecutionStarted", "PipelineName", "intent-dev"], [".", "ExecutionSucceeded", ".", "."], [".", "ExecutionFailed", ".", "."]]
        period  = 300
        region  = local.region
        stat    = "Sum"
        title   = "Pipeline executions"
        view    = "timeSeries"
      }
      type  = "metric"
      width = 24
      x     = 0
      y     = 0
      }, {
      height = 6
      properties = {
        metrics = [["slm/edge", "Requests", "Project", "intent", "Environment", "dev", "EdgeTarget", "stores"], ["slm/edge", "Errors", "Project", "intent", "Environment", "dev", "EdgeTarget", "stores"]]
        period  = 60
        region  = local.region
        stat    = "Sum"
        title   = "stores: requests and errors"
        view    = "timeSeries"
      }
      type  = "metric"
      width = 12
      x     = 0
      y     = 6
      }, {
      height = 6
      properties = {
        metrics = [["slm/edge", "LatencyMs", "Project", "intent", "Environment", "dev", "EdgeTarget", "stores", {
          stat = "p50"
          }], ["slm/edge", "LatencyMs", "Project", "intent", "Environment", "dev", "EdgeTarget", "stores", {
          stat = "p95"
        }]]
        period = 60
        region = local.region
        title  = "stores: latency (ms)"
        view   = "timeSeries"
      }
      type  = "metric"
      width = 12
      x     = 12
      y     = 6
    }]
  })
}

resource "aws_cloudwatch_event_rule" "model_approved" {
  name        = "${local.name}-model-approved"
  description = "A model package of the slm pipeline was approved: promote it to the edge"
  event_pattern = jsonencode({
    detail = {
      ModelApprovalStatus   = ["Approved"]
      ModelPackageGroupName = ["slm-dev-intent-classifier"]
    }
    detail-type = ["SageMaker Model Package State Change"]
    source      = ["aws.sagemaker"]
  })
}

resource "aws_cloudwatch_event_target" "model_approved" {
  rule      = aws_cloudwatch_event_rule.model_approved.name
  target_id = "notify"
  arn       = aws_sns_topic.alarms.arn
}
