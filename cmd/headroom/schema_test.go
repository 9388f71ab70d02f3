package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/headroom-dev/headroom/sampler"
)

const schemaFile = "../../testdata/schema/headroom.schema.json"

// schemaFor compiles one definition of the documented schema.
func schemaFor(t *testing.T, def string) *jsonschema.Schema {
	t.Helper()
	abs, _ := filepath.Abs(schemaFile)
	c := jsonschema.NewCompiler()
	f, err := os.Open(abs)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(abs, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(abs + "#/$defs/" + def)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// conforms checks a JSON text against a definition.
func conforms(t *testing.T, s *jsonschema.Schema, what string, data []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", what, err, data)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not follow the schema: %v\n%s", what, err, data)
	}
}

// Every once --json the pinned cases print, with a probe and with the app
// down, follows the documented schema.
func TestOnceJSONFollowsTheSchema(t *testing.T) {
	isolate(t)
	s := schemaFor(t, "once")
	probed := synthetic(t, "probed", 30, func(i int, s *sampler.Snapshot) {
		s.Probe = []sampler.ProbeResult{{MS: 20, Status: 200}}
		if i > 25 {
			s.Probe = []sampler.ProbeResult{{MS: 0.3, Err: "refused"}}
		}
	})
	files := []string{"../../testdata/idle.jsonl", "../../testdata/cpu-ramp.jsonl", "../../testdata/memory-pressure.jsonl", probed}
	for _, f := range files {
		_, out, stderr := runCLI(t, "once", "--json", "--replay", f)
		conforms(t, s, "once --json --replay "+filepath.Base(f)+" ("+stderr+")", []byte(out))
	}
	_, out, _ := runCLI(t, "once", "--json", "--replay", probed)
	if !strings.Contains(out, `"verdict": "DOWN"`) {
		t.Errorf("the probed file ends with the app refusing: want DOWN\n%s", out)
	}
}

// The hook's standard input, its variables, and the CSV log follow it too.
func TestHookAndLogFollowTheSchema(t *testing.T) {
	dir := isolate(t)
	stdin, env := filepath.Join(dir, "stdin.json"), filepath.Join(dir, "env.txt")
	script := filepath.Join(dir, "hook.sh")
	os.WriteFile(script, []byte("#!/bin/sh\ncat > "+stdin+"\nenv | grep ^HEADROOM_ > "+env+"\n"), 0o755)
	log := filepath.Join(dir, "log.csv")
	code, _, stderr := runCLI(t, "once", "--replay", head(t, "memory-pressure.jsonl", 200), "--window", "2m", "--on-change", script, "--log", log)
	if code != exitScale {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	in, _ := os.ReadFile(stdin)
	conforms(t, schemaFor(t, "advice"), "the hook's stdin", in)
	vars := map[string]string{}
	b, _ := os.ReadFile(env)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		vars[k] = v
	}
	if vars["HEADROOM_DISK_ROOT"] == "" || vars["HEADROOM_DISK_ROOT_NAME"] != "/" {
		t.Errorf("the / mount's variables: %v", vars)
	}
	j, _ := json.Marshal(vars)
	conforms(t, schemaFor(t, "hookEnv"), "the hook's variables", j)

	runCLI(t, "once", "--replay", "../../testdata/idle.jsonl", "--log", log)
	f, _ := os.Open(log)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("log: %v %v", rows, err)
	}
	row := schemaFor(t, "csvRow")
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, col := range rows[0] {
			m[col] = r[i]
		}
		j, _ := json.Marshal(m)
		conforms(t, row, "a --log row", j)
	}
}

// Recordings: the shipped ones and one just written.
func TestRecordingsFollowTheSchema(t *testing.T) {
	header, line := schemaFor(t, "recordingHeader"), schemaFor(t, "recordingLine")
	files, _ := filepath.Glob("../../testdata/*.jsonl")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
		conforms(t, header, filepath.Base(f)+" header", lines[0])
		for i, l := range lines[1:] {
			if i%20 == 0 { // every 20th line: the files hold hundreds
				conforms(t, line, filepath.Base(f)+" line", l)
			}
		}
	}
}
