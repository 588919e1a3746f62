package main

import (
	"github.com/slm-project/slm/compiler/cost"
	"github.com/slm-project/slm/compiler/ir"
)

// estimateCost prices the pipeline with the built-in table and the user's
// price files; a bad price file is an error before anything is written.
func estimateCost(p *ir.Pipeline, priceFiles []string) (*cost.Estimate, error) {
	prices, err := cost.Load(priceFiles...)
	if err != nil {
		return nil, err
	}
	return cost.Of(p, prices), nil
}
