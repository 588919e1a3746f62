// Package terraform generates, from a pipeline's IR, the Terraform (HCL through hclwrite) that stands up
// the AWS estate the pipeline runs in: buckets, KMS, IAM roles, the model package groups (the SageMaker
// pipeline itself is slm apply's), IoT thing groups and the Greengrass token-exchange role alias, alarms, a dashboard and the
// approval rule. It is a pure function of the IR and the SageMaker backend's output; it never reads HCL.
package terraform

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/compiler/ir"
)

// Inputs are what the other backends produce that the Terraform carries.
type Inputs struct {
	// Uploads are the content-addressed files the pipeline reads (step code, binaries), uploaded by slm
	// before the pipeline runs; they must lie in the pipeline's storage, which the execution role reads.
	Uploads []artifact.Upload
}

// Resource is one Terraform resource or data source as the plan view shows it.
type Resource struct {
	Mode string // "resource" or "data"
	Type string
	Name string
	File string // the .tf file it is in
	// Key is the for_each key of one instance of a block that has for_each ("" otherwise): the plan
	// lists instances, so a for_each over nothing shows nothing and two keys show two resources.
	Key string
	// Attributes are the key settings to show, in display order.
	Attributes []Attribute
}

// Attribute is one displayed setting of a Resource.
type Attribute struct{ Name, Value string }

// Details renders the attributes as "name: value" lines for the plan view.
func (r Resource) Details() []string {
	out := make([]string, len(r.Attributes))
	for i, a := range r.Attributes {
		out[i] = a.Name + ": " + a.Value
	}
	return out
}

// Address is the resource instance's Terraform address, with its for_each key.
func (r Resource) Address() string {
	a := r.BlockAddress()
	if r.Key != "" {
		a += "[" + strconv.Quote(r.Key) + "]"
	}
	return a
}

// BlockAddress is the address of the block the instance comes from.
func (r Resource) BlockAddress() string {
	if r.Mode == "data" {
		return "data." + r.Type + "." + r.Name
	}
	return r.Type + "." + r.Name
}

type gen struct {
	p         *ir.Pipeline
	in        Inputs
	files     map[string]*hclwrite.File
	resources []Resource
	storage   map[string]ir.Storage
	// bucketRes is the aws_s3_bucket resource name of each storage location's bucket.
	bucketRes map[string]string
	// comment holds lines to write above the next resource block.
	comment []string
	// policies are the statements of each aws_iam_policy_document written, by data source name, so
	// tests can check a role's permissions statement by statement.
	policies map[string][]statement
}

// Generate returns the Terraform files keyed by their path relative to <out>/terraform/.
func Generate(p *ir.Pipeline, in Inputs) (map[string][]byte, error) {
	files, _, err := Render(p, in)
	return files, err
}

// Plan lists the resources and data sources Generate writes, sorted by address, for the plan view.
func Plan(p *ir.Pipeline, in Inputs) ([]Resource, error) {
	_, rs, err := Render(p, in)
	return rs, err
}

// Render builds the Terraform once and returns both its files (as Generate) and its resources (as Plan).
func Render(p *ir.Pipeline, in Inputs) (map[string][]byte, []Resource, error) {
	g, err := build(p, in)
	if err != nil {
		return nil, nil, err
	}
	out := make(map[string][]byte, len(g.files)+1)
	for name, f := range g.files {
		out[name] = hclwrite.Format(f.Bytes())
	}
	rs := append([]Resource(nil), g.resources...)
	sort.Slice(rs, func(i, j int) bool { return rs[i].Address() < rs[j].Address() })
	return out, rs, nil
}

func build(p *ir.Pipeline, in Inputs) (g *gen, err error) {
	if p == nil {
		return nil, fmt.Errorf("terraform backend: no pipeline")
	}
	if err := validate(p); err != nil {
		return nil, err
	}
	if err := checkUploads(p, in.Uploads); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("terraform backend: %v", r)
		}
	}()
	groups, err := groupBuckets(p.Storage)
	if err != nil {
		return nil, err
	}
	g = &gen{p: p, in: in, files: map[string]*hclwrite.File{}, storage: map[string]ir.Storage{}, bucketRes: map[string]string{}, policies: map[string][]statement{}}
	for _, grp := range groups {
		for _, s := range grp.storages {
			g.storage[s.Name] = s
			g.bucketRes[s.Name] = grp.name
		}
	}
	g.settings()
	g.kms()
	for _, grp := range groups {
		g.bucket(grp)
	}
	g.sagemakerRole()
	g.ciRole()
	g.sagemaker()
	g.edge()
	g.monitoring()
	g.outputs()
	return g, nil
}

