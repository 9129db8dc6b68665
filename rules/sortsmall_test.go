package rules

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortSmallIsAStableSort compares SortSmall with slices.SortStableFunc on
// random lists with many equal keys: the same order, equal elements in the
// order they came.
func TestSortSmallIsAStableSort(t *testing.T) {
	t.Parallel()
	type item struct{ key, seq int }
	byKey := func(a, b item) int { return a.key - b.key }
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 70 {
		s := make([]item, n)
		for i := range s {
			s[i] = item{r.IntN(5), i}
		}
		want := slices.Clone(s)
		slices.SortStableFunc(want, byKey)
		SortSmall(s, byKey)
		if !slices.Equal(s, want) {
			t.Fatalf("n=%d: %v, want %v", n, s, want)
		}
	}
}
