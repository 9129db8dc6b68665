//go:build !(js && wasm)

package serve

import (
	"bytes"
	"context"
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
