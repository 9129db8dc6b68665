package azure

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/amlaks/amlaks/rules"
)

// ARM economy: reads that cost one ARM request each, and what Azure said
// about the pace of the operations it accepted.

// ComputeRefs lists a workspace's computes in one ARM request (a page of the
// list), as the workspace reports them: name, type, state, location and
// cluster ID, without reading each compute's cluster. It is what the rules'
// facts need (N5, T4); Computes adds each cluster's version and cores.
func (c *Client) ComputeRefs(ctx context.Context, ref rules.WorkspaceRef) ([]rules.Compute, error) {
	if err := checkRef(ref); err != nil {
		return nil, err
	}
	sc, err := c.forSubscription(ref.Subscription)
	if err != nil {
		return nil, err
	}
	out := []rules.Compute{}
	pager := sc.computes.NewListPager(ref.ResourceGroup, ref.Name, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, mapError(err, "workspace.name")
		}
		for _, r := range page.Value {
			if r != nil {
				out = append(out, c.compute(ctx, ref, r, true))
			}
		}
	}
	return out, nil
}

// ComputeState reads one compute in one ARM request: its state, errors,
// times and its own figures, without reading its cluster. The proxy's
// operation poller calls it while an operation runs. A compute that does not
// exist is a rules.ErrNotFound.
func (c *Client) ComputeState(ctx context.Context, ref rules.WorkspaceRef, name string) (rules.Compute, error) {
	if err := checkRef(ref); err != nil {
		return rules.Compute{}, err
	}
	if name == "" {
		return rules.Compute{}, rules.Errorf(rules.ErrInvalid, "name", "A compute name is required.")
	}
	sc, err := c.forSubscription(ref.Subscription)
	if err != nil {
		return rules.Compute{}, err
	}
	resp, err := sc.computes.Get(ctx, ref.ResourceGroup, ref.Name, name, nil)
	if err != nil {
		return rules.Compute{}, mapError(err, "name")
	}
	return c.compute(ctx, ref, &resp.ComputeResource, true), nil
}

// PollAfter is how long to wait between two polls of the operation on a
// compute: the Retry-After Azure sent when it accepted the write, or, when it
// sent none (or this adapter did not send the write), Options.PollFrequency.
func (c *Client) PollAfter(ref rules.WorkspaceRef, name string) time.Duration {
	c.mu.Lock()
	d, ok := c.retryAfter[opKey(ref, name)]
	c.mu.Unlock()
	if ok && d > 0 {
		return d
	}
	return c.opts.PollFrequency
}

func opKey(ref rules.WorkspaceRef, name string) string {
	return strings.ToLower(ref.ID() + "/" + name)
}

// captureRetryAfter returns a context that captures the answer of a write,
// and a func that records that answer's Retry-After for the compute.
func (c *Client) captureRetryAfter(ctx context.Context, ref rules.WorkspaceRef, name string) (context.Context, func()) {
	var resp *http.Response
	ctx = runtime.WithCaptureResponse(ctx, &resp)
	return ctx, func() {
		if resp == nil {
			return
		}
		d := parseRetryAfter(resp.Header.Get("Retry-After"))
		c.mu.Lock()
		if c.retryAfter == nil {
			c.retryAfter = map[string]time.Duration{}
		}
		c.retryAfter[opKey(ref, name)] = d
		c.mu.Unlock()
	}
}

// parseRetryAfter reads a Retry-After header: whole seconds or an HTTP date.
func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// workspaceLocation is the kept location of a workspace (a workspace never
// moves), "" when unknown.
func (c *Client) workspaceLocation(ref rules.WorkspaceRef) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wsLocations[strings.ToLower(ref.ID())]
}

func (c *Client) keepWorkspaceLocation(ws rules.Workspace) {
	if ws.Location == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wsLocations == nil {
		c.wsLocations = map[string]string{}
	}
	c.wsLocations[strings.ToLower(ws.ID())] = ws.Location
}

// endpointTransport is the transport of ForEndpoint: the given client's,
// keeping enough idle connections to the one host for the proxy's parallel
// reads, so they do not each pay a TLS handshake (net/http keeps 2).
func endpointTransport(httpClient *http.Client) *http.Client {
	t, ok := httpClient.Transport.(*http.Transport)
	if !ok {
		return httpClient
	}
	t = t.Clone()
	t.MaxIdleConns = max(t.MaxIdleConns, 128)
	t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, 64)
	c := *httpClient
	c.Transport = t
	return &c
}
