// Command provider-schema extracts from the AWS provider's full schema (terraform providers schema -json,
// as carried by github.com/terraform-linters/tflint-ruleset-aws) the subset for the resource and data
// source types the Terraform backend emits, without descriptions, so the tests can check the generated
// Terraform against the real provider schema offline without committing 19 MB.
//
//	go run ./scripts/infra/provider-schema -types testdata/terraform/resource-types.txt \
//	    -in "$(go env GOMODCACHE)/github.com/terraform-linters/tflint-ruleset-aws@v0.48.0/tools/provider-schema/schema.json" \
//	    -out testdata/terraform/aws-provider-schema.json
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

const awsProvider = "registry.terraform.io/hashicorp/aws"

func main() {
	in := flag.String("in", "", "full provider schema JSON (terraform providers schema -json)")
	typesFile := flag.String("types", "", "file listing one type a line: `resource TYPE` or `data TYPE`")
	out := flag.String("out", "", "subset schema JSON to write")
	flag.Parse()
	if *in == "" || *typesFile == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "provider-schema: -in, -types and -out are required")
		os.Exit(2)
	}
	if err := run(*in, *typesFile, *out); err != nil {
		fmt.Fprintf(os.Stderr, "provider-schema: %v\n", err)
		os.Exit(1)
	}
}

type wanted struct {
	resources, data []string
}

func readTypes(path string) (wanted, error) {
	f, err := os.Open(path)
	if err != nil {
		return wanted{}, fmt.Errorf("reading type list: %w", err)
	}
	defer f.Close()
	var w wanted
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, name, ok := strings.Cut(line, " ")
		switch {
		case ok && kind == "resource":
			w.resources = append(w.resources, strings.TrimSpace(name))
		case ok && kind == "data":
			w.data = append(w.data, strings.TrimSpace(name))
		default:
			return wanted{}, fmt.Errorf("%s:%d: want `resource TYPE` or `data TYPE`, got %q", path, n, line)
		}
	}
	if err := sc.Err(); err != nil {
		return wanted{}, fmt.Errorf("reading %s: %w", path, err)
	}
	return w, nil
}

func run(in, typesFile, out string) error {
	w, err := readTypes(typesFile)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("reading full schema: %w", err)
	}
	var full tfjson.ProviderSchemas
	if err := json.Unmarshal(raw, &full); err != nil {
		return fmt.Errorf("parsing %s: %w", in, err)
	}
	aws, ok := full.Schemas[awsProvider]
	if !ok {
		return fmt.Errorf("%s has no %s schema", in, awsProvider)
	}
	if aws.ConfigSchema != nil {
		stripBlock(aws.ConfigSchema.Block)
	}
	sub := &tfjson.ProviderSchema{
		ConfigSchema:      aws.ConfigSchema,
		ResourceSchemas:   map[string]*tfjson.Schema{},
		DataSourceSchemas: map[string]*tfjson.Schema{},
	}
	var missing []string
	pick := func(from, to map[string]*tfjson.Schema, names []string, kind string) {
		for _, n := range names {
			s, ok := from[n]
			if !ok {
				missing = append(missing, kind+" "+n)
				continue
			}
			stripBlock(s.Block)
			to[n] = s
		}
	}
	pick(aws.ResourceSchemas, sub.ResourceSchemas, w.resources, "resource")
	pick(aws.DataSourceSchemas, sub.DataSourceSchemas, w.data, "data")
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("not in the provider schema: %s", strings.Join(missing, ", "))
	}
	doc := tfjson.ProviderSchemas{FormatVersion: full.FormatVersion, Schemas: map[string]*tfjson.ProviderSchema{awsProvider: sub}}
	// encoding/json sorts map keys, so the output is deterministic; indentation keeps diffs reviewable.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encoding subset: %w", err)
	}
	return writeAtomic(out, buf.Bytes())
}

// stripBlock drops descriptions: they are most of the size and the checks never read them.
func stripBlock(b *tfjson.SchemaBlock) {
	if b == nil {
		return
	}
	b.Description, b.DescriptionKind = "", ""
	for _, a := range b.Attributes {
		stripAttr(a)
	}
	for _, nb := range b.NestedBlocks {
		stripBlock(nb.Block)
	}
}

func stripAttr(a *tfjson.SchemaAttribute) {
	a.Description, a.DescriptionKind = "", ""
	if a.AttributeNestedType != nil {
		for _, na := range a.AttributeNestedType.Attributes {
			stripAttr(na)
		}
	}
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".provider-schema-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	merr := os.Chmod(tmp.Name(), 0o644)
	if err := errors.Join(werr, cerr, merr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
