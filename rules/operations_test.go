package rules

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExpectedDurations pins O1 (create about 10 minutes, attach about 5)
// and gives every v2 step a duration, which the proxy answers and the page
// words.
func TestExpectedDurations(t *testing.T) {
	t.Parallel()
	got := map[string]int{"create": ExpectedSec(ModeCreate), "attach": ExpectedSec(ModeAttach), "no mode": ExpectedSec("")}
	want := map[string]int{"create": 600, "attach": 300, "no mode": 600}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ExpectedSec mismatch (-want +got):\n%s", diff)
	}
	for _, s := range []StepName{StepCluster, StepExtension, StepAttach, StepDetachV1, StepLegacyCleanup, StepRemoveCompute, StepRemoveExt, StepRemoveCluster} {
		if StepExpectedSec(s) <= 0 {
			t.Errorf("StepExpectedSec(%q) = %d, want a usual duration", s, StepExpectedSec(s))
		}
	}
}
