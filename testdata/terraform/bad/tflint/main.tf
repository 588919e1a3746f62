# Negative control for make check-infra: tflint with the AWS ruleset must reject this (an alarm
# statistic CloudWatch does not have), proving the ruleset is loaded and enforcing.
terraform {
  required_version = ">= 1.10.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.52"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "bad" {
  alarm_name          = "bad"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  metric_name         = "Errors"
  namespace           = "slm/edge"
  period              = 60
  statistic           = "Total"
  threshold           = 1
}
