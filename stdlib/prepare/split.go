package prepare

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// Split indexes, in output order.
const (
	splitTrain = iota
	splitValidation
	splitTest
	numSplits
)

var splitNames = [numSplits]string{"train", "validation", "test"}

// splitOf is the index of a predefined split value (split.field), or -1 for
// a value that names no split.
func splitOf(value string) int {
	for i, name := range splitNames {
		if value == name {
			return i
		}
	}
	return -1
}

// quotas divides n rows among the splits by the largest-remainder method, so
// the counts add up to n exactly and each is within one row of its fraction.
// Ties go to the earlier split (train, then validation, then test).
func quotas(n int64, fractions [numSplits]float64) [numSplits]int64 {
	var q [numSplits]int64
	var rem [numSplits]float64
	var given int64
	for i, f := range fractions {
		exact := float64(n) * f
		q[i] = int64(math.Floor(exact))
		rem[i] = exact - float64(q[i])
		given += q[i]
	}
	for ; given < n; given++ {
		best := -1
		for i := range rem {
			if fractions[i] > 0 && (best < 0 || rem[i] > rem[best]) {
				best = i
			}
		}
		q[best]++
		rem[best] = -1
	}
	return q
}

// group assigns the rows of one stratum (one label, or the whole dataset when
// not stratified) to splits as they stream past. It is selection sampling
// without replacement: each row goes to a split with probability equal to that
// split's remaining quota over the rows still to come, which fills every quota
// exactly and makes every assignment equally likely, while holding only three
// counters. Each group has its own generator, seeded from the split seed and
// the label, so one label's assignment does not depend on the others.
type group struct {
	remaining [numSplits]int64
	rng       *rand.Rand
}

func newGroup(seed int64, key string, n int64, fractions [numSplits]float64) *group {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return &group{
		remaining: quotas(n, fractions),
		rng:       rand.New(rand.NewPCG(uint64(seed), h.Sum64())),
	}
}

// next returns the split of the group's next row.
func (g *group) next() int {
	total := g.remaining[0] + g.remaining[1] + g.remaining[2]
	if total <= 0 {
		// More rows than counted in the first pass: the input changed
		// between the passes. The caller reports it.
		return -1
	}
	u := g.rng.Int64N(total)
	for i := 0; i < numSplits-1; i++ {
		if u < g.remaining[i] {
			g.remaining[i]--
			return i
		}
		u -= g.remaining[i]
	}
	g.remaining[numSplits-1]--
	return numSplits - 1
}
