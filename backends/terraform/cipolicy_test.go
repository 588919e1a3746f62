package terraform_test

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/slm-project/slm/backends/terraform"
	"github.com/slm-project/slm/backends/terraform/exampleir"
	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/deploy/awsdeploy"
	"github.com/slm-project/slm/deploy/registry"
)

// The CI role must allow every AWS call slm plan, apply (lock, force-unlock, --start, --wait) and
// slm approve/reject make. The calls are the methods of the small client interfaces the deploy code
// holds its clients as; ciCalls maps each to the IAM actions it needs and the resources it touches in
// the example. An interface that gains a method the table lacks fails TestCIPolicyCoversEveryCall, so
// the table cannot fall behind the code.

// example holds the example's concrete names the resources are built from.
type example struct {
	p       *ir.Pipeline
	account string
}

func (e example) arn(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, e.p.Project.Region, e.account, resource)
}

func (e example) storage(name string) ir.Storage {
	for _, s := range e.p.Storage {
		if s.Name == name {
			return s
		}
	}
	panic("no storage " + name)
}

// objects are the objects apply reads and writes: step code and artifacts, each edge target's
// component artifacts, the lock.
func (e example) objects() []string {
	a := e.storage(e.p.Project.ArtifactStorage)
	out := []string{"arn:aws:s3:::" + a.Bucket + "/" + a.Prefix + terraform.ArtifactsPrefix + "code/abc.tar.gz", e.lock()}
	for _, t := range e.p.EdgeTargets {
		s := e.storage(t.Storage)
		out = append(out, "arn:aws:s3:::"+s.Bucket+"/"+s.Prefix+terraform.ArtifactsPrefix+t.ComponentName+"/1.0.0/model.tar.gz")
	}
	return out
}

func (e example) lock() string {
	a := e.storage(e.p.Project.ArtifactStorage)
	return "arn:aws:s3:::" + a.Bucket + "/" + a.Prefix + "slm/locks/" + e.p.Project.PipelineName + ".lock"
}

func (e example) buckets() []string {
	var out []string
	for _, s := range e.p.Storage {
		out = append(out, "arn:aws:s3:::"+s.Bucket)
	}
	return out
}

// createdKey stands for the ARN of the key the Terraform creates (aws_kms_key.this).
const createdKey = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-0000-4000-8000-000000000000"

// keys are the action on the keys of the SSE-KMS storage locations, whose objects apply reads and writes.
func (e example) keys(action string) []need {
	var out []need
	for _, s := range e.p.Storage {
		switch {
		case s.Encryption != ir.EncryptionKMS:
		case s.KMSKeyARN != "":
			out = append(out, on(action, s.KMSKeyARN))
		default:
			out = append(out, on(action, createdKey))
		}
	}
	return out
}

func (e example) pipeline() string { return e.arn("sagemaker", "pipeline/"+e.p.Project.PipelineName) }

func (e example) packages() []string {
	var out []string
	for _, r := range e.p.Registers {
		out = append(out, e.arn("sagemaker", "model-package/"+r.ModelPackageGroup+"/3"))
	}
	return out
}

func (e example) components() (names []string) {
	for _, t := range e.p.EdgeTargets {
		names = append(names, t.ComponentName)
	}
	return names
}

func (e example) thingGroups() (out []string) {
	for _, t := range e.p.EdgeTargets {
		out = append(out, e.arn("iot", "thinggroup/"+t.ThingGroup))
		if t.Canary != nil {
			out = append(out, e.arn("iot", "thinggroup/"+t.Canary.ThingGroup))
		}
	}
	return out
}

// need is one IAM action on the resources it must be allowed on ("*" for an action without
// resource-level permissions).
type need struct {
	action    string
	resources []string
}

func on(action string, resources ...string) need { return need{action, resources} }

