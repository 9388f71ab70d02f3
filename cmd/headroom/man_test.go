package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

func TestManPage(t *testing.T) {
	code, page, stderr := runCLI(t, "man")
	if code != exitOK || stderr != "" || !strings.HasPrefix(page, ".TH HEADROOM 1 ") {
		t.Fatalf("man: exit %d, stderr %q, starts %q", code, stderr, page[:min(len(page), 40)])
	}
	// Every command and flag --help lists is on the page.
	for _, want := range []string{
		`.SS "once [flags]"`, `.SS "record [flags]"`, `.SS "completion <shell> [flags]"`,
		`\fB\-\-json\fR`, `\fB\-o, \-\-output=FILE\fR`, `\fB\-\-config=FILE\fR`,
		".SH EXIT STATUS\n.TP\n.B 0\n", ".B 3\nbad input or could not judge: unknown flag, bad value, bad config file, unreadable recording, not a terminal\n",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("man page lacks %q", want)
		}
	}
	for _, bad := range []string{"%!", "\n-", "\n'"} {
		if strings.Contains(page, bad) {
			t.Errorf("man page holds %q", bad)
		}
	}
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("groff not installed: the page is not rendered")
	}
	cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-z")
	cmd.Stdin = strings.NewReader(page)
	var warn bytes.Buffer
	cmd.Stderr = &warn
	if err := cmd.Run(); err != nil || warn.Len() > 0 {
		t.Errorf("groff: %v\n%s", err, warn.String())
	}
}
