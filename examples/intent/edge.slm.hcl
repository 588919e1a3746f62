edge_target "stores" {
  model            = register.intent
  thing_group      = "intent-stores-${var.env}"
  platforms        = ["linux/amd64", "linux/arm64"]
  component_name   = "com.example.slm.IntentClassifier"
  variant          = "int8"
  storage          = storage.edge
  failure_handling = "ROLLBACK"

  rollout {
    base_rate_per_minute         = var.rollout_rate
    increment_factor             = 2
    succeeded_things_to_increase = 10
    max_per_minute               = 50
    abort_failure_percent        = 10
    abort_min_executed_things    = 5
    timeout_minutes              = 60
  }

  runtime {
    listen    = "127.0.0.1:8181"
    threads   = 2
    max_batch = 8
    max_wait  = "5ms"
  }
}

monitoring {
  notify_emails = var.alert_emails

  alarm "pipeline-failed" {
    metric    = "pipeline_execution_failed"
    threshold = 1
  }

  alarm "edge-errors" {
    metric             = "edge_error_rate"
    threshold          = 5
    period             = "5m"
    evaluation_periods = 3
    edge_target        = edge_target.stores
  }

  alarm "edge-latency" {
    metric             = "edge_latency_p95_ms"
    threshold          = 50
    period             = "5m"
    evaluation_periods = 3
    edge_target        = edge_target.stores
  }
}