// ciCalls maps "interface.Method" to what the call needs. nil: no permission (sts:GetCallerIdentity).
var ciCalls = map[string]func(e example) []need{
	"awsdeploy.S3API.HeadObject": func(e example) []need {
		return []need{on("s3:GetObject", e.objects()...), on("s3:ListBucket", e.buckets()...)}
	},
	"awsdeploy.S3API.GetObject": func(e example) []need {
		return append([]need{on("s3:GetObject", e.objects()...)}, e.keys("kms:Decrypt")...)
	},
	"awsdeploy.S3API.PutObject": func(e example) []need {
		return append([]need{on("s3:PutObject", e.objects()...)}, e.keys("kms:GenerateDataKey")...)
	},
	"awsdeploy.S3API.DeleteObject": func(e example) []need { return []need{on("s3:DeleteObject", e.lock())} },
	"awsdeploy.S3API.HeadBucket":   func(e example) []need { return []need{on("s3:ListBucket", e.buckets()...)} },

	"awsdeploy.SageMakerAPI.DescribePipeline": func(e example) []need { return []need{on("sagemaker:DescribePipeline", e.pipeline())} },
	"awsdeploy.SageMakerAPI.CreatePipeline": func(e example) []need {
		return []need{on("sagemaker:CreatePipeline", e.pipeline()), on("iam:PassRole", "arn:aws:iam::"+e.account+":role/"+e.p.Project.ExecutionRoleName)}
	},
	"awsdeploy.SageMakerAPI.UpdatePipeline": func(e example) []need {
		return []need{on("sagemaker:UpdatePipeline", e.pipeline()), on("iam:PassRole", "arn:aws:iam::"+e.account+":role/"+e.p.Project.ExecutionRoleName)}
	},
	"awsdeploy.SageMakerAPI.ListTags": func(e example) []need { return []need{on("sagemaker:ListTags", e.pipeline())} },
	"awsdeploy.SageMakerAPI.AddTags":  func(e example) []need { return []need{on("sagemaker:AddTags", e.pipeline())} },
	"awsdeploy.SageMakerAPI.StartPipelineExecution": func(e example) []need {
		return []need{on("sagemaker:StartPipelineExecution", e.pipeline())}
	},
	"awsdeploy.SageMakerAPI.DescribePipelineExecution": func(e example) []need {
		return []need{on("sagemaker:DescribePipelineExecution", e.pipeline()+"/execution/abc123")}
	},
	"awsdeploy.SageMakerAPI.ListPipelineExecutionSteps": func(e example) []need {
		return []need{on("sagemaker:ListPipelineExecutionSteps", e.pipeline()+"/execution/abc123")}
	},
	// ListModelPackages has no resource-level permissions.
	"awsdeploy.SageMakerAPI.ListModelPackages":    func(e example) []need { return []need{on("sagemaker:ListModelPackages", "*")} },
	"awsdeploy.SageMakerAPI.DescribeModelPackage": func(e example) []need { return []need{on("sagemaker:DescribeModelPackage", e.packages()...)} },

	"awsdeploy.STSAPI.GetCallerIdentity": nil,

	"awsdeploy.GreengrassAPI.DescribeComponent": func(e example) []need {
		var rs []string
		for _, c := range e.components() {
			rs = append(rs, e.arn("greengrass", "components:"+c+":versions:1.0.0"))
		}
		return []need{on("greengrass:DescribeComponent", rs...)}
	},
	"awsdeploy.GreengrassAPI.CreateComponentVersion": func(e example) []need {
		var rs []string
		for _, c := range e.components() {
			rs = append(rs, e.arn("greengrass", "components:"+c))
		}
		return []need{on("greengrass:CreateComponentVersion", rs...)}
	},
	"awsdeploy.GreengrassAPI.ListDeployments": func(e example) []need { return []need{on("greengrass:ListDeployments", "*")} },
	"awsdeploy.GreengrassAPI.GetDeployment": func(e example) []need {
		return []need{on("greengrass:GetDeployment", e.arn("greengrass", "deployments:4e1c2a6f-0000-4000-8000-000000000000"))}
	},
	// CreateDeployment's dependent actions (AWS Service Authorization Reference, Greengrass v2):
	// Greengrass checks them against the caller for the job it creates on the target.
	"awsdeploy.GreengrassAPI.CreateDeployment": func(e example) []need {
		job := e.arn("iot", "job/4e1c2a6f-0000-4000-8000-000000000000")
		thing := e.arn("iot", "thing/store-0042-core")
		return []need{
			on("greengrass:CreateDeployment", "*"),
			on("iot:CreateJob", append([]string{job}, e.thingGroups()...)...),
			on("iot:CancelJob", job), on("iot:DescribeJob", job), on("iot:UpdateJob", job),
			on("iot:DescribeThingGroup", e.thingGroups()...),
			on("iot:DescribeThing", thing), on("iot:GetThingShadow", thing), on("iot:UpdateThingShadow", thing), on("iot:DeleteThingShadow", thing),
		}
	},
	"awsdeploy.IoTAPI.DescribeJob": func(e example) []need {
		return []need{on("iot:DescribeJob", e.arn("iot", "job/4e1c2a6f-0000-4000-8000-000000000000"))}
	},

	"registry.SageMaker.ListModelPackages":    func(e example) []need { return []need{on("sagemaker:ListModelPackages", "*")} },
	"registry.SageMaker.DescribeModelPackage": func(e example) []need { return []need{on("sagemaker:DescribeModelPackage", e.packages()...)} },
	"registry.SageMaker.UpdateModelPackage":   func(e example) []need { return []need{on("sagemaker:UpdateModelPackage", e.packages()...)} },
	// Approve and reject read the evaluation reports the pipeline wrote to its artifact storage.
	"registry.S3.GetObject": func(e example) []need {
		return append([]need{on("s3:GetObject", e.objects()[0])}, e.keys("kms:Decrypt")...)
	},
	"registry.STS.GetCallerIdentity": nil,
}

