package terraform

import (
	"fmt"
)

// sagemaker writes the model package groups. The pipeline itself is not Terraform's: slm apply creates
// and updates it (it changes with almost every pull request, and apply tags it with the plan it came
// from); the Terraform keeps what it runs as and in, and outputs the role ARN and buckets apply uses.
func (g *gen) sagemaker() {
	file := "main.tf"
	for _, grp := range g.packageGroups() {
		mg := g.resource(file, "aws_sagemaker_model_package_group", g.packageGroupRes(grp), "name", grp)
		mg.set("model_package_group_name", grp)
		mg.set("model_package_group_description", fmt.Sprintf("slm %s: %s models", g.p.Project.PipelineName, grp))
	}
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
