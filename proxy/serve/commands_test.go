//go:build !(js && wasm)

package serve

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandLine runs the command line as main does: versions against the
// emulator, validate of a file, help, and an unknown command.
func TestCommandLine(t *testing.T) {
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := Command(context.Background(), args, &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, out, errOut := run("versions", "--azure", "emulator", "--location", "eastus"); code != 0 || !strings.Contains(out, "1.") {
		t.Errorf("versions: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := run("versions", "--azure", "emulator", "--location", "eastus", "--emulator-create", "5"); code != 2 || !strings.Contains(errOut, "--emulator-create") {
		t.Errorf("versions with a bad duration: %d %q", code, errOut)
	}
	req := filepath.Join(t.TempDir(), "req.json")
	os.WriteFile(req, []byte(`{"mode":"create","name":"Bad_Name"}`), 0o644)
	if code, out, _ := run("validate", req); code != 1 || !strings.Contains(out, "error") {
		t.Errorf("validate of a bad request: %d %q, want 1 and its findings", code, out)
	}
	if code, out, _ := run("help"); code != 0 || !strings.Contains(out, "amlaks emulator") {
		t.Errorf("help: %d %q", code, out)
	}
	if code, _, errOut := run("serve", "--azure", "cloud"); code != 2 || !strings.Contains(errOut, "--azure") {
		t.Errorf("serve --azure cloud: %d %q", code, errOut)
	}
	if code, _, errOut := run("deploy"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
}

// TestEmulatorFlagsAreServes: `amlaks emulator` parses its durations with
// serve's own options, as strictly: a bad value, in a flag or in its
// variable, is an error naming it and what it must be, before anything
// listens.
func TestEmulatorFlagsAreServes(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"duration without a unit", []string{"--emulator-create", "20"}, nil, []string{`--emulator-create "20"`, "positive duration, such as 20s"}},
		{"negative duration", []string{"--emulator-update", "-5s"}, nil, []string{"--emulator-update", "positive duration"}},
		{"bad duration in the environment", nil, map[string]string{"AMLAKS_EMULATOR_EXTENSION": "soon"}, []string{`AMLAKS_EMULATOR_EXTENSION="soon"`, "--emulator-extension", "positive duration"}},
		{"address without a port", []string{"--addr", "localhost"}, nil, []string{`--addr "localhost"`, "host:port"}},
		{"a flag of serve's only", []string{"--policy", "p.json"}, nil, []string{"-policy"}},
		{"an argument", []string{"now"}, nil, []string{"emulator takes flags only", `"now"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			err := runEmulator(context.Background(), tt.args, getenv, io.Discard, io.Discard)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
