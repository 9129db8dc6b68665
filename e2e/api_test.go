//go:build !(js && wasm)

package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// apiSub is the emulator's sample subscription.
const apiSub = "00000000-0000-4000-8000-000000000001"

// apiState is the part of an operation's state these tests read.
type apiState struct {
	State     string   `json:"state"`
	Mode      string   `json:"mode"`
	Done      bool     `json:"done"`
	Succeeded bool     `json:"succeeded"`
	Errors    []string `json:"errors"`
	Compute   *struct {
		Attached  bool   `json:"attached"`
		Nodes     int    `json:"nodes"`
		Version   string `json:"version"`
		ClusterID string `json:"clusterId"`
	} `json:"compute"`
}

// submit sends a create or attach and returns the operation's URL.
func submit(t *testing.T, s *server, req map[string]any) string {
	t.Helper()
	var a struct{ Operation, Page string }
	if st := s.api(t, "POST", "/api/computes", req, &a); st != 202 {
		t.Fatalf("POST /api/computes %v: status %d", req["name"], st)
	}
	if !strings.HasPrefix(a.Operation, "/api/operations/") || !strings.HasPrefix(a.Page, "/progress/") {
		t.Fatalf("answer = %+v", a)
	}
	return a.Operation
}

// follow polls an operation until it is done, and returns its first and
// last states.
func follow(t *testing.T, s *server, op string) (first, last apiState) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for i := 0; ; i++ {
		var st apiState
		if code := s.api(t, "GET", op, nil, &st); code != 200 {
			t.Fatalf("GET %s: status %d", op, code)
		}
		if i == 0 {
			first = st
		}
		if st.Done {
			return first, st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still %s after a minute", op, st.State)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestAPICreateAndAttach creates a cluster and attaches another through the
// real binary's JSON API, and follows both operations to Succeeded.
func TestAPICreateAndAttach(t *testing.T) {
	s := startServer(t)
	ws := map[string]string{"subscription": apiSub, "resourceGroup": "ml-rg", "name": "ws-east"}
	createOp := submit(t, s, map[string]any{"mode": "create", "workspace": ws, "name": "api-aks",
		"vmSize": "Standard_D4s_v3", "nodeCount": 3})
	attachOp := submit(t, s, map[string]any{"mode": "attach", "workspace": ws, "name": "api-healthy",
		"target": map[string]string{"resourceGroup": "aks-rg", "name": "aks-healthy"}})

	first, last := follow(t, s, createOp)
	if first.State != "Creating" || first.Mode != "create" {
		t.Errorf("create started as %+v, want Creating", first)
	}
	if !last.Succeeded || last.State != "Succeeded" || last.Compute == nil || last.Compute.Nodes != 3 || last.Compute.Version != "1.32.7" {
		t.Errorf("create ended as %+v", last)
	}
	first, last = follow(t, s, attachOp)
	if first.Mode != "attach" {
		t.Errorf("attach started as %+v", first)
	}
	if !last.Succeeded || last.Compute == nil || !last.Compute.Attached || !strings.HasSuffix(last.Compute.ClusterID, "/aks-healthy") {
		t.Errorf("attach ended as %+v", last)
	}

	var inv struct {
		Computes []struct{ Name, State string } `json:"computes"`
	}
	if st := s.api(t, "GET", "/api/workspaces/"+apiSub+"/ml-rg/ws-east/computes", nil, &inv); st != 200 {
		t.Fatalf("inventory: status %d", st)
	}
	got := map[string]string{}
	for _, c := range inv.Computes {
		got[c.Name] = c.State
	}
	if got["api-aks"] != "Succeeded" || got["api-healthy"] != "Succeeded" {
		t.Errorf("inventory = %v, want api-aks and api-healthy Succeeded", got)
	}

	// The same name again is refused before anything is sent (O4).
	var e struct {
		Error struct {
			Code     string                  `json:"code"`
			Field    string                  `json:"field"`
			Findings []struct{ Code string } `json:"findings"`
		} `json:"error"`
	}
	if st := s.api(t, "POST", "/api/computes", map[string]any{"mode": "create", "workspace": ws, "name": "api-aks"}, &e); st != 409 ||
		e.Error.Code != "conflict" || e.Error.Field != "name" {
		t.Errorf("second create of api-aks: %d %+v, want 409 conflict on name", st, e.Error)
	}
}

// run runs the binary with args and returns its output and exit code.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("amlaks %v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

// TestAPIVersionsCommand checks `amlaks versions` against the emulator: the
// table of `az aks get-versions -o table`, newest first, the default marked.
func TestAPIVersionsCommand(t *testing.T) {
	out, errOut, code := run(t, "versions", "--location", "eastus", "--azure", "emulator")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("want a header, a rule and 3 rows:\n%s", out)
	}
	header := lines[0]
	if !regexp.MustCompile(`^KubernetesVersion +Default +IsPreview +Upgrades$`).MatchString(header) {
		t.Fatalf("header = %q", header)
	}
	if !regexp.MustCompile(`^-+ +-+ +-+ +-+$`).MatchString(lines[1]) {
		t.Errorf("rule = %q", lines[1])
	}
	// Cut each row at the header's column starts.
	starts := []int{0, strings.Index(header, "Default"), strings.Index(header, "IsPreview"), strings.Index(header, "Upgrades")}
	cells := func(line string) []string {
		var out []string
		for i, st := range starts {
			end := len(line)
			if i+1 < len(starts) {
				end = min(starts[i+1], len(line))
			}
			if st >= len(line) {
				out = append(out, "")
				continue
			}
			out = append(out, strings.TrimSpace(line[st:end]))
		}
		return out
	}
	want := [][]string{
		{"1.33.2", "", "True", "None available"},
		{"1.32.7", "True", "", "1.33.2"},
		{"1.31.10", "", "", "1.32.7"},
	}
	for i, w := range want {
		if got := cells(lines[i+2]); strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("row %d = %q, want %q", i, got, w)
		}
	}
}

