package cost

import (
	"fmt"
	"math"

	"github.com/slm-project/slm/compiler/ir"
)

// hoursPerMonth converts monthly storage prices to hourly ones, as AWS
// prorates them (730 hours a month).
const hoursPerMonth = 730

// Estimate is what the pipeline costs, as the plan carries it.
type Estimate struct {
	Currency string `json:"currency"`
	Region   string `json:"region"`
	// Prices says which table priced it: its origin, source and date.
	Prices       string `json:"prices"`
	PricesDate   string `json:"prices_date"`
	PricesSource string `json:"prices_source"`
	// SpotSavings is the range spot steps are priced with.
	SpotSavings *SpotSavings `json:"spot_savings,omitempty"`
	Run         Run          `json:"run"`
	Monthly     Fixed        `json:"monthly"`
	// Missing lists what has no price in the table, so it is not counted.
	Missing []string `json:"missing,omitempty"`
}

// Range is an amount that is known only within bounds (Low == High when
// exact).
type Range struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// Run is the cost of one pipeline execution. Every step is priced for its
// whole max runtime, so the total is an upper bound (a step that finishes
// sooner costs less; retries cost more, one attempt each).
type Run struct {
	Steps []StepCost `json:"steps"`
	// Total sums the steps that have a price; Complete is false when some
	// have none.
	Total    Range `json:"total"`
	Complete bool  `json:"complete"`
	// Priced counts the steps with a price.
	Priced int `json:"priced_steps"`
}

// StepCost is one step's instances and storage for its max runtime.
type StepCost struct {
	Block             string  `json:"block"`
	Step              string  `json:"step"`
	InstanceType      string  `json:"instance_type"`
	InstanceCount     int     `json:"instance_count"`
	MaxRuntimeSeconds int     `json:"max_runtime_seconds"`
	VolumeSizeGB      int     `json:"volume_size_gb"`
	Spot              bool    `json:"spot,omitempty"`
	HourlyPrice       float64 `json:"hourly_price,omitempty"`
	// Compute and Storage are nil when the table has no price for them.
	Compute *Range   `json:"compute,omitempty"`
	Storage *float64 `json:"storage,omitempty"`
	// Total is Compute plus Storage, nil unless both are priced.
	Total *Range `json:"total,omitempty"`
}

// Fixed is the estate's cost per month whether or not the pipeline runs.
type Fixed struct {
	Items    []FixedItem `json:"items"`
	Total    float64     `json:"total"`
	Complete bool        `json:"complete"`
	// Priced counts the items with a price.
	Priced int `json:"priced_items"`
	// NotCounted are costs that depend on use and are left out.
	NotCounted []string `json:"not_counted"`
}

// FixedItem is one kind of billed resource.
type FixedItem struct {
	What      string   `json:"what"`
	Count     int      `json:"count"`
	UnitPrice *float64 `json:"unit_price,omitempty"`
	Monthly   *float64 `json:"monthly,omitempty"`
}

