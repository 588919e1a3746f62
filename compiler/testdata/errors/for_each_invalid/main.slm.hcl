locals {
  languages = toset(["en", "de"])
}

dataset "intents" {
  for_each = local.languages
  source   = "${storage.data.uri}${each.key}/"
  format   = "jsonl"
}

dataset "one" {
  for_each = "en" # ERROR: Invalid for_each argument
  source   = "${storage.data.uri}one/"
  format   = "jsonl"
}

dataset "keys" {
  for_each = toset(["en", "fr/ca"]) # ERROR: Invalid for_each argument
  source   = "${storage.data.uri}keys/"
  format   = "jsonl"
}