// clientInterfaces are the interfaces the deploy code calls AWS through.
var clientInterfaces = []reflect.Type{
	reflect.TypeFor[awsdeploy.S3API](),
	reflect.TypeFor[awsdeploy.SageMakerAPI](),
	reflect.TypeFor[awsdeploy.STSAPI](),
	reflect.TypeFor[awsdeploy.GreengrassAPI](),
	reflect.TypeFor[awsdeploy.IoTAPI](),
	reflect.TypeFor[registry.SageMaker](),
	reflect.TypeFor[registry.S3](),
	reflect.TypeFor[registry.STS](),
}

// calls are the "package.Interface.Method" names of every client method.
func calls(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, it := range clientInterfaces {
		if it.Kind() != reflect.Interface {
			t.Fatalf("%v is not an interface", it)
		}
		pkg := it.PkgPath()[strings.LastIndex(it.PkgPath(), "/")+1:]
		for i := range it.NumMethod() {
			out = append(out, pkg+"."+it.Name()+"."+it.Method(i).Name)
		}
	}
	return out
}

// The clients' fields are these interfaces; a new client field of another type needs a row above.
func TestClientInterfacesListed(t *testing.T) {
	listed := map[reflect.Type]bool{}
	for _, it := range clientInterfaces {
		listed[it] = true
	}
	for _, st := range []reflect.Type{reflect.TypeFor[awsdeploy.Clients](), reflect.TypeFor[registry.Registry]()} {
		for i := range st.NumField() {
			f := st.Field(i)
			if f.Type.Kind() == reflect.Interface && !listed[f.Type] {
				t.Errorf("%s.%s is a %v, which clientInterfaces lacks: add it and its methods' IAM actions to ciCalls", st.Name(), f.Name, f.Type)
			}
		}
	}
}

func TestCIPolicyCoversEveryCall(t *testing.T) {
	for _, env := range exampleir.Environments {
		t.Run(env, func(t *testing.T) { checkCIPolicy(t, exampleir.Compile(t, env)) })
	}
}

