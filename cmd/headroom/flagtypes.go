package main

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/alecthomas/kong"
)

// positiveDuration is a duration flag that must be above zero when given:
// leaving the flag out means the default, so a given 0 would be ambiguous
// ("off"? "default"?) and is refused like -1s.
type positiveDuration time.Duration

// Decode reads the flag's value.
func (d *positiveDuration) Decode(ctx *kong.DecodeContext) error {
	var s string
	if err := ctx.Scan.PopValueInto("duration", &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration: use a number and a unit, like 500ms, 30s or 5m", s)
	}
	if v <= 0 {
		return fmt.Errorf("%q: use a duration above zero, like 30s (leave the flag out for the default)", s)
	}
	if v > maxFlagDuration {
		return fmt.Errorf("%q: use at most %v (ten years); longer ones overflow the sums made with them", s, maxFlagDuration)
	}
	*d = positiveDuration(v)
	return nil
}

// maxFlagDuration bounds every duration flag: time.ParseDuration accepts up
// to 2562047h, where twice the interval (the smallest window) overflows.
const maxFlagDuration = 10 * 365 * 24 * time.Hour

// positiveNumber is a number flag that must be finite and above zero.
type positiveNumber float64

// Decode reads the flag's value.
func (n *positiveNumber) Decode(ctx *kong.DecodeContext) error {
	var s string
	if err := ctx.Scan.PopValueInto("number", &s); err != nil {
		return err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return fmt.Errorf("%q: use a number above zero, like 2", s)
	}
	*n = positiveNumber(v)
	return nil
}
