package azure

// WaitFollowers waits until the client's background pollers have returned on
// their own, for tests that must not cancel them (the SDK's fake servers
// cannot be canceled mid-request).
func WaitFollowers(c *Client) { c.follow.Wait() }

// QuotaWords is the advice of every quota refusal, for the external tests.
const QuotaWords = quotaExplanation
