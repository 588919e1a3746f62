package plan

import (
	"strings"

	"github.com/slm-project/slm/compiler/cost"
)

// writeCost adds the cost section to the text plan.
func writeCost(b *strings.Builder, c *cost.Estimate) {
	if c == nil {
		return
	}
	b.WriteString("\nCost (" + c.Currency + ", list prices, region " + c.Region + "):\n")
	for _, l := range c.Lines() {
		b.WriteString("  " + l + "\n")
	}
}
