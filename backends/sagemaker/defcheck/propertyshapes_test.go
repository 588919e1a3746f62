package defcheck

import "testing"

func TestCheckPropertyPath(t *testing.T) {
	ps, err := parsePropertyShapes(propertyShapesJSON)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		stepType, path, want string
	}{
		{"Training", "ModelArtifacts.S3ModelArtifacts", ""},
		{"Training", "TrainingJobName", ""},
		{"Training", "FinalMetricDataList['eval_accuracy'].Value", ""},
		{"Training", "FinalMetricDataList[0].MetricName", ""},
		{"Training", "HyperParameters['epochs']", ""},
		{"Processing", "ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri", ""},
		{"RegisterModel", "ModelPackageArn", ""},
		{"Model", "ModelName", ""},
		{"Tuning", "TrainingJobSummaries[0].TrainingJobName", ""}, // from the second root
		{"Tuning", "BestTrainingJob.TrainingJobName", ""},         // from the first root
		{"EMR", "ClusterId.Anything", ""},                         // not modelled
		{"Training", "ModelArtifact.S3ModelArtifacts",
			`"ModelArtifact" is not a property of a Training step (see DescribeTrainingJobResponse)`},
		{"Training", "ModelArtifacts.S3Uri", `ModelArtifacts (ModelArtifacts) has no member "S3Uri"`},
		{"Training", "TrainingJobName.Length", "TrainingJobName is a string; it has no .Length"},
		{"Training", "ModelArtifacts[0]",
			"ModelArtifacts is a structure (ModelArtifacts), not a list or map: it cannot be indexed with [0]"},
		{"Processing", "ProcessingOutputConfig.Outputs.S3Output",
			"ProcessingOutputConfig.Outputs is a list or map (ProcessingOutputs): index it with [n] or ['key'] before .S3Output"},
		{"Processing", "ProcessingOutputConfig.Outputs[train]",
			`index [train] in property path "ProcessingOutputConfig.Outputs[train]" must be a number or a quoted key`},
		{"Processing", "ProcessingOutputConfig..Outputs", `empty member name in property path "ProcessingOutputConfig..Outputs"`},
		{"Processing", "ProcessingJobName.", `property path "ProcessingJobName." ends with a dot`},
		{"Processing", "Outputs['a'", `unclosed [ in property path "Outputs['a'"`},
		{"Processing", "['a']", "a property path starts with a member name of DescribeProcessingJobResponse"},
	}
	for _, tc := range cases {
		t.Run(tc.stepType+" "+tc.path, func(t *testing.T) {
			if got := ps.checkPath(tc.stepType, tc.path); got != tc.want {
				t.Errorf("checkPath(%q, %q) = %q, want %q", tc.stepType, tc.path, got, tc.want)
			}
		})
	}
}
