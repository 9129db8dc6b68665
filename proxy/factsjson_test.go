package proxy

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/amlaks/amlaks/rules"
)

// TestFactsBodyEncodesLikeFacts: the answer of /api/facts reads back as
// the facts it was made of, whether the VM sizes are known, none or many,
// and a list's JSON is made once while it is the same list.
func TestFactsBodyEncodesLikeFacts(t *testing.T) {
	var memo sizesMemo
	sizes := []rules.VMSize{{Name: "Standard_D3_v2", VCPUs: 4, MemoryGB: 14, Family: "standardDv2Family"}, {Name: "Standard_NC6", VCPUs: 6, GPUs: 1}}
	for _, f := range []rules.Facts{
		{WorkspaceLocation: "eastus"},
		{WorkspaceLocation: "eastus", VMSizes: []rules.VMSize{}},
		{WorkspaceLocation: "eastus", VMSizes: sizes, RegionNames: []string{"<a>"}, Quotas: []rules.Quota{{Name: "cores", Limit: 10}}},
	} {
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(factsBody{Facts: f, VMSizes: memo.encode(f.VMSizes)})
		if err != nil {
			t.Fatal(err)
		}
		var a, b map[string]any
		if err := json.Unmarshal(want, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got, &b); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("facts body differs from the facts' JSON (-facts +body):\n%s", diff)
		}
		if bytes.Contains(got, []byte("<a>")) {
			t.Errorf("HTML not escaped: %s", got)
		}
	}
	if first, again := memo.encode(sizes), memo.encode(sizes); &first[0] != &again[0] {
		t.Error("the same list was encoded twice")
	}
	other := append([]rules.VMSize(nil), sizes...)
	other[0].VCPUs = 8
	if got := string(memo.encode(other)); !bytes.Contains([]byte(got), []byte(`"vcpus":8`)) {
		t.Errorf("another list got %s", got)
	}
}
