# GitHub Actions reach AWS through OIDC: a workflow run gets a short-lived
# token naming its repository and context, and assumes a role whose trust
# accepts only that repository and context. No long-lived keys.

resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_oidc_provider ? 1 : 0
  url            = "https://${local.github_issuer}"
  client_id_list = [local.github_audience]
}

# Plan roles: pull requests (sub repo:R:pull_request) and the deploy
# workflow's <env>-plan environment read what is deployed and the state.
data "aws_iam_policy_document" "plan_trust" {
  for_each = toset(var.environments)
  statement {
    sid     = "GitHubPlans"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github_issuer}:aud"
      values   = [local.github_audience]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github_issuer}:sub"
      values   = ["repo:${var.github_repository}:pull_request", "repo:${var.github_repository}:environment:${each.key}-plan"]
    }
  }
}

resource "aws_iam_role" "plan" {
  for_each             = toset(var.environments)
  name                 = "slm-${each.key}-plan"
  description          = "slm: plan ${each.key} from GitHub Actions (read only)"
  assume_role_policy   = data.aws_iam_policy_document.plan_trust[each.key].json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachments_exclusive" "plan" {
  for_each    = toset(var.environments)
  role_name   = aws_iam_role.plan[each.key].name
  policy_arns = ["arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"]
}

# Deploy roles: only the GitHub environment of the same name (sub
# repo:R:environment:<env>); restrict that environment to the main branch
# and, for prod, add required reviewers in the repository's settings.
data "aws_iam_policy_document" "deploy_trust" {
  for_each = toset(var.environments)
  statement {
    sid     = "GitHubDeploys"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github_issuer}:aud"
      values   = [local.github_audience]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github_issuer}:sub"
      values   = ["repo:${var.github_repository}:environment:${each.key}"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  for_each             = toset(var.environments)
  name                 = "slm-${each.key}-deploy"
  description          = "slm: apply ${each.key} from GitHub Actions"
  assume_role_policy   = data.aws_iam_policy_document.deploy_trust[each.key].json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachments_exclusive" "deploy" {
  for_each    = toset(var.environments)
  role_name   = aws_iam_role.deploy[each.key].name
  policy_arns = var.deploy_policy_arns
}

# Both kinds of role use the state: plans read it and take the lock, deploys
# write it. Objects only, in this bucket only, with its key.
data "aws_iam_policy_document" "state_access" {
  statement {
    sid       = "ListState"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }
  statement {
    sid       = "ReadWriteStateAndLocks"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.state.arn}/*"]
  }
  statement {
    sid       = "UseStateKey"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.state.arn]
  }
}

resource "aws_iam_role_policy" "plan_state" {
  for_each = toset(var.environments)
  name     = "slm-state"
  role     = aws_iam_role.plan[each.key].id
  policy   = data.aws_iam_policy_document.state_access.json
}

resource "aws_iam_role_policy" "deploy_state" {
  for_each = toset(var.environments)
  name     = "slm-state"
  role     = aws_iam_role.deploy[each.key].id
  policy   = data.aws_iam_policy_document.state_access.json
}
