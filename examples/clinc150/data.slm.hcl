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

  # A var file that names split_field (envs/full.slmvars.hcl: CLINC150's
  # official train/validation/test, which the rows carry) keeps the
  # dataset's own split; otherwise (null) a seeded split stratified by
  # label, 80/10/10. A null attribute is one not written.
  split {
    field      = var.split_field
    train      = var.split_field == null ? 0.8 : null
    validation = var.split_field == null ? 0.1 : null
    test       = var.split_field == null ? 0.1 : null
  }

  compute {
    instance_type = "ml.m5.large"
    max_runtime   = "1h"
  }

  cache {
    expire_after = "P30D"
  }
}
