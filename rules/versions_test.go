package rules

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test ./rules/ -run %s -update to create it)", err, tb.Name())
	}
	if string(want) != got {
		tb.Errorf("%s mismatch (-want +got):\n%s", path, diffLines(splitLines(string(want)), splitLines(got)))
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// eastusVersions is a location's versions, deliberately out of order.
func eastusVersions() []KubernetesVersion {
	return []KubernetesVersion{
		{Version: "1.31.10", Upgrades: []string{"1.32.6", "1.32.7"}},
		{Version: "1.33.2", Preview: true},
		{Version: "1.32.7", Default: true, Upgrades: []string{"1.33.2"}},
		{Version: "1.30.14", Upgrades: []string{"1.31.10"}},
		{Version: "1.32.6", Upgrades: []string{"1.32.7", "1.33.2"}},
		{Version: "1.9.11"},
	}
}

func TestVersionsTable(t *testing.T) {
	t.Parallel()
	golden(t, "versions.golden", VersionsTable(eastusVersions()))
}

func TestVersionsTableEmpty(t *testing.T) {
	t.Parallel()
	want := "KubernetesVersion  Default  IsPreview  Upgrades\n-----------------  -------  ---------  --------\n"
	if got := VersionsTable(nil); got != want {
		t.Errorf("VersionsTable(nil) =\n%s\nwant\n%s", got, want)
	}
}

func TestVersionsTableKeepsInput(t *testing.T) {
	t.Parallel()
	vs := eastusVersions()
	VersionsTable(vs)
	if vs[0].Version != "1.31.10" {
		t.Error("VersionsTable reordered its argument")
	}
}

func TestCompareVersions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"equal", "1.32.7", "1.32.7", 0},
		{"patch", "1.32.6", "1.32.7", -1},
		{"numeric not lexical", "1.10.0", "1.9.11", 1},
		{"minor", "1.33.0", "1.32.99", 1},
		{"shorter equals zero-padded", "1.32", "1.32.0", 0},
		{"shorter is older", "1.32", "1.32.1", -1},
		{"v prefix", "v1.32.7", "1.32.7", 0},
		{"major", "2.0", "1.99.99", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CompareVersions(tt.a, tt.b); got != tt.want {
				t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := CompareVersions(tt.b, tt.a); got != -tt.want {
				t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

func TestFindVersion(t *testing.T) {
	t.Parallel()
	vs := append(eastusVersions(), KubernetesVersion{Version: "1.29"})
	tests := []struct {
		name    string
		version string
		want    string
		ok      bool
	}{
		{"exact", "1.32.7", "1.32.7", true},
		{"v prefix", "v1.30.14", "1.30.14", true},
		{"minor row matches a patch", "1.29.4", "1.29", true},
		{"minor row needs the dot", "1.290.1", "", false},
		{"unknown patch", "1.32.1", "", false},
		{"minor alone does not match a patch row", "1.32", "", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FindVersion(vs, tt.version)
			if ok != tt.ok || got.Version != tt.want {
				t.Errorf("FindVersion(%q) = %q, %v; want %q, %v", tt.version, got.Version, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestDefaultVersion(t *testing.T) {
	t.Parallel()
	if v, ok := DefaultVersion(eastusVersions()); !ok || v.Version != "1.32.7" {
		t.Errorf("DefaultVersion = %q, %v", v.Version, ok)
	}
	if _, ok := DefaultVersion([]KubernetesVersion{{Version: "1.0"}}); ok {
		t.Error("DefaultVersion found a default where none is")
	}
}
