package terraform

import (
	"fmt"
	"strings"

	"github.com/slm-project/slm/compiler/ir"
)

// bucketGroup is one S3 bucket and the storage locations (prefixes) in it.
type bucketGroup struct {
	name     string // Terraform resource name: the storage names joined
	storages []ir.Storage
}

// groupBuckets groups storage locations by bucket, in order of their first storage's name. Bucket-level
// settings must agree between locations sharing a bucket.
func groupBuckets(storage []ir.Storage) ([]bucketGroup, error) {
	idx := map[string]int{}
	var groups []bucketGroup
	for _, s := range storage {
		i, ok := idx[s.Bucket]
		if !ok {
			idx[s.Bucket] = len(groups)
			groups = append(groups, bucketGroup{storages: []ir.Storage{s}})
			continue
		}
		first := groups[i].storages[0]
		switch {
		case first.Versioning != s.Versioning:
			return nil, fmt.Errorf("%s: storage %q and %q share bucket %q but disagree on versioning, a setting of the whole bucket; make them agree", s.Range, first.Name, s.Name, s.Bucket)
		case first.Encryption != s.Encryption || first.KMSKeyARN != s.KMSKeyARN:
			return nil, fmt.Errorf("%s: storage %q and %q share bucket %q but disagree on encryption, a setting of the whole bucket; make them agree", s.Range, first.Name, s.Name, s.Bucket)
		}
		groups[i].storages = append(groups[i].storages, s)
	}
	for i := range groups {
		var names []string
		for _, s := range groups[i].storages {
			names = append(names, s.Name)
		}
		groups[i].name = tfName(strings.Join(names, "_"))
	}
	return groups, nil
}

// bucket writes one bucket and its settings: versioning, default encryption, the public access block
// with all four settings, BucketOwnerEnforced ownership, a policy denying requests without TLS, and the
// lifecycle rules of every storage location in it.
func (g *gen) bucket(grp bucketGroup) {
	s := grp.storages[0]
	n := grp.name
	file := "storage.tf"
	var versioning bool
	var force bool
	var rules int
	var locs []string
	for _, st := range grp.storages {
		versioning = versioning || st.Versioning
		force = force || st.ForceDestroy
		rules += len(st.Lifecycle)
		locs = append(locs, st.Name+"="+st.URI)
	}
	id := ref("aws_s3_bucket", n, "id")
	enc := "SSE-S3"
	if s.Encryption == ir.EncryptionKMS {
		enc = "SSE-KMS"
	}
	b := g.resource(file, "aws_s3_bucket", n, "bucket", s.Bucket, "locations", strings.Join(locs, ", "), "encryption", enc,
		"versioning", onOff(versioning), "lifecycle rules", fmt.Sprint(rules))
	b.set("bucket", s.Bucket)
	if force {
		b.set("force_destroy", true)
	}

	v := g.resource(file, "aws_s3_bucket_versioning", n)
	v.set("bucket", id)
	status := "Suspended"
	if versioning {
		status = "Enabled"
	}
	v.child("versioning_configuration").set("status", status)

	if g.bucketKey(s.Name) == "" {
		// The configuration chose SSE-S3: say so where the scanner's finding would point, so the exception
		// is visible in review rather than failing every scan.
		g.comment = []string{
			fmt.Sprintf("SSE-S3 (AWS managed keys) because storage %q sets encryption = \"sse-s3\"; sse-kms uses the estate's key.", s.Name),
			"trivy:ignore:AVD-AWS-0132",
		}
	}
	e := g.resource(file, "aws_s3_bucket_server_side_encryption_configuration", n)
	e.set("bucket", id)
	rule := e.child("rule")
	def := rule.child("apply_server_side_encryption_by_default")
	if key := g.bucketKey(s.Name); key != "" {
		def.set("sse_algorithm", "aws:kms")
		def.set("kms_master_key_id", key)
		// S3 Bucket Keys cut KMS requests (and cost) by two orders of magnitude.
		rule.set("bucket_key_enabled", true)
	} else {
		def.set("sse_algorithm", "AES256")
	}

	pab := g.resource(file, "aws_s3_bucket_public_access_block", n)
	pab.set("bucket", id)
	pab.set("block_public_acls", true)
	pab.set("block_public_policy", true)
	pab.set("ignore_public_acls", true)
	pab.set("restrict_public_buckets", true)

	own := g.resource(file, "aws_s3_bucket_ownership_controls", n)
	own.set("bucket", id)
	own.child("rule").set("object_ownership", "BucketOwnerEnforced")

	g.policy(file, "bucket_"+n, statement{sid: "DenyInsecureTransport", effect: "Deny", actions: []string{"s3:*"},
		resources:  []expr{ref("aws_s3_bucket", n, "arn"), tmpl(ref("aws_s3_bucket", n, "arn"), "/*")},
		principals: map[string][]expr{"*": lits("*")},
		conditions: []condition{{"Bool", "aws:SecureTransport", lits("false")}}})
	bp := g.resource(file, "aws_s3_bucket_policy", n)
	bp.set("bucket", id)
	bp.set("policy", ref("data", "aws_iam_policy_document", "bucket_"+n, "json"))
	// The public access block must exist first, or a policy could briefly be evaluated without it.
	bp.set("depends_on", []expr{ref("aws_s3_bucket_public_access_block", n)})

	g.lifecycle(grp, rules)
}

// lifecycle writes the bucket's lifecycle rules. A rule's prefix is a key prefix in the bucket when it
// lies within its storage location's prefix (as written in the examples: prefix = "raw/" in storage
// "raw" with prefix "raw/"), and relative to the location otherwise, so a rule never reaches outside
// its location.
func (g *gen) lifecycle(grp bucketGroup, rules int) {
	if rules == 0 {
		return
	}
	n := grp.name
	lc := g.resource("storage.tf", "aws_s3_bucket_lifecycle_configuration", n)
	lc.set("bucket", ref("aws_s3_bucket", n, "id"))
	for _, s := range grp.storages {
		g.lifecycleRules(lc, s, len(grp.storages) > 1)
	}
	lc.set("depends_on", []expr{ref("aws_s3_bucket_versioning", n)})
}

func (g *gen) lifecycleRules(lc block, s ir.Storage, shared bool) {
	for _, r := range s.Lifecycle {
		rule := lc.child("rule")
		id := r.Name
		if shared {
			id = s.Name + "-" + r.Name // rule ids are unique per bucket
		}
		rule.set("id", id)
		rule.set("status", "Enabled")
		prefix := r.Prefix
		if !strings.HasPrefix(prefix, s.Prefix) {
			prefix = s.Prefix + prefix
		}
		rule.child("filter").set("prefix", prefix)
		for _, t := range r.Transitions {
			tr := rule.child("transition")
			tr.set("days", t.Days)
			tr.set("storage_class", t.StorageClass)
		}
		if r.ExpirationDays > 0 {
			rule.child("expiration").set("days", r.ExpirationDays)
		}
		if r.NoncurrentVersionExpirationDays > 0 {
			rule.child("noncurrent_version_expiration").set("noncurrent_days", r.NoncurrentVersionExpirationDays)
		}
		if r.AbortIncompleteMultipartDays > 0 {
			rule.child("abort_incomplete_multipart_upload").set("days_after_initiation", r.AbortIncompleteMultipartDays)
		}
	}
}

func onOff(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}
