// Package schemacheck checks Terraform configuration against a provider's real schema
// (`terraform providers schema -json`) in-process, without Terraform or provider binaries: every resource
// and data block's arguments and nested blocks must exist with the right types, required ones present,
// and every reference must name a declared object and an attribute its type has.
package schemacheck

import (
	"encoding/json"
	"fmt"
	"os"

	tfjson "github.com/hashicorp/terraform-json"
)

// Schema holds the resource, data source and provider configuration schemas of one provider.
type Schema struct {
	Provider  *tfjson.SchemaBlock
	Resources map[string]*tfjson.SchemaBlock
	Data      map[string]*tfjson.SchemaBlock
}

// Load reads a provider schema document and keeps the schema of the provider at address (for example
// registry.terraform.io/hashicorp/aws).
func Load(path, address string) (*Schema, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading provider schema: %w", err)
	}
	var doc tfjson.ProviderSchemas
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parsing provider schema %s: %w", path, err)
	}
	p, ok := doc.Schemas[address]
	if !ok {
		return nil, fmt.Errorf("provider schema %s has no provider %s", path, address)
	}
	s := &Schema{Resources: map[string]*tfjson.SchemaBlock{}, Data: map[string]*tfjson.SchemaBlock{}}
	if p.ConfigSchema != nil {
		s.Provider = p.ConfigSchema.Block
	}
	for name, rs := range p.ResourceSchemas {
		s.Resources[name] = rs.Block
	}
	for name, ds := range p.DataSourceSchemas {
		s.Data[name] = ds.Block
	}
	return s, nil
}
