// Package azuritetest starts Azurite, Microsoft's Azure Storage emulator, for
// tests: its blob service, in memory, on a free loopback port, stopped when
// the test ends. `make test` installs Azurite into .cache/npm (never
// globally); AMLAKS_AZURITE names another azurite-blob executable. Without
// one the test is skipped, and under CI=true it fails.
package azuritetest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// AccountKey is the key of Azurite's built-in account devstoreaccount1,
// published in Azurite's documentation; it opens nothing but a local emulator.
const AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

// Executable finds azurite-blob: AMLAKS_AZURITE, or .cache/npm in the
// module's root above the working directory.
func Executable() (string, error) {
	if p := os.Getenv("AMLAKS_AZURITE"); p != "" {
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, ".cache", "npm", "node_modules", ".bin", "azurite-blob")
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("azurite is not installed at %s: run `make azurite` (npm azurite into .cache/npm)", p)
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory, so no .cache/npm; set AMLAKS_AZURITE")
		}
		dir = parent
	}
}

var listening = regexp.MustCompile(`successfully listens on (http://[0-9.]+:[0-9]+)`)

// Start runs Azurite's blob service until tb ends and returns its
// connection string; without Azurite it skips tb (fails it under CI=true).
func Start(tb testing.TB) string {
	tb.Helper()
	conn, stop, err := Run()
	if err != nil {
		Unavailable(tb, err)
	}
	tb.Cleanup(stop)
	return conn
}

// Unavailable skips tb because Azurite could not be started, or fails it
// under CI=true, where everything the tests need must be there.
func Unavailable(tb testing.TB, err error) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatal(err)
	}
	tb.Skip(err)
}

// Run starts Azurite's blob service and returns its connection string and
// the func that stops it (for a TestMain that shares one Azurite).
func Run() (conn string, stop func(), err error) {
	exe, err := Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(exe, "--inMemoryPersistence", "--extentMemoryLimit", "64", "--blobHost", "127.0.0.1", "--blobPort", "0", "--skipApiVersionCheck", "--disableTelemetry")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start azurite: %w", err)
	}
	stop = func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case endpoint := <-found:
		return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AccountKey + ";BlobEndpoint=" + endpoint + "/devstoreaccount1;", stop, nil
	case <-time.After(60 * time.Second):
		stop()
		return "", nil, fmt.Errorf("azurite did not say where it listens within 60 s")
	}
}
