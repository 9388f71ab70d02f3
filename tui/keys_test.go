package tui

import (
	"os"
	"strings"
	"testing"
)

// The README's key table is the KeyMap's: change one, change the other.
func TestREADMEKeys(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "<!-- keys:begin")
	end := strings.Index(s, "<!-- keys:end -->")
	if start < 0 || end < start {
		t.Fatal("README has no keys:begin/keys:end block")
	}
	block := s[start:end]
	block = block[strings.Index(block, "\n")+1:]
	if want := DefaultKeyMap().KeyTable(); block != want {
		t.Errorf("README key table differs from the KeyMap; it should read:\n%s", want)
	}
}

// Every binding in the help screen is reachable and no two share a key.
func TestKeyMapNoClashes(t *testing.T) {
	km := DefaultKeyMap()
	seen := map[string]string{}
	all := append(km.ShortHelp(), km.Forward, km.Down)
	for _, col := range km.FullHelp() {
		all = append(all, col...)
	}
	for _, b := range all {
		for _, k := range b.Keys() {
			if prev, ok := seen[k]; ok && prev != b.Help().Desc {
				t.Errorf("key %q bound to %q and %q", k, prev, b.Help().Desc)
			}
			seen[k] = b.Help().Desc
		}
	}
}
