package azure_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/rules"
)

// TestHostileLocationsNeverReachARM: a location that no region has the
// shape of is refused before it goes into an ARM path or an OData filter,
// and the emulator sees no request for it.
func TestHostileLocationsNeverReachARM(t *testing.T) {
	emu, srv := mustServe(t, fastEmulator(20*time.Millisecond))
	c := mustEmuClient(t, srv, nil)
	ctx := context.Background()
	for _, loc := range []string{"..", "east\tus", "east'us", "eastus' or 1 eq 1 or location eq 'x", "east%2Fus", "east/us", "éast", "a?b=c"} {
		before := emu.Requests()
		_, err1 := c.VMSizes(ctx, armemu.SubscriptionID, loc)
		_, err2 := c.KubernetesVersions(ctx, armemu.SubscriptionID, loc)
		for _, err := range []error{err1, err2} {
			var re *rules.Error
			if !errors.As(err, &re) || re.Code != rules.ErrInvalid || re.Field != "location" {
				t.Errorf("location %q: %v, want an invalid location", loc, err)
			}
		}
		if n := emu.Requests() - before; n != 0 {
			t.Errorf("location %q reached the emulator %d times", loc, n)
		}
	}
	if _, err := c.VMSizes(ctx, armemu.SubscriptionID, "eastus"); err != nil {
		t.Errorf("eastus: %v", err)
	}
}