// TestAPIValidateCommand checks `amlaks validate` on request files: exit 1
// with P2 printed for a production cluster below 12 vCPUs, 0 for a good
// request, 2 for a file that is not a request.
func TestAPIValidateCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(t *testing.T, name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const ws = `"workspace":{"subscription":"` + apiSub + `","resourceGroup":"ml-rg","name":"ws-east"}`
	tests := []struct {
		name  string
		body  string
		code  int
		want  []string // regexps over stdout
		shown string   // in stderr
	}{
		{name: "too small for production", code: 1,
			body: `{"mode":"create",` + ws + `,"name":"team-aks","vmSize":"Standard_D3_v2","nodeCount":2}`,
			want: []string{`(?m)^error +P2 +nodeCount +A production cluster needs at least 12 vCPUs: 2 nodes × 4 cores of Standard_D3_v2 = 8\.`,
				`Use at least 3 nodes of Standard_D3_v2`}},
		{name: "good", code: 0,
			body: `{"mode":"create",` + ws + `,"name":"team-aks","purpose":"FastProd","vmSize":"Standard_D3_v2","nodeCount":3}`,
			want: []string{`(?m)^info +V4 `}},
		{name: "good dev-test", code: 0,
			body: `{"mode":"create",` + ws + `,"name":"team-dev","purpose":"DevTest","vmSize":"Standard_D2s_v3","nodeCount":1}`,
			want: []string{`(?m)^warning +P4 `}},
		{name: "unknown field", code: 2, body: `{"mode":"create","nodes":3}`, shown: `unknown field "nodes"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, "validate", write(t, strings.ReplaceAll(tt.name, " ", "-")+".json", tt.body))
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			for _, re := range tt.want {
				if !regexp.MustCompile(re).MatchString(out) {
					t.Errorf("output lacks %s:\n%s", re, out)
				}
			}
			if tt.code == 0 && regexp.MustCompile(`(?m)^error `).MatchString(out) {
				t.Errorf("a good request printed an error:\n%s", out)
			}
			if !strings.Contains(errOut, tt.shown) {
				t.Errorf("stderr %q lacks %q", errOut, tt.shown)
			}
		})
	}
}

// TestAPIValidateCommandFacts: offline, `amlaks validate` says which checks
// it could not run (K2 needs the location's versions) and --strict fails on
// them; --azure emulator fetches the facts as the proxy does and finds K2.
func TestAPIValidateCommandFacts(t *testing.T) {
	p := filepath.Join(t.TempDir(), "attach-old.json")
	body := `{"mode":"attach","workspace":{"subscription":"` + apiSub + `","resourceGroup":"ml-rg","name":"ws-east"},"name":"aks-o",` +
		`"target":{"resourceId":"/subscriptions/` + apiSub + `/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-old"}}`
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "validate", p)
	if code != 0 || regexp.MustCompile(`(?m)^error `).MatchString(out) || !regexp.MustCompile(`(?m)^not checked offline, for lack of facts from Azure: .*\bK2\b`).MatchString(out) {
		t.Errorf("offline: exit %d\n%s%s", code, out, errOut)
	}
	if _, _, code := run(t, "validate", "--strict", p); code != 1 {
		t.Errorf("offline --strict: exit %d, want 1", code)
	}
	out, errOut, code = run(t, "validate", "--azure", "emulator", p)
	if code != 1 || !regexp.MustCompile(`(?m)^error +K2 `).MatchString(out) || strings.Contains(out, "not checked") {
		t.Errorf("--azure emulator: exit %d\n%s%s", code, out, errOut)
	}
}
