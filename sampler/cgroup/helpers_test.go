package cgroup

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Ids used by the fixtures under testdata.
const (
	dockerID = "3f2a1b9c0d1e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f90"
	kubeID   = "aa11bb22cc33dd44ee55ff66aa77bb88cc99dd00ee11ff22aa33bb44cc55dd66"
	podUID   = "1234abcd-5678-90ef-1234-567890abcdef"
)

// clock is an injected "now" the tests move by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)} }

// copyFixture copies testdata/<name> into a temporary directory, so a test
// can change counters between reads.
func copyFixture(t testing.TB, name string) string {
	t.Helper()
	src := filepath.Join("testdata", name)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// writeFile replaces one file of a copied fixture.
func writeFile(t testing.TB, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newFixtureReader reads a fixture tree (proc/ and the host files under root).
func newFixtureReader(t testing.TB, root string, c *clock) *Reader {
	t.Helper()
	r, err := NewReader(Options{ProcRoot: filepath.Join(root, "proc"), HostRoot: root, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// byName indexes services by name, failing on duplicates.
func byName(t testing.TB, ss []Service) map[string]Service {
	t.Helper()
	m := map[string]Service{}
	for _, s := range ss {
		if _, dup := m[s.Name]; dup {
			t.Fatalf("two services named %q", s.Name)
		}
		m[s.Name] = s
	}
	return m
}

func u64(p *uint64) any {
	if p == nil {
		return nil
	}
	return *p
}

func f64(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func fmtAny(v any) string { return fmt.Sprint(v) }
