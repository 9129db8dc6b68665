package rules

import (
	"strings"
	"testing"
)

// TestExportTabsMarkV1Legacy: the tabs of the CLI v1 and SDK v1 exports say
// they are legacy, as the exports' own headings do
// (TestV1ExportsAreMarkedLegacy); a Kubernetes compute's do not.
func TestExportTabsMarkV1Legacy(t *testing.T) {
	t.Parallel()
	for _, k := range ExportKinds(KindAKS) {
		legacy := strings.Contains(k.Label, "v1") && strings.Contains(k.Label, "legacy")
		if want := k.ID == "cli" || k.ID == "python"; legacy != want {
			t.Errorf("AKS tab %s is labelled %q: legacy %v, want %v", k.ID, k.Label, legacy, want)
		}
	}
	for _, k := range ExportKinds(KindKubernetes) {
		if strings.Contains(k.Label, "legacy") {
			t.Errorf("Kubernetes tab %s is labelled %q", k.ID, k.Label)
		}
	}
}
