// Package cost estimates what a compiled pipeline costs: one run of the
// pipeline (each step's instances for at most their max runtime, the upper
// bound; spot training as a range) and the estate's fixed monthly cost (KMS
// key, alarms, dashboard). It is a pure function of the IR and a price
// table: the built-in table is committed (prices.json, with its source and
// date) and a user's price file overrides it entry by entry. A price the
// table lacks is reported as missing, never guessed.
package cost

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
)

//go:embed prices.json
var builtinPrices []byte

// Prices is a price table: list prices per region, in one currency.
type Prices struct {
	Source      string                  `json:"source"`
	Date        string                  `json:"date"`
	Currency    string                  `json:"currency"`
	SpotSavings *SpotSavings            `json:"spot_savings,omitempty"`
	Regions     map[string]RegionPrices `json:"regions"`
	// Origin says where the table came from, for the plan: "built-in" or
	// the price files that overrode it.
	Origin string `json:"-"`
}

// SpotSavings is how much cheaper managed spot training can be than
// on-demand, as fractions: the run's cost lies between (1-Max) and (1-Min)
// times the on-demand cost.
type SpotSavings struct {
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Source string  `json:"source,omitempty"`
}

// RegionPrices are one region's prices. Pointers are nil when the table has
// no price, so zero (free) and unknown stay apart.
type RegionPrices struct {
	InstanceHour     map[string]float64 `json:"instance_hour,omitempty"`
	StorageGBMonth   *float64           `json:"storage_gb_month,omitempty"`
	KMSKeyMonth      *float64           `json:"kms_key_month,omitempty"`
	AlarmMetricMonth *float64           `json:"alarm_metric_month,omitempty"`
	DashboardMonth   *float64           `json:"dashboard_month,omitempty"`
}

// Builtin returns the committed price table.
func Builtin() (*Prices, error) {
	p, err := parse(builtinPrices, "the built-in price table")
	if err != nil {
		return nil, err
	}
	p.Origin = "built-in table (" + p.Date + ")"
	return p, nil
}

// Load returns the built-in table with each price file laid over it in
// order: a file's entries replace the table's, region by region and key by
// key; everything it does not name stays.
func Load(files ...string) (*Prices, error) {
	p, err := Builtin()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading the price file: %w", err)
		}
		o, err := parse(b, "price file "+f)
		if err != nil {
			return nil, err
		}
		if err := p.overlay(o); err != nil {
			return nil, fmt.Errorf("price file %s: %w", f, err)
		}
		p.Origin += ", overridden by " + f
	}
	return p, nil
}

func parse(b []byte, what string) (*Prices, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Prices
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s is not a valid price table: %w (the format is that of compiler/cost/prices.json: {\"currency\": \"USD\", \"regions\": {\"eu-west-1\": {\"instance_hour\": {\"ml.m5.large\": 0.128}}}})", what, err)
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return &p, nil
}

func (p *Prices) check() error {
	if p.Regions == nil {
		p.Regions = map[string]RegionPrices{}
	}
	bad := func(where string, v float64) error {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s is %g; a price is a non-negative number", where, v)
		}
		return nil
	}
	if s := p.SpotSavings; s != nil {
		if s.Min < 0 || s.Max > 1 || s.Min > s.Max {
			return fmt.Errorf("spot_savings {min %g, max %g} must satisfy 0 <= min <= max <= 1", s.Min, s.Max)
		}
	}
	for _, r := range sortedKeys(p.Regions) {
		rp := p.Regions[r]
		for _, t := range sortedKeys(rp.InstanceHour) {
			if !strings.HasPrefix(t, "ml.") {
				return fmt.Errorf("regions.%s.instance_hour: %q is not a SageMaker instance type (they start with \"ml.\")", r, t)
			}
			if err := bad(fmt.Sprintf("regions.%s.instance_hour[%q]", r, t), rp.InstanceHour[t]); err != nil {
				return err
			}
		}
		for name, v := range map[string]*float64{"storage_gb_month": rp.StorageGBMonth, "kms_key_month": rp.KMSKeyMonth, "alarm_metric_month": rp.AlarmMetricMonth, "dashboard_month": rp.DashboardMonth} {
			if v != nil {
				if err := bad("regions."+r+"."+name, *v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (p *Prices) overlay(o *Prices) error {
	if o.Currency != "" && p.Currency != "" && o.Currency != p.Currency {
		return fmt.Errorf("currency %s differs from the table's %s; give every price in %s", o.Currency, p.Currency, p.Currency)
	}
	if o.SpotSavings != nil {
		p.SpotSavings = o.SpotSavings
	}
	for r, orp := range o.Regions {
		rp := p.Regions[r]
		if rp.InstanceHour == nil {
			rp.InstanceHour = map[string]float64{}
		} else {
			m := make(map[string]float64, len(rp.InstanceHour))
			for k, v := range rp.InstanceHour {
				m[k] = v
			}
			rp.InstanceHour = m
		}
		for k, v := range orp.InstanceHour {
			rp.InstanceHour[k] = v
		}
		if orp.StorageGBMonth != nil {
			rp.StorageGBMonth = orp.StorageGBMonth
		}
		if orp.KMSKeyMonth != nil {
			rp.KMSKeyMonth = orp.KMSKeyMonth
		}
		if orp.AlarmMetricMonth != nil {
			rp.AlarmMetricMonth = orp.AlarmMetricMonth
		}
		if orp.DashboardMonth != nil {
			rp.DashboardMonth = orp.DashboardMonth
		}
		p.Regions[r] = rp
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