// Of estimates the pipeline's cost with the given prices.
func Of(p *ir.Pipeline, prices *Prices) *Estimate {
	region := p.Project.Region
	e := &Estimate{Currency: prices.Currency, Region: region, Prices: prices.Origin, PricesDate: prices.Date, PricesSource: prices.Source}
	rp, haveRegion := prices.Regions[region]
	if !haveRegion {
		e.Missing = append(e.Missing, fmt.Sprintf("region %s: no prices in the table (it has %s); pass --price-file with this region's prices", region, regionList(prices)))
	}
	type computeStep struct {
		block, step string
		c           ir.Compute
	}
	var steps []computeStep
	for _, x := range p.Prepares {
		steps = append(steps, computeStep{"prepare." + x.Name, x.StepName, x.Compute})
	}
	for _, x := range p.FineTunes {
		steps = append(steps, computeStep{"finetune." + x.Name, x.StepName, x.Compute})
	}
	for _, x := range p.Evaluations {
		steps = append(steps, computeStep{"evaluate." + x.Name, x.StepName, x.Compute})
	}
	// Run order, as the plan lists steps.
	order := map[string]int{}
	for i, s := range p.Steps {
		order[s.Name] = i
	}
	sortStable(steps, func(a, b computeStep) bool { return order[a.step] < order[b.step] })

	e.Run.Complete = haveRegion
	e.Run.Steps = []StepCost{}
	for _, s := range steps {
		sc := StepCost{Block: s.block, Step: s.step, InstanceType: s.c.InstanceType, InstanceCount: s.c.InstanceCount,
			MaxRuntimeSeconds: s.c.MaxRuntimeSeconds, VolumeSizeGB: s.c.VolumeSizeGB, Spot: s.c.Spot}
		hours := float64(s.c.MaxRuntimeSeconds) / 3600
		n := float64(s.c.InstanceCount)
		if haveRegion {
			if price, ok := rp.InstanceHour[s.c.InstanceType]; ok {
				sc.HourlyPrice = price
				high := price * n * hours
				r := Range{Low: high, High: high}
				if s.c.Spot {
					sv := spot(prices)
					e.SpotSavings = &sv
					r = Range{Low: high * (1 - sv.Max), High: high * (1 - sv.Min)}
				}
				sc.Compute = round(r)
			} else {
				e.Missing = append(e.Missing, fmt.Sprintf("%s: no %s price for %s", s.block, region, s.c.InstanceType))
				e.Run.Complete = false
			}
			if rp.StorageGBMonth != nil {
				v := roundF(*rp.StorageGBMonth * float64(s.c.VolumeSizeGB) * n * hours / hoursPerMonth)
				sc.Storage = &v
			} else {
				e.Missing = append(e.Missing, fmt.Sprintf("%s: no %s price for ML storage volumes", s.block, region))
				e.Run.Complete = false
			}
		}
		if sc.Compute != nil && sc.Storage != nil {
			t := round(Range{Low: sc.Compute.Low + *sc.Storage, High: sc.Compute.High + *sc.Storage})
			sc.Total = t
			e.Run.Total.Low += t.Low
			e.Run.Total.High += t.High
			e.Run.Priced++
		}
		e.Run.Steps = append(e.Run.Steps, sc)
	}
	e.Run.Total = *round(e.Run.Total)
	e.Monthly = fixed(p, rp, haveRegion, region, &e.Missing)
	return e
}

// fixed counts what the generated Terraform creates that bills by the
// month: one customer managed KMS key, each alarm's metrics, one dashboard.
func fixed(p *ir.Pipeline, rp RegionPrices, haveRegion bool, region string, missing *[]string) Fixed {
	f := Fixed{Items: []FixedItem{}, Complete: haveRegion, NotCounted: []string{
		"S3 storage and requests (by use)",
		"CloudWatch Logs ingestion and storage (by use)",
		"SNS notifications beyond the free tier",
		"Greengrass core devices (per device connected)",
	}}
	alarmMetrics := 0
	for _, a := range p.Monitoring.Alarms {
		targets := 1
		if a.Metric != ir.AlarmPipelineFailed && a.EdgeTarget == "" {
			targets = len(p.EdgeTargets)
		}
		perAlarm := 1
		if a.Metric == ir.AlarmEdgeErrorRate {
			perAlarm = 2 // errors / requests: a metric-math alarm bills each metric it reads
		}
		alarmMetrics += targets * perAlarm
	}
	add := func(what string, count int, unit *float64, key string) {
		it := FixedItem{What: what, Count: count}
		if count == 0 {
			return
		}
		if unit != nil {
			u := *unit
			m := roundF(u * float64(count))
			it.UnitPrice, it.Monthly = &u, &m
			f.Total += m
			f.Priced++
		} else if haveRegion {
			*missing = append(*missing, fmt.Sprintf("%s: no %s price for %s", what, region, key))
			f.Complete = false
		}
		f.Items = append(f.Items, it)
	}
	add("KMS customer managed key", 1, rp.KMSKeyMonth, "kms_key_month")
	add("CloudWatch alarm metrics", alarmMetrics, rp.AlarmMetricMonth, "alarm_metric_month")
	add("CloudWatch dashboard", 1, rp.DashboardMonth, "dashboard_month")
	f.Total = roundF(f.Total)
	return f
}

func spot(p *Prices) SpotSavings {
	if p.SpotSavings != nil {
		return *p.SpotSavings
	}
	return SpotSavings{}
}

func regionList(p *Prices) string {
	ks := sortedKeys(p.Regions)
	if len(ks) == 0 {
		return "none"
	}
	out := ks[0]
	for _, k := range ks[1:] {
		out += ", " + k
	}
	return out
}

// Amounts are kept to a hundredth of a cent so the JSON plan is stable.
func roundF(v float64) float64 { return math.Round(v*10000) / 10000 }

func round(r Range) *Range { return &Range{Low: roundF(r.Low), High: roundF(r.High)} }

func sortStable[T any](s []T, less func(a, b T) bool) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && less(s[j], s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
