package ggcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/greengrassv2"
)

// ValidateDeployment checks a CreateDeployment request in the API's JSON form (`aws greengrassv2
// create-deployment --cli-input-json`): it must decode strictly into the SDK's CreateDeploymentInput, with
// every key in the API's exact camelCase spelling, and satisfy the CloudFormation deployment schema.
func (v *Validator) ValidateDeployment(req []byte) error {
	var errs []error
	dec := json.NewDecoder(bytes.NewReader(req))
	dec.DisallowUnknownFields()
	var in greengrassv2.CreateDeploymentInput
	if err := dec.Decode(&in); err != nil {
		errs = append(errs, fmt.Errorf("CreateDeploymentInput: %w", err))
	}
	var doc map[string]any
	gen := json.NewDecoder(bytes.NewReader(req))
	gen.UseNumber()
	if err := gen.Decode(&doc); err != nil {
		return errors.Join(append(errs, fmt.Errorf("deployment is not a JSON object: %w", err))...)
	}
	// encoding/json matches field names case-insensitively; the service does not.
	errs = append(errs, checkWireNames("", doc, reflect.TypeOf(in))...)
	if in.TargetArn == nil || *in.TargetArn == "" {
		errs = append(errs, errors.New("targetArn is required"))
	}
	for name, c := range in.Components {
		if err := CheckComponentName(name); err != nil {
			errs = append(errs, fmt.Errorf("components: %w", err))
		}
		if c.ComponentVersion != nil {
			if err := CheckComponentVersion(*c.ComponentVersion); err != nil {
				errs = append(errs, fmt.Errorf("components.%s: %w", name, err))
			}
		}
		if c.ConfigurationUpdate != nil && c.ConfigurationUpdate.Merge != nil {
			var merge map[string]any
			if err := json.Unmarshal([]byte(*c.ConfigurationUpdate.Merge), &merge); err != nil {
				errs = append(errs, fmt.Errorf("components.%s.configurationUpdate.merge must be a JSON object encoded as a string: %w", name, err))
			}
		}
	}
	if err := v.deployment.Validate(cloudFormation(doc, "")); err != nil {
		errs = append(errs, fmt.Errorf("CloudFormation AWS::GreengrassV2::Deployment schema: %w", err))
	}
	return errors.Join(errs...)
}

// checkWireNames walks the JSON against the SDK type and reports keys whose spelling is not the API's:
// the Go field name with a lower-case first letter (targetArn, iotJobConfiguration, ...).
func checkWireNames(path string, v any, t reflect.Type) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var errs []error
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil // type errors are the strict decoder's to report
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			if f.IsExported() {
				fields[lowerFirst(f.Name)] = f.Type
			}
		}
		for _, k := range sortedKeys(obj) {
			ft, ok := fields[k]
			if !ok {
				errs = append(errs, fmt.Errorf("%s%s: not a CreateDeployment field (spelling and case matter)", path, k))
				continue
			}
			errs = append(errs, checkWireNames(path+k+".", obj[k], ft)...)
		}
	case reflect.Map:
		obj, _ := v.(map[string]any)
		for _, k := range sortedKeys(obj) {
			errs = append(errs, checkWireNames(path+k+".", obj[k], t.Elem())...)
		}
	case reflect.Slice:
		arr, _ := v.([]any)
		for i, e := range arr {
			errs = append(errs, checkWireNames(fmt.Sprintf("%s%d.", path, i), e, t.Elem())...)
		}
	}
	return errs
}

// cloudFormation rewrites the API form into the CloudFormation resource's property form: the same
// structure with PascalCase keys, except the user-chosen keys of components and tags, and without the
// request-only clientToken.
func cloudFormation(v any, parent string) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			switch {
			case parent == "" && k == "clientToken":
				continue
			case parent == "components" || parent == "tags":
				out[k] = cloudFormation(e, "")
			default:
				out[upperFirst(k)] = cloudFormation(e, k)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = cloudFormation(e, "")
		}
		return out
	default:
		return v
	}
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}
