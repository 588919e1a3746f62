resource "aws_iot_thing_group" "stores" {
  name = "intent-stores-staging"
  properties {
    description = "slm intent-staging: devices running com.example.slm.IntentClassifier"
  }
}

resource "aws_cloudwatch_log_group" "edge_com_example_slm_intentclassifier" {
  name              = "/aws/greengrass/UserComponent/${local.region}/com.example.slm.IntentClassifier"
  retention_in_days = 90
  kms_key_id        = aws_kms_key.this.arn
}

data "aws_iam_policy_document" "tes_trust" {
  statement {
    sid     = "IoTCredentialsProviderAssumes"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["credentials.iot.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "greengrass_tes" {
  name               = "${local.name}-greengrass-tes"
  description        = "Greengrass token exchange role: read slm edge artifacts, write slm component logs"
  assume_role_policy = data.aws_iam_policy_document.tes_trust.json
}

data "aws_iam_policy_document" "greengrass_tes" {
  statement {
    sid       = "ReadEdgeArtifacts"
    actions   = ["s3:GetObject"]
    resources = ["arn:${local.partition}:s3:::slm-edge-deployments-staging-acme/artifacts/*"]
  }
  statement {
    sid       = "LocateEdgeBuckets"
    actions   = ["s3:GetBucketLocation"]
    resources = ["arn:${local.partition}:s3:::slm-edge-deployments-staging-acme"]
  }
  statement {
    sid       = "DecryptEdgeArtifacts"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }
  statement {
    sid       = "ShipComponentLogs"
    actions   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.edge_com_example_slm_intentclassifier.arn}:*"]
  }
}

resource "aws_iam_role_policy" "greengrass_tes" {
  name   = "slm-greengrass-tes"
  role   = aws_iam_role.greengrass_tes.id
  policy = data.aws_iam_policy_document.greengrass_tes.json
}

resource "aws_iot_role_alias" "greengrass_tes" {
  alias               = "${local.name}-greengrass-tes"
  role_arn            = aws_iam_role.greengrass_tes.arn
  credential_duration = 3600
}

resource "aws_iot_policy" "greengrass_tes" {
  name = "${local.name}-greengrass-tes"
  policy = jsonencode({
    Statement = [{
      Action   = "iot:AssumeRoleWithCertificate"
      Effect   = "Allow"
      Resource = aws_iot_role_alias.greengrass_tes.arn
    }]
    Version = "2012-10-17"
  })
}
