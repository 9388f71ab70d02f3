package main

import (
	"bufio"
	"bytes"
	"strings"
)

// keyLine finds the line that sets a dotted key ("thresholds.cpu.scale").
// go-toml reports positions only for syntax and type errors, not for values
// that decode fine but make no sense, so the line is looked up here; 0 if
// not found.
func keyLine(b []byte, dotted string) int {
	parts := strings.Split(dotted, ".")
	leaf := parts[len(parts)-1]
	table := strings.Join(parts[:len(parts)-1], ".")
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(t, "[") {
			cur = strings.TrimSpace(strings.Trim(t, "[]"))
			if cur == table && leaf == "" {
				return line
			}
			continue
		}
		k, _, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if (cur == table && k == leaf) || (cur == "" && k == dotted) {
			return line
		}
	}
	// A whole table that is wrong: point at its header; a key inside an
	// inline table (workers = {assumed_mib = 0}): at the line of the table.
	if leaf != "" && table != "" {
		if n := keyLine(b, dotted+"."); n > 0 {
			return n
		}
		return keyLine(b, table)
	}
	return 0
}