func checkCIPolicy(t *testing.T, p *ir.Pipeline) {
	if len(p.EdgeTargets) == 0 || len(p.Registers) == 0 || len(example{p: p}.keys("x")) == 0 {
		t.Fatal("the example has no edge target, no register step or no SSE-KMS storage: the test would not cover every call")
	}
	sts, err := terraform.PolicyStatements(p, terraform.Inputs{}, "ci")
	if err != nil {
		t.Fatal(err)
	}
	e := example{p: p, account: "123456789012"}
	seen := map[string]bool{}
	for _, call := range calls(t) {
		seen[call] = true
		needs, ok := ciCalls[call]
		if !ok {
			t.Errorf("%s: not in ciCalls; add the IAM actions it needs (and grant them to the CI role in iam.go)", call)
			continue
		}
		if needs == nil {
			continue
		}
		for _, n := range needs(e) {
			if len(n.resources) == 0 {
				t.Errorf("%s: %s: the example gives no resource to check", call, n.action)
			}
			for _, r := range n.resources {
				if !allowed(sts, e, n.action, r) {
					t.Errorf("%s: the CI role's policy does not allow %s on %s", call, n.action, r)
				}
			}
		}
	}
	for call := range ciCalls {
		if !seen[call] {
			t.Errorf("ciCalls has %s, which no client interface has: remove it", call)
		}
	}
}

// Without edge targets the CI role gets no Greengrass or IoT job permissions.
func TestCIPolicyEdgeOnlyWithEdgeTargets(t *testing.T) {
	p := exampleir.Compile(t, "dev")
	p.EdgeTargets = nil
	var alarms []ir.Alarm
	for _, a := range p.Monitoring.Alarms {
		if a.EdgeTarget == "" {
			alarms = append(alarms, a)
		}
	}
	p.Monitoring.Alarms = alarms
	sts, err := terraform.PolicyStatements(p, terraform.Inputs{}, "ci")
	if err != nil {
		t.Fatal(err)
	}
	e := example{p: p, account: "123456789012"}
	for _, a := range []string{"greengrass:CreateDeployment", "greengrass:CreateComponentVersion", "iot:CreateJob", "iot:UpdateThingShadow"} {
		if allowed(sts, e, a, "*") || allowed(sts, e, a, e.arn("iot", "job/x")) {
			t.Errorf("without edge targets the CI role still allows %s", a)
		}
	}
}

// allowed says some statement allows action on resource, with IAM's matching: actions
// case-insensitively, both with * and ? wildcards; resources after the Terraform locals are replaced
// by the example's values (an attribute reference such as a key's ARN matches nothing).
func allowed(sts []terraform.Statement, e example, action, resource string) bool {
	locals := strings.NewReplacer("${local.partition}", "aws", "${local.region}", e.p.Project.Region,
		"${local.account_id}", e.account, "${local.name}", e.p.Project.PipelineName, "aws_kms_key.this.arn", createdKey)
	for _, s := range sts {
		okAction := false
		for _, a := range s.Actions {
			if wildcard(strings.ToLower(a), strings.ToLower(action)) {
				okAction = true
			}
		}
		if !okAction {
			continue
		}
		for _, r := range s.Resources {
			r = locals.Replace(r)
			if !strings.Contains(r, "${") && wildcard(r, resource) {
				return true
			}
		}
	}
	return false
}

// wildcard matches s against an IAM pattern: * any run of characters, ? any one.
func wildcard(pattern, s string) bool {
	var b strings.Builder
	b.WriteString("^")
	for _, part := range regexp.MustCompile(`[*?]|[^*?]+`).FindAllString(pattern, -1) {
		switch part {
		case "*":
			b.WriteString(".*")
		case "?":
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(part))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()).MatchString(s)
}

func TestWildcard(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"iot:describe*", "iot:describejob", true},
		{"iot:describe*", "iot:createjob", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"arn:aws:s3:::b", "arn:aws:s3:::b2", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a.c", "abc", false},
		{"*", "*", true},
		{"arn:aws:sagemaker:*", "*", false},
	} {
		if got := wildcard(c.pattern, c.s); got != c.want {
			t.Errorf("wildcard(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}
