package ggcheck

import (
	"strings"
	"testing"
)

func validator(t *testing.T) *Validator {
	t.Helper()
	v, err := New("../../../testdata/greengrass/recipe_schema.json", "../../../testdata/greengrass/aws-greengrassv2-deployment.json")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const goodRecipe = `{
  "RecipeFormatVersion": "2020-01-25",
  "ComponentName": "com.example.Model",
  "ComponentVersion": "1.2.3+abc",
  "ComponentPublisher": "slm",
  "ComponentConfiguration": {"DefaultConfiguration": {"threshold": 0.5}},
  "ComponentDependencies": {"com.example.Lib": {"VersionRequirement": "=1.0.0", "DependencyType": "HARD"}},
  "Manifests": [{
    "Platform": {"os": "linux", "architecture": "aarch64"},
    "Lifecycle": {"run": "{artifacts:path}/slm-edge"},
    "Artifacts": [{"URI": "s3://b/k", "Digest": "abc=", "Algorithm": "SHA-256", "Unarchive": "ZIP", "Permission": {"Read": "OWNER", "Execute": "OWNER"}}]
  }]
}`

func TestValidateRecipe(t *testing.T) {
	v := validator(t)
	tests := []struct {
		name, old, new, want string
	}{
		{"valid", "", "", ""},
		{"bad name", `"com.example.Model"`, `"com example"`, "component name"},
		{"not semver", `"1.2.3+abc"`, `"1.2"`, "not semver"},
		{"number too large", `"1.2.3+abc"`, `"1.1000000.0"`, "exceeds 999999"},
		{"version too long", `"1.2.3+abc"`, `"1.2.3+` + strings.Repeat("a", 64) + `"`, "at most 64"},
		{"architecture", `"aarch64"`, `"arm64"`, "architecture"},
		{"key case", `"Unarchive"`, `"UnArchive"`, `write the key as "Unarchive"`},
		{"schema: unknown top-level key", `"ComponentPublisher"`, `"ComponentAuthor"`, "recipe schema"},
		{"schema: bad permission", `"Execute": "OWNER"`, `"Execute": "EVERYONE"`, "recipe schema"},
		{"too large", `"slm"`, `"` + strings.Repeat("x", 17000) + `"`, "at most 16384"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recipe := goodRecipe
			if tt.old != "" {
				if !strings.Contains(recipe, tt.old) {
					t.Fatalf("fixture lacks %q", tt.old)
				}
				recipe = strings.Replace(recipe, tt.old, tt.new, 1)
			}
			err := v.ValidateRecipe([]byte(recipe))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error containing %q, got %v", tt.want, err)
			}
		})
	}
}

const goodDeployment = `{
  "targetArn": "arn:aws:iot:eu-west-1:123456789012:thinggroup/slm-dev",
  "deploymentName": "slm-dev",
  "components": {
    "com.example.Model": {"componentVersion": "1.0.0", "configurationUpdate": {"merge": "{\"threshold\":0.5}", "reset": ["/threshold"]}}
  },
  "deploymentPolicies": {
    "failureHandlingPolicy": "ROLLBACK",
    "componentUpdatePolicy": {"timeoutInSeconds": 60, "action": "NOTIFY_COMPONENTS"},
    "configurationValidationPolicy": {"timeoutInSeconds": 30}
  },
  "iotJobConfiguration": {
    "jobExecutionsRolloutConfig": {"exponentialRate": {"baseRatePerMinute": 5, "incrementFactor": 2, "rateIncreaseCriteria": {"numberOfSucceededThings": 10}}, "maximumPerMinute": 50},
    "abortConfig": {"criteriaList": [{"failureType": "FAILED", "action": "CANCEL", "thresholdPercentage": 10, "minNumberOfExecutedThings": 5}]},
    "timeoutConfig": {"inProgressTimeoutInMinutes": 60}
  },
  "tags": {"managed-by": "slm"}
}`

func TestValidateDeployment(t *testing.T) {
	v := validator(t)
	tests := []struct {
		name, old, new, want string
	}{
		{"valid", "", "", ""},
		{"unknown field", `"deploymentName"`, `"deploymentTitle"`, "unknown field"},
		{"wrong case", `"deploymentName"`, `"DeploymentName"`, "spelling and case"},
		{"wrong type", `"timeoutInSeconds": 60`, `"timeoutInSeconds": "60"`, "CreateDeploymentInput"},
		{"merge not a string of JSON", `"{\"threshold\":0.5}"`, `"threshold"`, "JSON object encoded as a string"},
		{"failure policy enum", `"ROLLBACK"`, `"RETRY"`, "CloudFormation"},
		{"target arn pattern", `thinggroup/slm-dev`, `group/slm-dev`, "CloudFormation"},
		{"rate criteria needs exactly one", `{"numberOfSucceededThings": 10}`, `{"numberOfSucceededThings": 10, "numberOfNotifiedThings": 1}`, "CloudFormation"},
		{"abort criteria incomplete", `"minNumberOfExecutedThings": 5`, `"minNumberOfExecutedThings": 0`, "CloudFormation"},
		{"component version", `"componentVersion": "1.0.0"`, `"componentVersion": "v1"`, "not semver"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := goodDeployment
			if tt.old != "" {
				if !strings.Contains(d, tt.old) {
					t.Fatalf("fixture lacks %q", tt.old)
				}
				d = strings.Replace(d, tt.old, tt.new, 1)
			}
			err := v.ValidateDeployment([]byte(d))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error containing %q, got %v", tt.want, err)
			}
		})
	}
}
