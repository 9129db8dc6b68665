package azure

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// The backends Choose picks between.
const (
	// BackendAzure is real Azure, with a credential of the machine.
	BackendAzure = "azure"
	// BackendEmulator is an ARM emulator (package armemu).
	BackendEmulator = "emulator"
	// BackendAuto is Azure when a credential is available, else the emulator.
	BackendAuto = "auto"
)

// Backend is the outcome of Choose: which backend to open and, for Azure,
// the credential found while choosing.
type Backend struct {
	// Name is BackendAzure or BackendEmulator.
	Name string
	cred azcore.TokenCredential
}

// Choose resolves a backend mode (BackendAuto, BackendAzure or
// BackendEmulator). Auto probes the machine for an Azure identity
// (Available) and falls back to the emulator; azure insists on a credential.
func Choose(ctx context.Context, mode string) (Backend, error) {
	switch mode {
	case BackendAuto:
		if c, ok := Available(ctx); ok {
			return Backend{Name: BackendAzure, cred: c}, nil
		}
		return Backend{Name: BackendEmulator}, nil
	case BackendEmulator:
		return Backend{Name: BackendEmulator}, nil
	case BackendAzure:
		c, err := DefaultCredential()
		if err != nil {
			return Backend{}, fmt.Errorf("no Azure credential (--azure azure): %s; sign in with `az login`, or set workload or managed identity, or use --azure emulator", scrub(err.Error()))
		}
		return Backend{Name: BackendAzure, cred: c}, nil
	}
	return Backend{}, fmt.Errorf("--azure must be auto, emulator or azure, not %q", mode)
}

// OpenOptions say how to open a backend's Client.
type OpenOptions struct {
	// Options are the Client's options (Logf, NoFollow, Retry, ...); Open
	// sets the cloud and transport of an emulator endpoint itself.
	Options
	// EmulatorURL is the emulator's base URL, https://host:port; required
	// for BackendEmulator.
	EmulatorURL string
	// EmulatorClient sends the requests to the emulator; it must trust the
	// emulator's certificate (EmulatorClient or TrustingClient).
	EmulatorClient *http.Client
}

// Open returns the Client of a chosen backend: the SDK clients against Azure
// with the credential Choose found, or pointed at the emulator with
// StaticCredential.
func Open(b Backend, o OpenOptions) (*Client, error) {
	switch b.Name {
	case BackendAzure:
		if b.cred == nil {
			return nil, errors.New("azure: Open needs the Backend Choose returned")
		}
		return New(b.cred, o.Options)
	case BackendEmulator:
		if o.EmulatorURL == "" {
			return nil, errors.New("azure: the emulator backend needs its URL")
		}
		opts := ForEndpoint(o.EmulatorURL, o.EmulatorClient)
		opts.Subscriptions = o.Subscriptions
		opts.Logf, opts.Retry, opts.PollFrequency = o.Logf, o.Retry, o.PollFrequency
		opts.FollowTimeout, opts.NoFollow, opts.Observe = o.FollowTimeout, o.NoFollow, o.Observe
		return New(StaticCredential{}, opts)
	}
	return nil, fmt.Errorf("azure: unknown backend %q", b.Name)
}

// TrustingClient returns an HTTP client for an emulator in another process:
// rawURL must be https://host[:port], and the only root it trusts is the PEM
// certificate certPEM (what `amlaks emulator --cert-file` wrote).
func TrustingClient(rawURL string, certPEM []byte) (*http.Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("--emulator-url %q must be https://host:port, the URL `amlaks emulator` printed", rawURL)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(certPEM) {
		return nil, errors.New("--emulator-ca holds no PEM certificate; give the file `amlaks emulator --cert-file` wrote")
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t}, nil
}

// readyFor is how long a successful Ready is remembered, so that probes
// every few seconds do not each cost a token request and an ARM call.
const readyFor = 30 * time.Second

// Ready reports whether the credential gets an ARM token and ARM answers:
// it lists the first page of the subscriptions the identity sees. The error
// says which of the two failed, in words, without URLs or IDs.
func (c *Client) Ready(ctx context.Context) error {
	c.mu.Lock()
	fresh := time.Since(c.readyAt) < readyFor
	c.mu.Unlock()
	if fresh {
		return nil
	}
	if _, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.scope()}}); err != nil {
		return errors.New("the Azure credential gets no token")
	}
	if _, err := c.subs.NewListPager(nil).NextPage(ctx); err != nil {
		return fmt.Errorf("Azure Resource Manager does not answer: %s", scrub(err.Error()))
	}
	c.mu.Lock()
	c.readyAt = time.Now()
	c.mu.Unlock()
	return nil
}

// scope is the token scope of the cloud's Resource Manager.
func (c *Client) scope() string {
	if svc, ok := c.armOpts.Cloud.Services[cloud.ResourceManager]; ok && svc.Audience != "" {
		return strings.TrimRight(svc.Audience, "/") + "/.default"
	}
	return armScope
}
