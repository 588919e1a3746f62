package terraform

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// sagemaker writes the model package groups and the pipeline. The definition travels in its own file
// beside the .tf files (reviewable as JSON in a pull request); over the inline limit it is uploaded to
// the artifact storage under its SHA-256 and the pipeline points at that object.
func (g *gen) sagemaker() {
	file := "main.tf"
	for _, grp := range g.packageGroups() {
		mg := g.resource(file, "aws_sagemaker_model_package_group", g.packageGroupRes(grp), "name", grp)
		mg.set("model_package_group_name", grp)
		mg.set("model_package_group_description", fmt.Sprintf("slm %s: %s models", g.p.Project.PipelineName, grp))
	}
	pr := g.p.Project
	defPath := tmpl(ref("path", "module"), "/"+DefinitionFile)
	inline := len(g.in.Definition) <= InlineDefinitionLimit
	how := "inline"
	if !inline {
		how = "s3"
	}
	var obj string
	if !inline {
		st, ok := g.storage[pr.ArtifactStorage]
		if !ok {
			panic(fmt.Sprintf("pipeline definition is %d characters, over the %d inline limit, and the project names no artifact storage to upload it to", len(g.in.Definition), InlineDefinitionLimit))
		}
		sum := sha256.Sum256(g.in.Definition)
		key := st.Prefix + "pipelines/" + hex.EncodeToString(sum[:]) + "/" + DefinitionFile
		o := g.resource(file, "aws_s3_object", "pipeline_definition", "bucket", st.Bucket, "key", key)
		o.set("bucket", ref("aws_s3_bucket", g.bucketRes[st.Name], "id"))
		o.set("key", key)
		o.set("source", defPath)
		o.set("source_hash", call("filemd5", defPath))
		o.set("content_type", "application/json")
		obj = "aws_s3_object.pipeline_definition"
	}
	p := g.resource(file, "aws_sagemaker_pipeline", "this", "name", pr.PipelineName, "definition", how,
		"parallelism", parallelism(pr.MaxParallelSteps), "steps", fmt.Sprint(len(g.p.Steps)))
	p.set("pipeline_name", pr.PipelineName)
	p.set("pipeline_display_name", pr.PipelineName)
	p.set("pipeline_description", pr.Description)
	p.set("role_arn", ref("aws_iam_role", "sagemaker_execution", "arn"))
	if inline {
		p.set("pipeline_definition", call("file", defPath))
	} else {
		loc := p.child("pipeline_definition_s3_location")
		loc.set("bucket", expr(obj+".bucket"))
		loc.set("object_key", expr(obj+".key"))
		loc.set("version_id", expr(obj+".version_id"))
	}
	if pr.MaxParallelSteps > 0 {
		p.child("parallelism_configuration").set("max_parallel_execution_steps", pr.MaxParallelSteps)
	}
	p.set("depends_on", []expr{ref("aws_iam_role_policy", "sagemaker_execution")})
}

// packageGroupRes is the Terraform name of a model package group: its first register block's name, the
// same in every environment while the group's own name may differ.
func (g *gen) packageGroupRes(group string) string {
	for _, r := range g.p.Registers {
		if r.ModelPackageGroup == group {
			return tfName(r.Name)
		}
	}
	return tfName(group)
}

// parallelism is max_parallel_steps as the plan shows it: unset is
// SageMaker's default, not 0.
func parallelism(n int) string {
	if n == 0 {
		return "SageMaker's default (max_parallel_steps unset)"
	}
	return fmt.Sprint(n)
}
