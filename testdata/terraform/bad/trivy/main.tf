# Negative control for make check-infra: trivy must report HIGH findings here (a bucket without a public
# access block or encryption), proving its embedded checks run offline.
resource "aws_s3_bucket" "bad" {
  bucket = "slm-negative-control"
}
