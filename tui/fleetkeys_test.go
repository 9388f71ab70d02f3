package tui

import (
	"os"
	"strings"
	"testing"
)

// The README's fleet key table is the FleetKeyMap's.
func TestREADMEFleetKeys(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "<!-- fleetkeys:begin")
	end := strings.Index(s, "<!-- fleetkeys:end -->")
	if start < 0 || end < start {
		t.Fatal("README has no fleetkeys:begin/fleetkeys:end block")
	}
	block := s[start:end]
	block = block[strings.Index(block, "\n")+1:]
	if want := DefaultFleetKeyMap().KeyTable(); block != want {
		t.Errorf("README fleet key table differs from the FleetKeyMap; it should read:\n%s", want)
	}
}
