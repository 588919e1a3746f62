package terraform

// outputs writes what slm apply and CI read back from the state.
func (g *gen) outputs() {
	body := g.file("outputs.tf")
	add := func(name, description string, value expr) {
		if len(body.Blocks()) > 0 {
			body.AppendNewline()
		}
		o := block{body.AppendNewBlock("output", []string{name}).Body()}
		o.set("description", description)
		o.set("value", value)
	}
	add("sagemaker_execution_role_arn", "The role SageMaker runs the pipeline and its jobs as; slm apply creates the pipeline with it.", ref("aws_iam_role", "sagemaker_execution", "arn"))
	add("ci_role_arn", "The role CI assumes to plan and apply.", ref("aws_iam_role", "ci", "arn"))
	add("alarm_topic_arn", "Where alarms and model approvals are announced.", ref("aws_sns_topic", "alarms", "arn"))
	add("kms_key_arn", "The estate's customer managed key.", ref("aws_kms_key", "this", "arn"))
	if len(g.p.EdgeTargets) > 0 {
		add("greengrass_role_alias", "The IoT role alias Greengrass core devices exchange their certificate for credentials with.", ref("aws_iot_role_alias", "greengrass_tes", "alias"))
		groups := map[string]any{}
		for _, e := range g.p.EdgeTargets {
			groups[e.ThingGroup] = ref("aws_iot_thing_group", g.thingGroupRes(e.ThingGroup), "arn")
		}
		body.AppendNewline()
		o := block{body.AppendNewBlock("output", []string{"thing_group_arns"}).Body()}
		o.set("description", "Thing group ARNs by name: the deployments' targets.")
		o.set("value", groups)
	}
	buckets := map[string]any{}
	for _, s := range g.p.Storage {
		buckets[s.Name] = ref("aws_s3_bucket", g.bucketRes[s.Name], "bucket")
	}
	body.AppendNewline()
	o := block{body.AppendNewBlock("output", []string{"buckets"}).Body()}
	o.set("description", "Bucket names by storage block: slm apply uploads to them and takes its lock in the artifact storage's.")
	o.set("value", buckets)
}
