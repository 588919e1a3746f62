package terraform

// kms writes the customer managed key the estate encrypts with (buckets that ask for SSE-KMS without
// naming a key, the alarm topic, the log groups) and its alias. The key policy gives the account
// administration through IAM (so IAM policies decide, as usual) and lets the services that write
// encrypted data on the estate's behalf use it, each only through its own service.
func (g *gen) kms() {
	g.policy("kms.tf", "kms",
		statement{sid: "AccountAdministersThroughIAM",
			// Every key action but none as a wildcard, so no statement grants "*" on "*".
			actions: []string{"kms:CancelKeyDeletion", "kms:Create*", "kms:Decrypt", "kms:Delete*", "kms:Describe*", "kms:Disable*",
				"kms:Enable*", "kms:Encrypt", "kms:GenerateDataKey*", "kms:Get*", "kms:List*", "kms:Put*", "kms:ReEncrypt*", "kms:Revoke*",
				"kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:Update*"},
			resources:  lits("*"),
			principals: map[string][]expr{"AWS": {tmpl("arn:", ref("local", "partition"), ":iam::", ref("local", "account_id"), ":root")}}},
		statement{sid: "CloudWatchLogs",
			actions:    []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"},
			resources:  lits("*"),
			principals: map[string][]expr{"Service": {tmpl("logs.", ref("local", "region"), ".amazonaws.com")}},
			conditions: []condition{{"ArnLike", "kms:EncryptionContext:aws:logs:arn",
				[]expr{tmpl("arn:", ref("local", "partition"), ":logs:", ref("local", "region"), ":", ref("local", "account_id"), ":log-group:*")}}}},
		statement{sid: "AlarmAndEventPublishers",
			actions:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
			resources:  lits("*"),
			principals: map[string][]expr{"Service": lits("cloudwatch.amazonaws.com", "events.amazonaws.com")},
			conditions: []condition{{"StringEquals", "aws:SourceAccount", []expr{ref("local", "account_id")}}}},
	)

	key := g.resource("kms.tf", "aws_kms_key", "this", "rotation", "enabled")
	key.set("description", tmpl("slm ", ref("local", "name"), ": data, models, alarms and logs"))
	key.set("enable_key_rotation", true)
	key.set("deletion_window_in_days", 30)
	key.set("policy", ref("data", "aws_iam_policy_document", "kms", "json"))

	alias := g.resource("kms.tf", "aws_kms_alias", "this", "name", "alias/"+g.p.Project.PipelineName)
	alias.set("name", tmpl("alias/", ref("local", "name")))
	alias.set("target_key_id", ref("aws_kms_key", "this", "key_id"))
}

// bucketKey is the KMS key ARN expression a storage block encrypts with, or "" for SSE-S3.
func (g *gen) bucketKey(name string) expr {
	s, ok := g.storage[name]
	if !ok || s.Encryption != "aws:kms" {
		return ""
	}
	if s.KMSKeyARN != "" {
		return tmpl(s.KMSKeyARN)
	}
	return ref("aws_kms_key", "this", "arn")
}
