locals {
  languages = toset(["en", "de"])
}

dataset "intents" {
  for_each = local.languages
  source   = "${storage.data.uri}${each.key}/"
  format   = "jsonl"
}

prepare "p" {
  dataset = dataset.intents # ERROR: Reference to a repeated block
  output  = storage.data
}

prepare "q" {
  dataset = dataset.intents["fr"] # ERROR: Reference to undeclared block
  output  = storage.data
}

dataset "outside" {
  source = "${storage.data.uri}${each.key}/" # ERROR: Unknown reference
  format = "jsonl"
}
