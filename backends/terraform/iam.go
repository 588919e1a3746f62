package terraform

import (
	"sort"
	"strings"
)

// sagemakerRole writes the SageMaker execution role: trusted by sagemaker.amazonaws.com, S3 access only
// to the pipeline's buckets and prefixes, KMS on the keys those use, CloudWatch Logs and metrics for
// SageMaker jobs, ECR pull for the step images, the pipeline's own jobs, and model package creation
// in its groups.
func (g *gen) sagemakerRole() {
	file := "iam.tf"
	trust := g.policy(file, "sagemaker_trust", statement{
		sid: "SageMakerAssumes", actions: []string{"sts:AssumeRole"},
		principals: map[string][]expr{"Service": lits("sagemaker.amazonaws.com")},
		conditions: []condition{{"StringEquals", "aws:SourceAccount", []expr{ref("local", "account_id")}}},
	})
	roleName := g.executionRoleName()
	role := g.resource(file, "aws_iam_role", "sagemaker_execution", "name", roleName, "trusted by", "sagemaker.amazonaws.com")
	// The definition names this role by ARN (ir.Project.ExecutionRoleARN), so the name is the IR's.
	role.set("name", roleName)
	role.set("description", "SageMaker pipeline and job execution role (slm)")
	role.set("assume_role_policy", trust)

	objects, buckets, prefixes := g.s3Scope()
	sts := []statement{
		{sid: "ReadWritePipelineData", actions: []string{"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"}, resources: objects},
		{sid: "ListPipelinePrefixes", actions: []string{"s3:ListBucket"}, resources: buckets,
			conditions: []condition{{"StringLike", "s3:prefix", prefixes}}},
		{sid: "LocatePipelineBuckets", actions: []string{"s3:GetBucketLocation"}, resources: buckets},
	}
	if grants := g.p.Project.ReadAccess; len(grants) > 0 {
		// project read_access: outside locations, read only, by prefix.
		var objs, bkts, pfx []expr
		seenB, seenP := map[string]bool{}, map[string]bool{}
		for _, l := range grants {
			objs = append(objs, arn("s3", false, false, l.Bucket, "/", l.Prefix, "*"))
			if !seenB[l.Bucket] {
				seenB[l.Bucket] = true
				bkts = append(bkts, arn("s3", false, false, l.Bucket))
			}
			if !seenP[l.Prefix] {
				seenP[l.Prefix] = true
				pfx = append(pfx, tmpl(l.Prefix+"*"))
			}
		}
		sts = append(sts,
			statement{sid: "ReadGrantedLocations", actions: []string{"s3:GetObject"}, resources: objs},
			statement{sid: "ListGrantedPrefixes", actions: []string{"s3:ListBucket"}, resources: bkts,
				conditions: []condition{{"StringLike", "s3:prefix", pfx}}},
			statement{sid: "LocateGrantedBuckets", actions: []string{"s3:GetBucketLocation"}, resources: bkts},
		)
	}
	if keys := g.kmsKeys(); len(keys) > 0 {
		sts = append(sts, statement{sid: "UseDataKeys", actions: []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"}, resources: keys})
	}
	sts = append(sts,
		statement{sid: "SageMakerJobLogs", actions: []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"},
			resources: []expr{arn("logs", true, true, "log-group:/aws/sagemaker/*")}},
		statement{sid: "SageMakerJobMetrics", actions: []string{"cloudwatch:PutMetricData"}, resources: lits("*"),
			conditions: []condition{{"StringLike", "cloudwatch:namespace", lits("/aws/sagemaker/*")}}},
		// GetAuthorizationToken has no resource-level permissions: "*" is the only valid resource.
		statement{sid: "EcrLogin", actions: []string{"ecr:GetAuthorizationToken"}, resources: lits("*")},
	)
	if repos := g.ecrRepositories(); len(repos) > 0 {
		sts = append(sts, statement{sid: "PullStepImages", actions: []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, resources: repos})
	}
	sts = append(sts,
		statement{sid: "RunPipelineJobs", actions: []string{
			"sagemaker:AddTags", "sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob", "sagemaker:DescribeProcessingJob",
			"sagemaker:DescribeTrainingJob", "sagemaker:StopProcessingJob", "sagemaker:StopTrainingJob"},
			resources: []expr{arn("sagemaker", true, true, "processing-job/*"), arn("sagemaker", true, true, "training-job/*")}},
		statement{sid: "PassOwnRoleToJobs", actions: []string{"iam:PassRole"}, resources: []expr{arn("iam", false, true, "role/"+roleName)},
			conditions: []condition{{"StringEquals", "iam:PassedToService", lits("sagemaker.amazonaws.com")}}},
	)
	if groups := g.packageGroups(); len(groups) > 0 {
		var res []expr
		for _, grp := range groups {
			res = append(res, arn("sagemaker", true, true, "model-package-group/", grp), arn("sagemaker", true, true, "model-package/", grp, "/*"))
		}
		sts = append(sts, statement{sid: "RegisterModels", actions: []string{
			"sagemaker:AddTags", "sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup",
			"sagemaker:ListModelPackages", "sagemaker:UpdateModelPackage"}, resources: res})
	}
	doc := g.policy(file, "sagemaker_execution", sts...)
	rp := g.resource(file, "aws_iam_role_policy", "sagemaker_execution")
	rp.set("name", "slm-sagemaker-execution")
	rp.set("role", ref("aws_iam_role", "sagemaker_execution", "id"))
	rp.set("policy", doc)
}

// s3Scope returns object ARNs, bucket ARNs and ListBucket prefixes for every storage location. Locations
// outside the storage blocks are read-only grants (project read_access); the compiler refuses any other.
func (g *gen) s3Scope() (objects, buckets, prefixes []expr) {
	type loc struct{ bucket, prefix string }
	seen := map[loc]bool{}
	var locs []loc
	add := func(bucket, prefix string) {
		l := loc{bucket, prefix}
		if !seen[l] {
			seen[l] = true
			locs = append(locs, l)
		}
	}
	for _, s := range g.p.Storage {
		add(s.Bucket, s.Prefix)
	}
	sort.Slice(locs, func(i, j int) bool {
		if locs[i].bucket != locs[j].bucket {
			return locs[i].bucket < locs[j].bucket
		}
		return locs[i].prefix < locs[j].prefix
	})
	seenBucket := map[string]bool{}
	seenPrefix := map[string]bool{}
	for _, l := range locs {
		objects = append(objects, arn("s3", false, false, l.bucket, "/", l.prefix, "*"))
		if !seenBucket[l.bucket] {
			seenBucket[l.bucket] = true
			buckets = append(buckets, arn("s3", false, false, l.bucket))
		}
		if !seenPrefix[l.prefix] {
			seenPrefix[l.prefix] = true
			prefixes = append(prefixes, tmpl(l.prefix+"*"))
		}
	}
	return objects, buckets, prefixes
}

// kmsKeys are the key ARNs the storage locations encrypt with.
func (g *gen) kmsKeys() []expr {
	seen := map[expr]bool{}
	var keys []expr
	for _, s := range g.p.Storage {
		if k := g.bucketKey(s.Name); k != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// ecrRepositories are the ECR repository ARNs of the step images, parsed from their URIs
// (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO[:TAG|@DIGEST]).
func (g *gen) ecrRepositories() []expr {
	var images []string
	for _, s := range g.p.Prepares {
		images = append(images, s.Compute.Image)
	}
	for _, s := range g.p.FineTunes {
		images = append(images, s.Compute.Image)
	}
	for _, s := range g.p.Evaluations {
		images = append(images, s.Compute.Image)
	}
	seen := map[string]bool{}
	var arns []string
	for _, img := range images {
		host, path, ok := strings.Cut(img, "/")
		if !ok {
			continue
		}
		hp := strings.Split(host, ".")
		if len(hp) < 6 || hp[1] != "dkr" || hp[2] != "ecr" {
			continue
		}
		repo := path
		if i := strings.IndexAny(repo, ":@"); i >= 0 {
			repo = repo[:i]
		}
		a := hp[3] + ":" + hp[0] + ":repository/" + repo
		if !seen[a] {
			seen[a] = true
			arns = append(arns, a)
		}
	}
	sort.Strings(arns)
	out := make([]expr, len(arns))
	for i, a := range arns {
		out[i] = tmpl("arn:", ref("local", "partition"), ":ecr:"+a)
	}
	return out
}

// packageGroups are the model package groups the pipeline registers into, sorted.
func (g *gen) packageGroups() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range g.p.Registers {
		if !seen[r.ModelPackageGroup] {
			seen[r.ModelPackageGroup] = true
			out = append(out, r.ModelPackageGroup)
		}
	}
	sort.Strings(out)
	return out
}

// ciRole writes the role CI assumes to plan and apply this configuration and to start the pipeline:
// read-only access to plan, and changes only to resources named for this pipeline.
func (g *gen) ciRole() {
	file := "iam.tf"
	trust := g.policy(file, "ci_trust", statement{
		sid: "CIAssumes", actions: []string{"sts:AssumeRole", "sts:TagSession"},
		principalList: map[string]expr{"AWS": expr(`length(var.ci_principal_arns) > 0 ? var.ci_principal_arns : ["arn:${local.partition}:iam::${local.account_id}:root"]`)},
	})
	role := g.resource(file, "aws_iam_role", "ci", "name", g.p.Project.PipelineName+"-ci", "trusted by", "var.ci_principal_arns")
	role.set("name", tmpl(ref("local", "name"), "-ci"))
	role.set("description", "CI: plan and apply the slm estate and start the pipeline (slm)")
	role.set("assume_role_policy", trust)
	role.set("max_session_duration", 3600)

	named := func(service string, regional bool, resource ...any) expr {
		return arn(service, regional, true, append(resource, ref("local", "name"), "*")...)
	}
	var buckets, objects []expr
	seen := map[string]bool{}
	for _, s := range g.p.Storage {
		if seen[s.Bucket] {
			continue
		}
		seen[s.Bucket] = true
		buckets = append(buckets, arn("s3", false, false, s.Bucket))
		objects = append(objects, arn("s3", false, false, s.Bucket, "/*"))
	}
	monitoring := []expr{named("cloudwatch", true, "alarm:"), arn("cloudwatch", false, true, "dashboard/", ref("local", "name"), "*"),
		named("events", true, "rule/"), named("sns", true, "")}
	for _, c := range g.edgeComponents() {
		monitoring = append(monitoring, arn("logs", true, true, "log-group:/aws/greengrass/UserComponent/", ref("local", "region"), "/"+c))
	}
	sts := []statement{
		{sid: "ReadEstate", actions: []string{
			"cloudwatch:Describe*", "cloudwatch:GetDashboard", "cloudwatch:ListTagsForResource", "events:Describe*", "events:ListTagsForResource",
			"events:ListTargetsByRule", "iam:Get*", "iam:List*", "iot:Describe*", "iot:ListTagsForResource", "kms:Describe*", "kms:Get*",
			"kms:List*", "logs:Describe*", "logs:ListTagsForResource", "s3:GetAccelerateConfiguration", "s3:GetBucket*", "s3:GetEncryptionConfiguration",
			"s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "sagemaker:Describe*", "sagemaker:List*", "sns:Get*", "sns:List*"},
			resources: lits("*")},
		{sid: "ManageBuckets", actions: []string{
			"s3:CreateBucket", "s3:DeleteBucketPolicy", "s3:PutBucketOwnershipControls", "s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock",
			"s3:PutBucketTagging", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration"},
			resources: buckets},
		{sid: "UploadArtifacts", actions: []string{"s3:GetObject", "s3:PutObject"}, resources: objects},
		{sid: "ManageRoles", actions: []string{
			"iam:CreateRole", "iam:DeleteRolePolicy", "iam:PassRole", "iam:PutRolePolicy", "iam:TagRole", "iam:UntagRole",
			"iam:UpdateAssumeRolePolicy", "iam:UpdateRole"}, resources: []expr{named("iam", false, "role/")}},
		{sid: "ManagePipeline", actions: []string{
			"sagemaker:AddTags", "sagemaker:CreateModelPackageGroup", "sagemaker:CreatePipeline", "sagemaker:DeleteTags",
			"sagemaker:StartPipelineExecution", "sagemaker:UpdateModelPackage", "sagemaker:UpdatePipeline"},
			resources: []expr{named("sagemaker", true, "pipeline/"), arn("sagemaker", true, true, "model-package-group/*"), arn("sagemaker", true, true, "model-package/*")}},
		{sid: "ManageMonitoring", actions: []string{
			"cloudwatch:PutDashboard", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "events:PutRule", "events:PutTargets",
			"events:TagResource", "logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "sns:CreateTopic", "sns:SetTopicAttributes",
			"sns:Subscribe", "sns:TagResource"},
			resources: monitoring},
		{sid: "ManageEdge", actions: []string{"iot:CreatePolicy", "iot:CreatePolicyVersion", "iot:CreateRoleAlias", "iot:CreateThingGroup", "iot:DeletePolicyVersion",
			"iot:TagResource", "iot:UpdateRoleAlias", "iot:UpdateThingGroup"},
			resources: []expr{named("iot", true, "rolealias/"), named("iot", true, "policy/"), arn("iot", true, true, "thinggroup/*")}},
		// CreateKey has no resource-level permissions; the key's own policy governs it from then on.
		{sid: "CreateKey", actions: []string{"kms:CreateKey"}, resources: lits("*")},
		{sid: "ManageKey", actions: []string{"kms:CreateAlias", "kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:TagResource", "kms:UpdateAlias"},
			resources: []expr{ref("aws_kms_key", "this", "arn"), named("kms", true, "alias/")}},
	}
	doc := g.policy(file, "ci", sts...)
	rp := g.resource(file, "aws_iam_role_policy", "ci")
	rp.set("name", "slm-ci")
	rp.set("role", ref("aws_iam_role", "ci", "id"))
	rp.set("policy", doc)
}

// edgeObjects are the edge buckets' artifact object ARNs, the only objects devices may read.
func (g *gen) edgeObjects() (objects, buckets []expr, keys []expr) {
	seen := map[string]bool{}
	seenKey := map[expr]bool{}
	for _, e := range g.p.EdgeTargets {
		s := g.storage[e.Storage]
		if seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		objects = append(objects, arn("s3", false, false, s.Bucket, "/", s.Prefix, ArtifactsPrefix, "*"))
		buckets = append(buckets, arn("s3", false, false, s.Bucket))
		if k := g.bucketKey(s.Name); k != "" && !seenKey[k] {
			seenKey[k] = true
			keys = append(keys, k)
		}
	}
	return objects, buckets, keys
}

// executionRoleName is the SageMaker execution role's name as the IR gives it (the compiler derives it
// from the pipeline name), falling back to the same rule.
func (g *gen) executionRoleName() string {
	if n := g.p.Project.ExecutionRoleName; n != "" {
		return n
	}
	return g.p.Project.PipelineName + "-sagemaker"
}
