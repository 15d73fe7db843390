package cmd

import (
	"context"
	"strings"
	"testing"
)

// Colors are decided per stream: stdout piped to a file stays plain while
// errors on the terminal are colored, and NO_COLOR or --no-color turns
// both off.
func TestColorPerStream(t *testing.T) {
	for _, tc := range []struct {
		name             string
		outTTY, errTTY   bool
		env              []string
		args             []string
		wantOut, wantErr bool
	}{
		{name: "both terminals", outTTY: true, errTTY: true, wantOut: true, wantErr: true},
		{name: "stdout piped", errTTY: true, wantErr: true},
		{name: "stderr piped", outTTY: true, wantOut: true},
		{name: "NO_COLOR", outTTY: true, errTTY: true, env: []string{"NO_COLOR=1"}},
		{name: "NO_COLOR empty counts as unset", outTTY: true, errTTY: true, env: []string{"NO_COLOR="}, wantOut: true, wantErr: true},
		{name: "--no-color", outTTY: true, errTTY: true, args: []string{"--no-color"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, errOut := Test("")
			ios.terminal, ios.errTerminal = tc.outTTY, tc.errTTY
			t.Chdir(t.TempDir())
			// No configuration: an error on stderr, after the colors are set.
			if code := Run(context.Background(), ios, append(tc.args, "validate"), tc.env); code != exitError {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitError, errOut)
			}
			if got := ios.Paint(red, "x") != "x"; got != tc.wantOut {
				t.Errorf("stdout colored = %v, want %v", got, tc.wantOut)
			}
			if got := strings.Contains(errOut.String(), "\x1b["); got != tc.wantErr {
				t.Errorf("stderr colored = %v, want %v:\n%q", got, tc.wantErr, errOut)
			}
		})
	}
}
