package load

import (
	"fmt"
	"slices"
)

// Floor is what the machine's noise alone does to a ratio in one run:
// variant 1' (variant 1's process measured again in each round) over
// variant 1, round by round.
type Floor struct {
	Rounds []float64 // one ratio per round that has figures
}

// minFloorRounds is the fewest rounds a floor needs to judge a ratio: the
// range of n rounds holds a further round's ratio with probability
// (n-1)/(n+1), a third for two rounds, a half for three.
const minFloorRounds = 3

// Verdict is how a ratio stands against a limit, given the run's floor.
type Verdict int

const (
	// VerdictMet means below the limit by more than the floor's spread.
	VerdictMet Verdict = iota
	// VerdictMissed means above the limit by more than the floor's spread.
	VerdictMissed
	// VerdictUnresolved means the floor's spread is wider than the ratio's distance
	// from the limit, so noise alone could have put a ratio at the limit
	// where this one is.
	VerdictUnresolved
)

// band returns the floor's lowest and highest ratio of a round, widened to
// include 1: a floor of one side only (variant 1 slow in every round) says
// nothing about the other side.
func (f Floor) band() (lo, hi float64) {
	if len(f.Rounds) == 0 {
		return 1, 1
	}
	return min(slices.Min(f.Rounds), 1), max(slices.Max(f.Rounds), 1)
}

// Resolve judges ratio against limit. The model is multiplicative: a
// measured ratio is the true one times a noise factor, and the floor's
// rounds are draws of that factor (variant 1' has no middleware, so its
// true ratio is 1). The true ratio is then between ratio/hi and ratio/lo,
// and the limit is met when even ratio/lo is within it, missed when even
// ratio/hi is over it. Judging a ratio over all rounds by the spread of
// single rounds is conservative: the merged figure is the less noisy. With
// fewer than [minFloorRounds] rounds the floor cannot judge anything.
func (f Floor) Resolve(ratio, limit float64) Verdict {
	if len(f.Rounds) < minFloorRounds {
		return VerdictUnresolved
	}
	lo, hi := f.band()
	switch {
	case ratio <= limit*lo:
		return VerdictMet
	case ratio > limit*hi:
		return VerdictMissed
	}
	return VerdictUnresolved
}

// String describes the floor's spread, e.g. "0.25–0.79x per round".
func (f Floor) String() string {
	switch len(f.Rounds) {
	case 0:
		return "not measured"
	case 1:
		return fmt.Sprintf("%.2fx in its one round", f.Rounds[0])
	}
	return fmt.Sprintf("%s per round", f.spread("x"))
}

// spread is the floor's range with unit, e.g. "0.25–0.79x"; "–" without
// rounds.
func (f Floor) spread(unit string) string {
	if len(f.Rounds) == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f–%.2f%s", slices.Min(f.Rounds), slices.Max(f.Rounds), unit)
}

// unresolvedBecause says why f cannot judge ratio against limit, for a
// report's reader.
func (f Floor) unresolvedBecause(limit float64) string {
	if len(f.Rounds) < minFloorRounds {
		return fmt.Sprintf("cannot resolve: no middleware against itself was measured in %d rounds, fewer than the %d a floor needs",
			len(f.Rounds), minFloorRounds)
	}
	lo, hi := f.band()
	return fmt.Sprintf("cannot resolve: no middleware against itself moved %s per round, so at this floor only a ratio ≤ %.2fx "+
		"would meet the limit and only one > %.2fx miss it", f.spread("x"), limit*lo, limit*hi)
}

// latencyOf picks which latencies of a result a ratio compares.
type latencyOf func(*Result) *Histogram

var (
	fromDue  latencyOf = func(r *Result) *Histogram { return &r.Latency }
	fromSend latencyOf = func(r *Result) *Histogram { return &r.FromSend }
)

// perRound returns the variant's q-quantile over the baseline's of the
// same round, for each round that has both.
func (r *Report) perRound(key string, q float64, of latencyOf) []float64 {
	v, base := r.variant(key), r.baseline()
	if v == nil || base == nil {
		return nil
	}
	var out []float64
	for i := range min(len(v.Rounds), len(base.Rounds)) {
		if b := of(&base.Rounds[i]).Quantile(q); b > 0 {
			out = append(out, float64(of(&v.Rounds[i]).Quantile(q))/float64(b))
		}
	}
	return out
}

// floor returns the run's floor of the q-quantile.
func (r *Report) floor(q float64, of latencyOf) Floor {
	return Floor{Rounds: r.perRound(KeyBareAgain, q, of)}
}

// aboveFloor counts the rounds in which the variant's q-quantile was above
// that of variant 1' in the same round, that is, its ratio above the floor's of
// that round, of the rounds that have both. Without an effect each round
// is a coin toss, so n of n happens by chance once in 2^n runs.
func (r *Report) aboveFloor(key string, q float64, of latencyOf) (above, rounds int) {
	v, again := r.variant(key), r.variant(KeyBareAgain)
	if v == nil || again == nil {
		return 0, 0
	}
	for i := range min(len(v.Rounds), len(again.Rounds)) {
		a, b := of(&v.Rounds[i]).Quantile(q), of(&again.Rounds[i]).Quantile(q)
		if a == 0 || b == 0 {
			continue
		}
		rounds++
		if a > b {
			above++
		}
	}
	return above, rounds
}
