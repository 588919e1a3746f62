# Before, the edge alarm was dropped without a word: there is no edge
# target to watch.
monitoring {
  notify_emails = ["ml@example.com"]

  alarm "failed" {
    metric    = "pipeline_execution_failed"
    threshold = 1
  }

  alarm "latency" {
    metric    = "edge_latency_p95_ms" # ERROR: Edge alarm without an edge target
    threshold = 50
  }
}
