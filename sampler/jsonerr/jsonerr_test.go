package jsonerr

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	type target struct {
		URL    string `json:"url"`
		Weight int    `json:"weight"`
	}
	for in, want := range map[string]string{
		`{"url": 5}`:          `field "url": expected a string, got JSON number`,
		`{"weight": "heavy"}`: `field "weight": expected a whole number, got JSON string`,
		`{"headroom": 1}`:     `unknown field "headroom"`,
		`<html>`:              "not JSON (at byte 1: invalid character '<' looking for beginning of value)",
		`{"url": "x"`:         "not JSON (it ends too soon)",
	} {
		dec := json.NewDecoder(strings.NewReader(in))
		dec.DisallowUnknownFields()
		var v target
		err := dec.Decode(&v)
		if got := Explain(err).Error(); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}
