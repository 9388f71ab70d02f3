package sampler

import (
	"encoding/json"
	"strings"
	"testing"
)

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

// A pressure's share is recorded where measured, 0 % included, and absent
// where not: "no stall" and "not measured" read back apart.
func TestPressureShareRoundTrip(t *testing.T) {
	for _, p := range []Pressure{{Avg10: 12.5, Avg60: 3}, {Avg10: 90, Share: 0, HasShare: true}, {Avg10: 1, Share: 42.5, HasShare: true}} {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var back Pressure
		if err := json.Unmarshal(b, &back); err != nil || back != p {
			t.Errorf("%+v → %s → %+v (%v)", p, b, back, err)
		}
		if strings.Contains(string(b), "share") != p.HasShare {
			t.Errorf("%+v → %s", p, b)
		}
	}
}
