package app

import (
	"html"
	"reflect"
	"testing"

	"github.com/amlaks/amlaks/rules"
)

func TestParseTags(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    map[string]string
		wantBad []string
	}{
		{"empty", "", nil, nil},
		{"one a line, spaces trimmed", " team = vision \ncost=1234\n\n", map[string]string{"team": "vision", "cost": "1234"}, nil},
		{"value holding =", "url=a=b", map[string]string{"url": "a=b"}, nil},
		{"empty value", "flag=", map[string]string{"flag": ""}, nil},
		{"no =", "team\nok=1", map[string]string{"ok": "1"}, []string{`"team"`}},
		{"empty name", "=x", nil, []string{`"=x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad := parseTags(tt.text)
			if !reflect.DeepEqual(got, tt.want) || !reflect.DeepEqual(bad, tt.wantBad) {
				t.Errorf("parseTags(%q) = %v, %v; want %v, %v", tt.text, got, bad, tt.want, tt.wantBad)
			}
		})
	}
	tags := map[string]string{"b": "2", "a": "1"}
	if back, _ := parseTags(tagsToText(tags)); !reflect.DeepEqual(back, tags) {
		t.Errorf("tags round trip: %v", back)
	}
}

func TestFactsKey(t *testing.T) {
	ws := rules.WorkspaceRef{Subscription: "s", ResourceGroup: "rg", Name: "ws"}
	create := rules.Request{Mode: rules.ModeCreate, Workspace: ws, Location: "eastus", Name: "a"}
	renamed := create
	renamed.Name, renamed.NodeCount = "b", 5
	if factsKey(create) != factsKey(renamed) {
		t.Error("the name and node count change the facts key: every keystroke would ask Azure again")
	}
	moved := create
	moved.Location = "westus"
	if factsKey(create) == factsKey(moved) {
		t.Error("another location keeps the facts of the first")
	}
	attach := rules.Request{Mode: rules.ModeAttach, Workspace: ws, Target: rules.Target{ResourceGroup: "aks-rg", Name: "one"}}
	other := attach
	other.Target.Name = "two"
	if factsKey(attach) == factsKey(other) {
		t.Error("another target keeps the facts of the first")
	}
}

func TestKeepEmbedAndFieldID(t *testing.T) {
	for _, tt := range []struct{ path, want string }{
		{"/progress/a/b/c/d", "/progress/a/b/c/d?embed=1"},
		{"/inventory?ws=x", "/inventory?ws=x&embed=1"},
	} {
		if got := keepEmbed(tt.path, true); got != tt.want {
			t.Errorf("keepEmbed(%q) = %q, want %q", tt.path, got, tt.want)
		}
		if got := keepEmbed(tt.path, false); got != tt.path {
			t.Errorf("keepEmbed(%q, false) = %q", tt.path, got)
		}
	}
	if got := fieldID(rules.FieldDNSServiceIP); got != "f-network-dnsServiceIP" {
		t.Errorf("fieldID = %q", got)
	}
}

// TestFormNodeCountZero: a typed 0 reaches the request as a node count of
// 0 (P5 refuses it) and the share link as nodes=0; an empty box is the
// default of 3, in the request and in the link.
func TestFormNodeCountZero(t *testing.T) {
	ws := rules.WorkspaceRef{Subscription: "00000000-0000-0000-0000-000000000001", ResourceGroup: "rg", Name: "ws"}
	f := &Form{req: rules.Request{Mode: rules.ModeCreate, Workspace: ws, Name: "aks-zero"}, nodeText: "0"}
	r := f.request()
	if !r.NodeCountGiven() || r.Normalized("eastus").NodeCount != 0 {
		t.Fatalf("typed 0: given %v, normalized %d nodes", r.NodeCountGiven(), r.Normalized("eastus").NodeCount)
	}
	var p5 bool
	for _, fd := range rules.Validate(r, rules.Facts{WorkspaceLocation: "eastus"}) {
		p5 = p5 || (fd.Code == "P5" && fd.Field == rules.FieldNodeCount && fd.Severity == rules.SeverityError)
	}
	if !p5 {
		t.Error("the rules do not refuse a typed node count of 0")
	}
	if got := rules.EncodeLink(r).Get("nodes"); got != "0" {
		t.Errorf("share link nodes = %q, want 0", got)
	}
	if got := f.link(r).Get("nodes"); got != "0" {
		t.Errorf("the form's share link nodes = %q, want 0", got)
	}
	f.nodeText = ""
	if r := f.request(); r.NodeCountGiven() || r.Normalized("eastus").NodeCount != rules.DefaultNodeCount {
		t.Errorf("empty box: given %v, normalized %d", r.NodeCountGiven(), r.Normalized("eastus").NodeCount)
	}
	f.req.Mode, f.nodeText = rules.ModeAttach, "0"
	if f.request().NodeCountGiven() {
		t.Error("an attach carries the create's node count")
	}
}

// TestExportTabsOfEachKind: the review opens on a tab of the request's
// kind; Bicep is a Kubernetes compute's only.
func TestExportTabsOfEachKind(t *testing.T) {
	for _, tc := range []struct {
		tab  string
		kind rules.Kind
		want bool
	}{
		{"cli", rules.KindAKS, true}, {"arm", rules.KindAKS, true}, {"bicep", rules.KindAKS, false},
		{"bicep", rules.KindKubernetes, true}, {"terraform", rules.KindKubernetes, true}, {"", rules.KindKubernetes, false},
	} {
		if got := validExportTab(tc.tab, tc.kind); got != tc.want {
			t.Errorf("validExportTab(%q, %q) = %v, want %v", tc.tab, tc.kind, got, tc.want)
		}
	}
}

// TestEscapeHTMLIsHTMLEscapeString: the page's own escaper of an option's
// label writes what html.EscapeString does, for any bytes.
func TestEscapeHTMLIsHTMLEscapeString(t *testing.T) {
	for _, s := range []string{"", "plain", `a&b<c>d"e'f`, "&amp;", "\xff<\x00>", "é — ✓ <script>alert('x')</script>"} {
		if got, want := escapeHTML(s), html.EscapeString(s); got != want {
			t.Errorf("escapeHTML(%q) = %q, want %q", s, got, want)
		}
	}
}
