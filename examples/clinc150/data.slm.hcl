dataset "intents" {
  source      = param.input_data_uri
  format      = "jsonl"
  text_field  = "text"
  label_field = "intent"

  expect {
    min_rows               = var.min_rows
    max_rows               = 5000000
    not_null               = ["text", "intent"]
    text_min_length        = 1
    text_max_length        = 512
    max_duplicate_ratio    = 0.05
    min_examples_per_label = 20
  }
}

prepare "intents" {
  dataset = dataset.intents
  output  = storage.data

  cleaning {
    unicode_nfc         = true
    collapse_whitespace = true
    lowercase           = false
    deduplicate         = true
  }

  split {
    train      = 0.8
    validation = 0.1
    test       = 0.1
    stratify   = true
    seed       = 42
  }

  compute {
    instance_type = "ml.m5.large"
    max_runtime   = "1h"
  }

  cache {
    expire_after = "P30D"
  }
}
