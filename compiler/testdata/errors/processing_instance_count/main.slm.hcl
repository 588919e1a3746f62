# Before, two instances each ran the whole prepare job, writing the same
# outputs; de-duplication and the stratified split need the whole dataset.
dataset "d" {
  source = "s3://t-data-bucket/raw/"
  format = "jsonl"
}

prepare "p" {
  dataset = dataset.d
  output  = storage.data
  compute {
    instance_type  = "ml.m5.xlarge"
    instance_count = 2 # ERROR: Step cannot scale out
  }
}
