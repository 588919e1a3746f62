package lang

import (
	"reflect"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// SchemaItem is one attribute or nested block the decoder accepts in a
// block, addressed by its path from the block ("split.train").
type SchemaItem struct {
	Path       string
	Block      bool // a nested block rather than an attribute
	Required   bool
	Repeatable bool // a block that may appear more than once
}

// Schema lists, for every top-level block type, what the decoder accepts,
// sorted by path. It is derived from the same struct tags and body schemas
// the decoder uses, so SPEC.md can be checked against it
// (compiler/spec_test.go).
func Schema() map[string][]SchemaItem {
	out := map[string][]SchemaItem{}
	structs := map[string]any{
		BlockProject: ProjectBody{}, BlockParameter: ParameterBody{}, BlockStorage: StorageBody{},
		BlockDataset: DatasetBody{}, BlockPrepare: PrepareBody{}, BlockFineTune: FineTuneBody{},
		BlockEvaluate: EvaluateBody{}, BlockRegister: RegisterBody{}, BlockEdgeTarget: EdgeTargetBody{},
		BlockMonitoring: MonitoringBody{},
	}
	for typ, body := range structs {
		out[typ] = structItems(reflect.TypeOf(body), "")
	}
	out[BlockVariable] = append(bodyItems(variableSchema, ""), bodyItems(validationSchema, "validation.")...)
	out[BlockGate] = append(bodyItems(gateSchema, ""), bodyItems(thresholdSchema, "threshold.")...)
	out[BlockMonitoring] = append(out[BlockMonitoring], SchemaItem{Path: "dynamic", Block: true, Repeatable: true})
	for typ := range out {
		items := out[typ]
		sort.Slice(items, func(i, j int) bool { return items[i].Path < items[j].Path })
	}
	return out
}

func structItems(t reflect.Type, prefix string) []SchemaItem {
	var items []SchemaItem
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("hcl")
		if tag == "" {
			continue // not decoded from the body (such as expanded dynamic blocks)
		}
		name, kind, _ := strings.Cut(tag, ",")
		switch kind {
		case "", "attr":
			items = append(items, SchemaItem{Path: prefix + name, Required: true})
		case "optional":
			items = append(items, SchemaItem{Path: prefix + name})
		case "block":
			ft := f.Type
			item := SchemaItem{Path: prefix + name, Block: true, Repeatable: ft.Kind() == reflect.Slice}
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			// A non-pointer, non-slice block field is required by gohcl.
			item.Required = f.Type.Kind() == reflect.Struct
			items = append(items, item)
			items = append(items, structItems(ft, prefix+name+".")...)
		}
	}
	return items
}

func bodyItems(s *hcl.BodySchema, prefix string) []SchemaItem {
	var items []SchemaItem
	for _, a := range s.Attributes {
		items = append(items, SchemaItem{Path: prefix + a.Name, Required: a.Required})
	}
	for _, b := range s.Blocks {
		items = append(items, SchemaItem{Path: prefix + b.Type, Block: true, Repeatable: true})
	}
	return items
}
