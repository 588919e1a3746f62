data "aws_iam_policy_document" "sagemaker_trust" {
  statement {
    sid     = "SageMakerAssumes"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "sagemaker_execution" {
  name               = "intent-dev-sagemaker"
  description        = "SageMaker pipeline and job execution role (slm)"
  assume_role_policy = data.aws_iam_policy_document.sagemaker_trust.json
}

data "aws_iam_policy_document" "sagemaker_execution" {
  statement {
    sid       = "ReadWritePipelineData"
    actions   = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    resources = ["arn:${local.partition}:s3:::slm-edge-deployments-dev-acme/*", "arn:${local.partition}:s3:::slm-intents-dev-acme/processed/*", "arn:${local.partition}:s3:::slm-intents-dev-acme/raw/*", "arn:${local.partition}:s3:::slm-model-artifacts-dev-acme/*"]
  }
  statement {
    sid       = "ListPipelinePrefixes"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${local.partition}:s3:::slm-edge-deployments-dev-acme", "arn:${local.partition}:s3:::slm-intents-dev-acme", "arn:${local.partition}:s3:::slm-model-artifacts-dev-acme"]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["*", "processed/*", "raw/*"]
    }
  }
  statement {
    sid       = "LocatePipelineBuckets"
    actions   = ["s3:GetBucketLocation"]
    resources = ["arn:${local.partition}:s3:::slm-edge-deployments-dev-acme", "arn:${local.partition}:s3:::slm-intents-dev-acme", "arn:${local.partition}:s3:::slm-model-artifacts-dev-acme"]
  }
  statement {
    sid       = "UseDataKeys"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }
  statement {
    sid       = "SageMakerJobLogs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker/*"]
  }
  statement {
    sid       = "SageMakerJobMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringLike"
      variable = "cloudwatch:namespace"
      values   = ["/aws/sagemaker/*"]
    }
  }
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "PullStepImages"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = ["arn:${local.partition}:ecr:eu-west-1:763104351884:repository/huggingface-pytorch-training", "arn:${local.partition}:ecr:eu-west-1:763104351884:repository/pytorch-inference"]
  }
  statement {
    sid       = "RunPipelineJobs"
    actions   = ["sagemaker:AddTags", "sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob", "sagemaker:DescribeProcessingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopProcessingJob", "sagemaker:StopTrainingJob"]
    resources = ["arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:processing-job/*", "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:training-job/*"]
  }
  statement {
    sid       = "PassOwnRoleToJobs"
    actions   = ["iam:PassRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/intent-dev-sagemaker"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }
  statement {
    sid       = "RegisterModels"
    actions   = ["sagemaker:AddTags", "sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup", "sagemaker:ListModelPackages", "sagemaker:UpdateModelPackage"]
    resources = ["arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:model-package-group/slm-dev-intent-classifier", "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:model-package/slm-dev-intent-classifier/*"]
  }
}

resource "aws_iam_role_policy" "sagemaker_execution" {
  name   = "slm-sagemaker-execution"
  role   = aws_iam_role.sagemaker_execution.id
  policy = data.aws_iam_policy_document.sagemaker_execution.json
}

data "aws_iam_policy_document" "ci_trust" {
  statement {
    sid     = "CIAssumes"
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "AWS"
      identifiers = length(var.ci_principal_arns) > 0 ? var.ci_principal_arns : ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

resource "aws_iam_role" "ci" {
  name                 = "${local.name}-ci"
  description          = "CI: plan and apply the slm estate and start the pipeline (slm)"
  assume_role_policy   = data.aws_iam_policy_document.ci_trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "ci" {
  statement {
    sid       = "ReadEstate"
    actions   = ["cloudwatch:Describe*", "cloudwatch:GetDashboard", "cloudwatch:ListTagsForResource", "events:Describe*", "events:ListTagsForResource", "events:ListTargetsByRule", "iam:Get*", "iam:List*", "iot:Describe*", "iot:ListTagsForResource", "kms:Describe*", "kms:Get*", "kms:List*", "logs:Describe*", "logs:ListTagsForResource", "s3:GetAccelerateConfiguration", "s3:GetBucket*", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "sagemaker:Describe*", "sagemaker:List*", "sns:Get*", "sns:List*"]
    resources = ["*"]
  }
  statement {
    sid       = "ManageBuckets"
    actions   = ["s3:CreateBucket", "s3:DeleteBucketPolicy", "s3:PutBucketOwnershipControls", "s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration"]
    resources = ["arn:${local.partition}:s3:::slm-model-artifacts-dev-acme", "arn:${local.partition}:s3:::slm-edge-deployments-dev-acme", "arn:${local.partition}:s3:::slm-intents-dev-acme"]
  }
  statement {
    sid       = "UploadArtifacts"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:${local.partition}:s3:::slm-model-artifacts-dev-acme/*", "arn:${local.partition}:s3:::slm-edge-deployments-dev-acme/*", "arn:${local.partition}:s3:::slm-intents-dev-acme/*"]
  }
  statement {
    sid       = "ListArtifacts"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${local.partition}:s3:::slm-model-artifacts-dev-acme", "arn:${local.partition}:s3:::slm-edge-deployments-dev-acme", "arn:${local.partition}:s3:::slm-intents-dev-acme"]
  }
  statement {
    sid       = "ApplyLock"
    actions   = ["s3:DeleteObject"]
    resources = ["arn:${local.partition}:s3:::slm-model-artifacts-dev-acme/slm/locks/*"]
  }
  statement {
    sid       = "ManageRoles"
    actions   = ["iam:CreateRole", "iam:DeleteRolePolicy", "iam:PassRole", "iam:PutRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${local.name}*"]
  }
  statement {
    sid       = "ManagePipeline"
    actions   = ["sagemaker:AddTags", "sagemaker:CreateModelPackageGroup", "sagemaker:CreatePipeline", "sagemaker:DeleteTags", "sagemaker:StartPipelineExecution", "sagemaker:UpdateModelPackage", "sagemaker:UpdatePipeline"]
    resources = ["arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:pipeline/${local.name}*", "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:model-package-group/*", "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:model-package/*"]
  }
  statement {
    sid       = "ManageMonitoring"
    actions   = ["cloudwatch:PutDashboard", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "events:PutRule", "events:PutTargets", "events:TagResource", "logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "sns:CreateTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:TagResource"]
    resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${local.name}*", "arn:${local.partition}:cloudwatch::${local.account_id}:dashboard/${local.name}*", "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${local.name}*", "arn:${local.partition}:sns:${local.region}:${local.account_id}:${local.name}*", "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/greengrass/UserComponent/${local.region}/com.example.slm.IntentClassifier"]
  }
  statement {
    sid       = "ManageEdge"
    actions   = ["iot:CreatePolicy", "iot:CreatePolicyVersion", "iot:CreateRoleAlias", "iot:CreateThingGroup", "iot:DeletePolicyVersion", "iot:TagResource", "iot:UpdateRoleAlias", "iot:UpdateThingGroup"]
    resources = ["arn:${local.partition}:iot:${local.region}:${local.account_id}:rolealias/${local.name}*", "arn:${local.partition}:iot:${local.region}:${local.account_id}:policy/${local.name}*", "arn:${local.partition}:iot:${local.region}:${local.account_id}:thinggroup/*"]
  }
  statement {
    sid       = "CreateKey"
    actions   = ["kms:CreateKey"]
    resources = ["*"]
  }
  statement {
    sid       = "ManageKey"
    actions   = ["kms:CreateAlias", "kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:TagResource", "kms:UpdateAlias"]
    resources = [aws_kms_key.this.arn, "arn:${local.partition}:kms:${local.region}:${local.account_id}:alias/${local.name}*"]
  }
  statement {
    sid       = "UseArtifactKeys"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }
  statement {
    sid       = "ReleaseComponents"
    actions   = ["greengrass:CreateComponentVersion", "greengrass:DescribeComponent"]
    resources = ["arn:${local.partition}:greengrass:${local.region}:${local.account_id}:components:com.example.slm.IntentClassifier", "arn:${local.partition}:greengrass:${local.region}:${local.account_id}:components:com.example.slm.IntentClassifier:versions:*"]
  }
  statement {
    sid       = "ReadDeployments"
    actions   = ["greengrass:GetDeployment"]
    resources = ["arn:${local.partition}:greengrass:${local.region}:${local.account_id}:deployments:*"]
  }
  statement {
    sid       = "Deploy"
    actions   = ["greengrass:CreateDeployment", "greengrass:ListDeployments"]
    resources = ["*"]
  }
  statement {
    sid       = "DeploymentJobs"
    actions   = ["iot:CancelJob", "iot:CreateJob", "iot:DescribeJob", "iot:UpdateJob"]
    resources = ["arn:${local.partition}:iot:${local.region}:${local.account_id}:job/*", "arn:${local.partition}:iot:${local.region}:${local.account_id}:thinggroup/intent-stores-dev"]
  }
  statement {
    sid       = "DeploymentTargets"
    actions   = ["iot:DescribeThingGroup"]
    resources = ["arn:${local.partition}:iot:${local.region}:${local.account_id}:thinggroup/intent-stores-dev"]
  }
  statement {
    sid       = "DeploymentShadows"
    actions   = ["iot:DeleteThingShadow", "iot:DescribeThing", "iot:GetThingShadow", "iot:UpdateThingShadow"]
    resources = ["arn:${local.partition}:iot:${local.region}:${local.account_id}:thing/*"]
  }
}

resource "aws_iam_role_policy" "ci" {
  name   = "slm-ci"
  role   = aws_iam_role.ci.id
  policy = data.aws_iam_policy_document.ci.json
}
