package rules

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
)

// TestNodeCountZeroIsNotTheDefault: a node count given as 0 is refused
// (P5, on nodeCount); only an absent node count means the default of 3.
func TestNodeCountZeroIsNotTheDefault(t *testing.T) {
	t.Parallel()
	base := `{"mode":"create","workspace":{"subscription":"` + testSub + `","resourceGroup":"rg-ml","name":"ws-prod"},"name":"aks-prod","vmSize":"Standard_D3_v2"`
	zero, err := DecodeRequest([]byte(base + `,"nodeCount":0}`))
	if err != nil {
		t.Fatal(err)
	}
	if !zero.NodeCountGiven() {
		t.Fatal("a nodeCount of 0 decodes as no node count")
	}
	if n := zero.Normalized("eastus").NodeCount; n != 0 {
		t.Errorf("Normalized turns a given 0 into %d nodes", n)
	}
	f, ok := findCode(Validate(zero, baseFacts()), "P5")
	if !ok || f.Severity != SeverityError || f.Field != FieldNodeCount || !strings.Contains(f.Message, "nodeCount") || !strings.Contains(f.Message, "0") {
		t.Errorf("P5 for a given 0 = %+v, want an error on nodeCount naming the field", f)
	}
	if !strings.Contains(f.Fix, "leave nodeCount out for the default of 3") {
		t.Errorf("P5 fix = %q, want it to say how to get the default", f.Fix)
	}

	absent, err := DecodeRequest([]byte(base + `}`))
	if err != nil {
		t.Fatal(err)
	}
	if absent.NodeCountGiven() || absent.Normalized("eastus").NodeCount != DefaultNodeCount {
		t.Errorf("an absent node count: given %v, normalized %d; want the default %d", absent.NodeCountGiven(), absent.Normalized("eastus").NodeCount, DefaultNodeCount)
	}
	if f, ok := findCode(Validate(absent, baseFacts()), "P5"); ok {
		t.Errorf("P5 for an absent node count: %+v", f)
	}
	null, err := DecodeRequest([]byte(base + `,"nodeCount":null}`))
	if err != nil || null.NodeCountGiven() {
		t.Errorf("nodeCount null: given %v, %v; want it read as absent", null.NodeCountGiven(), err)
	}

	// The JSON the page sends keeps a 0, and leaves an absent count out.
	b, err := json.Marshal(zero)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"nodeCount":0`) {
		t.Errorf("marshalled given 0 = %s, want nodeCount 0 in it", b)
	}
	if back, err := DecodeRequest(b); err != nil || !back.NodeCountGiven() {
		t.Errorf("given 0 does not survive a round trip: %v, %v", back.NodeCountGiven(), err)
	}
	if b, _ := json.Marshal(absent); strings.Contains(string(b), "nodeCount") {
		t.Errorf("marshalled absent count = %s, want no nodeCount", b)
	}
	if b, _ := json.Marshal(validCreate()); !strings.Contains(string(b), `"nodeCount":3`) {
		t.Errorf("marshalled 3 nodes = %s", b)
	}

	// Decoding stays strict and names fields by their path.
	for in, field := range map[string]string{
		`{"workspace":{"name":5}}`: "workspace.name",
		`{"nodeCount":"three"}`:    "nodeCount",
		`{"colour":"blue"}`:        "colour",
	} {
		_, err := DecodeRequest([]byte(in))
		var e *Error
		if !errors.As(err, &e) || e.Field != field {
			t.Errorf("DecodeRequest(%s) = %v, want an error on %s", in, err, field)
		}
	}

	// Attach: a given 0 is a field attach does not use, as any count is.
	a := validAttach().WithNodeCount(0)
	if f, ok := findCode(Validate(a, attachFacts()), "M2"); !ok || f.Field != FieldNodeCount {
		t.Errorf("attach with a node count of 0: M2 = %+v, %v", f, ok)
	}
}

// TestLinkKeepsANodeCountOfZero: a share link with nodes=0 is a given 0,
// refused, and a request with a given 0 makes a link that says so.
func TestLinkKeepsANodeCountOfZero(t *testing.T) {
	t.Parallel()
	r, fs := DecodeLink(url.Values{"nodes": {"0"}, "mode": {"create"}})
	if !r.NodeCountGiven() || r.NodeCount != 0 {
		t.Fatalf("nodes=0 read as given=%v count=%d", r.NodeCountGiven(), r.NodeCount)
	}
	if f, ok := findCode(fs, "P5"); !ok || f.Field != FieldNodeCount {
		t.Errorf("link finding for nodes=0 = %+v", fs)
	}
	if n := r.Normalized("eastus").NodeCount; n != 0 {
		t.Errorf("a link's nodes=0 becomes %d nodes", n)
	}
	if got := EncodeLink(validCreate().WithNodeCount(0)).Get("nodes"); got != "0" {
		t.Errorf("EncodeLink of a given 0: nodes=%q, want 0", got)
	}
	if _, ok := EncodeLink(validCreate().WithoutNodeCount())["nodes"]; ok {
		t.Error("EncodeLink of an absent count writes nodes")
	}
}
