// Package ggcheck validates Greengrass v2 component recipes and CreateDeployment requests offline: recipes
// against the recipe schema (keys lower-cased first, as the schema's own tests do) plus the rules the
// nucleus enforces that the schema misses; deployments by a strict decode into the AWS SDK's
// CreateDeploymentInput plus the CloudFormation AWS::GreengrassV2::Deployment schema.
package ggcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Limits the nucleus enforces and the recipe schema does not.
const (
	maxRecipeBytes        = 16 * 1024
	maxComponentName      = 128
	maxComponentVersion   = 64
	maxVersionNumberValue = 999999
)

var (
	componentNameRE = regexp.MustCompile(`^[a-zA-Z0-9-_.]+$`)
	// semverRE is semver 2.0.0 (https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string).
	semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
		`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
		`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)
	architectures = map[string]bool{"amd64": true, "aarch64": true, "arm": true, "x86": true}
)

// Validator holds the compiled schemas.
type Validator struct {
	recipe     *jsonschema.Schema
	deployment *jsonschema.Schema
}

// New compiles the recipe schema and the CloudFormation deployment schema from their files.
func New(recipeSchemaPath, deploymentSchemaPath string) (*Validator, error) {
	recipe, err := compile(recipeSchemaPath)
	if err != nil {
		return nil, err
	}
	deployment, err := compile(deploymentSchemaPath)
	if err != nil {
		return nil, err
	}
	return &Validator{recipe: recipe, deployment: deployment}, nil
}

func compile(path string) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(path)
	if err != nil {
		return nil, fmt.Errorf("compiling schema %s: %w", path, err)
	}
	return sch, nil
}

// ValidateRecipe checks a JSON recipe and returns every problem found, joined, or nil.
func (v *Validator) ValidateRecipe(recipe []byte) error {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(recipe))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("recipe is not a JSON object: %w", err)
	}
	var errs []error
	if err := v.recipe.Validate(lowerKeys(doc)); err != nil {
		errs = append(errs, fmt.Errorf("recipe schema: %w", err))
	}
	if len(recipe) > maxRecipeBytes {
		errs = append(errs, fmt.Errorf("recipe is %d bytes; the nucleus accepts at most %d", len(recipe), maxRecipeBytes))
	}
	name, _ := doc["ComponentName"].(string)
	if err := CheckComponentName(name); err != nil {
		errs = append(errs, err)
	}
	version, _ := doc["ComponentVersion"].(string)
	if err := CheckComponentVersion(version); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, checkKeyCase(doc)...)
	manifests, _ := doc["Manifests"].([]any)
	for i, m := range manifests {
		mm, _ := m.(map[string]any)
		platform, _ := mm["Platform"].(map[string]any)
		if arch, ok := platform["architecture"]; ok {
			if s, _ := arch.(string); !architectures[s] {
				errs = append(errs, fmt.Errorf("Manifests[%d].Platform.architecture %v: the nucleus knows amd64, aarch64, arm and x86", i, arch))
			}
		}
	}
	deps, _ := doc["ComponentDependencies"].(map[string]any)
	for _, dep := range sortedKeys(deps) {
		if err := CheckComponentName(dep); err != nil {
			errs = append(errs, fmt.Errorf("ComponentDependencies: %w", err))
		}
	}
	return errors.Join(errs...)
}

// CheckComponentName applies the nucleus' component name rule.
func CheckComponentName(name string) error {
	if name == "" || len(name) > maxComponentName || !componentNameRE.MatchString(name) {
		return fmt.Errorf("component name %q: want 1 to %d characters of letters, digits, '-', '_' and '.'", name, maxComponentName)
	}
	return nil
}

// CheckComponentVersion applies the nucleus' version rule: strict semver, at most 64 characters, each of
// major, minor and patch at most 999999.
func CheckComponentVersion(version string) error {
	if len(version) > maxComponentVersion {
		return fmt.Errorf("component version %q is %d characters; at most %d", version, len(version), maxComponentVersion)
	}
	m := semverRE.FindStringSubmatch(version)
	if m == nil {
		return fmt.Errorf("component version %q is not semver (MAJOR.MINOR.PATCH[-PRE][+BUILD])", version)
	}
	for _, part := range m[1:4] {
		n, err := strconv.Atoi(part)
		if err != nil || n > maxVersionNumberValue {
			return fmt.Errorf("component version %q: %s exceeds %d", version, part, maxVersionNumberValue)
		}
	}
	return nil
}

// recipeKeys are the recipe's keys in the case the documentation gives; the device ignores unknown keys
// silently, so a key that matches one of these only after lower-casing is a misspelling to report.
var recipeKeys = []string{
	"RecipeFormatVersion", "ComponentName", "ComponentVersion", "ComponentDescription", "ComponentPublisher",
	"ComponentConfiguration", "DefaultConfiguration", "ComponentDependencies", "VersionRequirement",
	"DependencyType", "Manifests", "Platform", "Lifecycle", "Artifacts", "URI", "Digest", "Algorithm", "Unarchive",
	"Permission", "Read", "Execute", "Selections", "ComponentType", "Setenv", "Script", "RequiresPrivilege",
	"Timeout", "SkipIf",
}

// checkKeyCase reports recipe keys written in a case the nucleus would not match (at the recipe's own
// levels; DefaultConfiguration holds the component's own keys and is not checked).
func checkKeyCase(doc map[string]any) []error {
	canon := map[string]string{}
	for _, k := range recipeKeys {
		canon[strings.ToLower(k)] = k
	}
	var errs []error
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(t) {
				if want, ok := canon[strings.ToLower(k)]; ok && want != k {
					errs = append(errs, fmt.Errorf("%s%s: write the key as %q", path, k, want))
				}
				if k == "DefaultConfiguration" || k == "ComponentDependencies" {
					continue
				}
				walk(path+k+".", t[k])
			}
		case []any:
			for i, e := range t {
				walk(fmt.Sprintf("%s%d.", path, i), e)
			}
		}
	}
	walk("", doc)
	return errs
}

// lowerKeys returns a copy of v with every object key lower-cased, the form the recipe schema is written for.
func lowerKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[strings.ToLower(k)] = lowerKeys(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = lowerKeys(e)
		}
		return out
	default:
		return v
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
