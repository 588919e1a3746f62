package cost

import (
	"encoding/json"
	"fmt"

	"github.com/slm-project/slm/compiler/ir"
)

// OfDefinition prices one run of a SageMaker pipeline definition as it is
// deployed, so a plan can say how the cost changes (Diff): each Processing
// and Training step's instances, volume and max runtime, read from the
// definition. blocks maps step names to the blocks they come from, for
// the names the plan shows; a value set by a run-time parameter has no
// price.
func OfDefinition(definition []byte, region string, blocks map[string]string, prices *Prices) (*Estimate, error) {
	var def struct {
		Steps []struct {
			Name      string
			Type      string
			Arguments struct {
				ResourceConfig      *resources
				ProcessingResources *struct{ ClusterConfig *resources }
				StoppingCondition   *struct {
					MaxRuntimeInSeconds json.RawMessage
				}
				EnableManagedSpotTraining json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(definition, &def); err != nil {
		return nil, fmt.Errorf("reading the deployed pipeline definition for its cost: %w", err)
	}
	e := &Estimate{Currency: prices.Currency, Region: region, Prices: prices.Origin, PricesDate: prices.Date, PricesSource: prices.Source}
	var steps []computeStep
	for _, s := range def.Steps {
		var r *resources
		switch {
		case s.Type == "Training":
			r = s.Arguments.ResourceConfig
		case s.Type == "Processing" && s.Arguments.ProcessingResources != nil:
			r = s.Arguments.ProcessingResources.ClusterConfig
		}
		if r == nil {
			continue
		}
		c := ir.Compute{InstanceType: literal[string](r.InstanceType), InstanceCount: literal[int](r.InstanceCount), VolumeSizeGB: literal[int](r.VolumeSizeInGB)}
		if sc := s.Arguments.StoppingCondition; sc != nil {
			c.MaxRuntimeSeconds = literal[int](sc.MaxRuntimeInSeconds)
		}
		c.Spot = literal[bool](s.Arguments.EnableManagedSpotTraining)
		block := blocks[s.Name]
		if block == "" {
			block = s.Name
		}
		steps = append(steps, computeStep{block: block, step: s.Name, c: c})
	}
	e.Run, e.SpotSavings = priceRun(steps, region, prices, &e.Missing)
	return e, nil
}

type resources struct {
	InstanceType   json.RawMessage
	InstanceCount  json.RawMessage
	VolumeSizeInGB json.RawMessage
}

// literal decodes a JSON literal; a parameter reference ({"Get": ...}) or
// anything else gives the zero value, which has no price.
func literal[T any](raw json.RawMessage) T {
	var v T
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &v)
	}
	return v
}
