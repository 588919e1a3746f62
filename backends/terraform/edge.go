package terraform

import (
	"sort"
	"strings"

	"github.com/slm-project/slm/compiler/ir"
)

// edge writes a thing group per edge target, the Greengrass token-exchange role (reading only the edge
// buckets' artifacts, writing only the slm components' logs) with its IoT role alias, and the log
// groups the log manager ships the components' logs and metrics to.
func (g *gen) edge() {
	if len(g.p.EdgeTargets) == 0 {
		return
	}
	file := "edge.tf"
	groups := map[string]ir.EdgeTarget{}
	for _, e := range g.p.EdgeTargets {
		if _, ok := groups[e.ThingGroup]; !ok {
			groups[e.ThingGroup] = e
		}
	}
	for _, name := range sortedKeys(groups) {
		e := groups[name]
		tg := g.resource(file, "aws_iot_thing_group", g.thingGroupRes(name), "name", name, "edge target", e.Name)
		tg.set("name", name)
		tg.child("properties").set("description", "slm "+g.p.Project.PipelineName+": devices running "+e.ComponentName)
	}

	var logGroups []expr
	for _, c := range g.edgeComponents() {
		n := tfName(c)
		lg := g.resource(file, "aws_cloudwatch_log_group", "edge_"+n, "name", GreengrassLogGroup(g.p.Project.Region, c), "retention", "90 days")
		lg.set("name", tmpl("/aws/greengrass/UserComponent/", ref("local", "region"), "/"+c))
		lg.set("retention_in_days", 90)
		lg.set("kms_key_id", ref("aws_kms_key", "this", "arn"))
		logGroups = append(logGroups, tmpl(ref("aws_cloudwatch_log_group", "edge_"+n, "arn"), ":*"))
	}

	trust := g.policy(file, "tes_trust", statement{
		sid: "IoTCredentialsProviderAssumes", actions: []string{"sts:AssumeRole"},
		principals: map[string][]expr{"Service": lits("credentials.iot.amazonaws.com")},
		conditions: []condition{{"StringEquals", "aws:SourceAccount", []expr{ref("local", "account_id")}}},
	})
	role := g.resource(file, "aws_iam_role", "greengrass_tes", "name", g.p.Project.PipelineName+"-greengrass-tes", "trusted by", "credentials.iot.amazonaws.com")
	role.set("name", tmpl(ref("local", "name"), "-greengrass-tes"))
	role.set("description", "Greengrass token exchange role: read slm edge artifacts, write slm component logs")
	role.set("assume_role_policy", trust)

	objects, buckets, keys := g.edgeObjects()
	sts := []statement{
		{sid: "ReadEdgeArtifacts", actions: []string{"s3:GetObject"}, resources: objects},
		{sid: "LocateEdgeBuckets", actions: []string{"s3:GetBucketLocation"}, resources: buckets},
	}
	if len(keys) > 0 {
		sts = append(sts, statement{sid: "DecryptEdgeArtifacts", actions: []string{"kms:Decrypt"}, resources: keys})
	}
	sts = append(sts, statement{sid: "ShipComponentLogs", actions: []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}, resources: logGroups})
	doc := g.policy(file, "greengrass_tes", sts...)
	rp := g.resource(file, "aws_iam_role_policy", "greengrass_tes")
	rp.set("name", "slm-greengrass-tes")
	rp.set("role", ref("aws_iam_role", "greengrass_tes", "id"))
	rp.set("policy", doc)

	ra := g.resource(file, "aws_iot_role_alias", "greengrass_tes", "alias", g.p.Project.PipelineName+"-greengrass-tes")
	ra.set("alias", tmpl(ref("local", "name"), "-greengrass-tes"))
	ra.set("role_arn", ref("aws_iam_role", "greengrass_tes", "arn"))
	ra.set("credential_duration", 3600)

	// Core devices exchange their certificate for the role's credentials through the alias; provisioning
	// attaches this policy to each device certificate.
	ip := g.resource(file, "aws_iot_policy", "greengrass_tes", "name", g.p.Project.PipelineName+"-greengrass-tes", "allows", "iot:AssumeRoleWithCertificate on the role alias")
	ip.set("name", tmpl(ref("local", "name"), "-greengrass-tes"))
	ip.set("policy", call("jsonencode", map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":   "Allow",
			"Action":   "iot:AssumeRoleWithCertificate",
			"Resource": ref("aws_iot_role_alias", "greengrass_tes", "arn"),
		}},
	}))
}

// edgeComponents are the Greengrass component names whose logs are shipped: each edge target's
// inference component, sorted.
func (g *gen) edgeComponents() []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range g.p.EdgeTargets {
		if !seen[e.ComponentName] {
			seen[e.ComponentName] = true
			out = append(out, e.ComponentName)
		}
	}
	sort.Strings(out)
	return out
}

// edgeTarget finds an edge target by name.
func (g *gen) edgeTarget(name string) (ir.EdgeTarget, bool) {
	for _, e := range g.p.EdgeTargets {
		if strings.EqualFold(e.Name, name) {
			return e, true
		}
	}
	return ir.EdgeTarget{}, false
}

// thingGroupRes is the Terraform name of a thing group: its first edge target's name, so the name is the
// same in every environment while the group's own name differs.
func (g *gen) thingGroupRes(group string) string {
	for _, e := range g.p.EdgeTargets {
		if e.ThingGroup == group {
			return tfName(e.Name)
		}
	}
	return tfName(group)
}
