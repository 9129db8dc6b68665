package azure

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// followPoller follows an accepted operation in the background, within
// Options.FollowTimeout, only to log its outcome. azcore waits as Azure's
// Retry-After says, else Options.PollFrequency. Close stops it.
func followPoller[T any](c *Client, what string, poller *runtime.Poller[T]) {
	followPollerThen(c, what, poller, nil)
}

// followPollerThen is followPoller that also hands Azure's failure, mapped
// to plain words, to failed (when not nil).
func followPollerThen[T any](c *Client, what string, poller *runtime.Poller[T], failed func(error)) {
	if c.opts.NoFollow {
		c.logf("azure: %s: accepted", what)
		return
	}
	c.follow.Add(1)
	go func() {
		defer c.follow.Done()
		ctx, cancel := context.WithTimeout(c.bg, c.opts.FollowTimeout)
		defer cancel()
		_, err := poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: c.opts.PollFrequency})
		switch {
		case err == nil:
			c.logf("azure: %s: succeeded", what)
		case c.bg.Err() != nil:
			c.logf("azure: %s: no longer followed (the proxy is stopping); it goes on in Azure", what)
		default:
			mapped := mapError(err, "")
			c.logf("azure: %s: %v", what, mapped)
			if failed != nil {
				failed(mapped)
			}
		}
	}()
}