// file returns the named file, creating it.
func (g *gen) file(name string) *hclwrite.Body {
	f, ok := g.files[name]
	if !ok {
		f = hclwrite.NewEmptyFile()
		g.files[name] = f
	}
	if len(f.Body().Blocks()) > 0 || len(f.Body().Attributes()) > 0 {
		f.Body().AppendNewline()
	}
	return f.Body()
}

// resource appends a resource block to file and records it for the plan view; attrs are name/value
// pairs to display.
func (g *gen) resource(file, typ, name string, attrs ...string) block {
	g.record("resource", file, typ, name, attrs)
	return g.resourceBlock(file, typ, name)
}

// resourceEach appends a resource block that has for_each over keys and records one instance per key,
// with the attributes attrs gives it.
func (g *gen) resourceEach(file, typ, name string, keys []string, attrs func(key string) []string) block {
	for _, k := range keys {
		g.record("resource", file, typ, name, attrs(k))
		g.resources[len(g.resources)-1].Key = k
	}
	return g.resourceBlock(file, typ, name)
}

func (g *gen) resourceBlock(file, typ, name string) block {
	body := g.file(file)
	for _, line := range g.comment {
		body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte("# " + line + "\n")}})
	}
	g.comment = nil
	return block{body.AppendNewBlock("resource", []string{typ, name}).Body()}
}

// data appends a data block.
func (g *gen) data(file, typ, name string, attrs ...string) block {
	g.record("data", file, typ, name, attrs)
	return block{g.file(file).AppendNewBlock("data", []string{typ, name}).Body()}
}

func (g *gen) record(mode, file, typ, name string, attrs []string) {
	r := Resource{Mode: mode, Type: typ, Name: name, File: file}
	for i := 0; i+1 < len(attrs); i += 2 {
		v := attrs[i+1]
		if v == "" {
			v = "none" // never an empty "name:" line in the plan
		}
		r.Attributes = append(r.Attributes, Attribute{Name: attrs[i], Value: v})
	}
	g.resources = append(g.resources, r)
}

// validate rejects IR the Terraform cannot express, naming the block to fix.
func validate(p *ir.Pipeline) error {
	names := map[string]bool{}
	for _, s := range p.Storage {
		names[s.Name] = true
		if s.Bucket == "" {
			return fmt.Errorf("%s: storage %q has no bucket name", s.Range, s.Name)
		}
	}
	if p.Project.ArtifactStorage != "" && !names[p.Project.ArtifactStorage] {
		return fmt.Errorf("%s: project artifact storage %q is not a storage block", p.Project.Range, p.Project.ArtifactStorage)
	}
	for _, e := range p.EdgeTargets {
		if !names[e.Storage] {
			return fmt.Errorf("%s: edge_target %q stores artifacts in %q, which is not a storage block", e.Range, e.Name, e.Storage)
		}
	}
	for _, f := range p.FineTunes {
		if !names[f.Output] {
			return fmt.Errorf("%s: finetune %q writes to %q, which is not a storage block", f.Range, f.Name, f.Output)
		}
	}
	return nil
}

// checkUploads makes sure every upload lies in a storage location, the only places the execution role
// can read.
func checkUploads(p *ir.Pipeline, uploads []artifact.Upload) error {
	for _, u := range uploads {
		inside := false
		for _, s := range p.Storage {
			if strings.HasPrefix(u.URI, "s3://"+s.Bucket+"/"+s.Prefix) {
				inside = true
				break
			}
		}
		if !inside {
			return fmt.Errorf("terraform backend: upload %s (%s) is outside every storage location, so the SageMaker execution role could not read it", u.URI, u.Role)
		}
	}
	return nil
}
