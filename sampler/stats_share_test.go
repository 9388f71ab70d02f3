package sampler

import "testing"

// The share of values past a line counts the line itself, either way.
func TestShareAtLeastAndAtMost(t *testing.T) {
	v := []float64{10, 20, 30, 40}
	for _, c := range []struct {
		line, least, most float64
	}{{20, 0.75, 0.5}, {25, 0.5, 0.5}, {5, 1, 0}, {40, 0.25, 1}} {
		if got := ShareAtLeast(v, c.line); got != c.least {
			t.Errorf("ShareAtLeast(%v) = %v, want %v", c.line, got, c.least)
		}
		if got := ShareAtMost(v, c.line); got != c.most {
			t.Errorf("ShareAtMost(%v) = %v, want %v", c.line, got, c.most)
		}
	}
	if ShareAtMost(nil, 1) != 0 {
		t.Error("no values: want 0")
	}
}
