//go:build !(js && wasm)

package serve

import (
	"io"
	"strings"
	"testing"
	"time"
)

// TestParseConfigLock: the lock storage's flags and variables, and their
// refusals naming the flag.
func TestParseConfigLock(t *testing.T) {
	c, err := ParseConfig(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Lock.Account != "" || c.Lock.ConnectionString != "" || c.Lock.Container != "amlaks" || c.Lock.Lease != 15*time.Second {
		t.Errorf("defaults: %+v (no shared storage, container amlaks, lease 15s)", c.Lock)
	}
	c, err = ParseConfig([]string{"--lock-lease", "30s"}, env(map[string]string{
		"AMLAKS_LOCK_ACCOUNT": "https://locks.blob.core.windows.net", "AMLAKS_LOCK_CONTAINER": "amlaks-prod"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Lock.Account != "https://locks.blob.core.windows.net" || c.Lock.Container != "amlaks-prod" || c.Lock.Lease != 30*time.Second {
		t.Errorf("from the environment and flags: %+v", c.Lock)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"short lease", []string{"--lock-lease", "5s"}, "--lock-lease"},
		{"long lease", []string{"--lock-lease", "2m"}, "--lock-lease"},
		{"http account", []string{"--lock-account", "http://locks.blob.core.windows.net"}, "--lock-account"},
		{"two stores", []string{"--lock-account", "https://a.blob.core.windows.net", "--lock-connection-string", "UseDevelopmentStorage=true"}, "keep one"},
		{"container", []string{"--lock-container", "Locks_1"}, "--lock-container"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig(tc.args, env(nil), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseConfig(%q) = %v, want an error naming %s", tc.args, err, tc.want)
			}
		})
	}
}
