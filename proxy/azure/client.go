// Package azure is the Azure side of the amlaks proxy: it implements the
// proxy's Azure interface with the official Azure SDK for Go (azcore,
// azidentity and the ARM clients for Machine Learning, AKS, Compute, Network
// and Subscriptions) and speaks to the rest of amlaks only in the domain types
// of package rules.
//
// It is the only package of amlaks that imports the SDK. Every error it
// returns is a *rules.Error in plain words: raw SDK text, which carries URLs
// and subscription IDs, never leaves it.
//
// The same code runs against Azure and against the built-in ARM emulator:
// ForEndpoint points every client at a local endpoint.
package azure

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/kubernetesconfiguration/armkubernetesconfiguration/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"

	"github.com/amlaks/amlaks/rules"
)

// Defaults of Options.
const (
	// DefaultMaxRetries is how many times a request that got 408, 429 or a
	// 5xx answer is retried, honoring Retry-After.
	DefaultMaxRetries = 3
	// DefaultPollFrequency is how often a background poller asks Azure about
	// an operation when Azure sends no Retry-After.
	DefaultPollFrequency = 15 * time.Second
	// DefaultFollowTimeout bounds how long a background poller follows one
	// operation before it gives up logging its outcome.
	DefaultFollowTimeout = 30 * time.Minute
	// skuCacheTTL is how long the VM sizes of a location are kept.
	skuCacheTTL = time.Hour
)

// RetryOptions are the SDK's retry settings of Options.Retry, named here so
// that callers outside the Azure side (the proxy's tests) tune retries
// without importing the SDK.
type RetryOptions = policy.RetryOptions

// armAudience is the token audience of Azure Resource Manager in the public cloud.
const armAudience = "https://management.azure.com"

// Options configures a Client. The zero value talks to public Azure with the
// default transport.
type Options struct {
	// Cloud is the Azure cloud; the zero value is public Azure.
	Cloud cloud.Configuration
	// Transport sends the HTTP requests; nil uses azcore's default.
	Transport policy.Transporter
	// InsecureHTTP lets the credential be sent over plain HTTP, for a local
	// emulator only (azcore's InsecureAllowCredentialWithHTTP).
	InsecureHTTP bool
	// Subscriptions are the subscriptions in which workspaces are listed.
	// When empty, the subscriptions the identity can see are listed.
	Subscriptions []string
	// Logf, when set, receives one line per notable event (an operation's
	// final outcome, a subscription skipped). Secrets are never logged.
	Logf func(format string, args ...any)
	// Retry tunes azcore's retry policy; zero fields get the defaults
	// (DefaultMaxRetries tries, azcore's delays, Retry-After honored).
	Retry policy.RetryOptions
	// PollFrequency is how often background pollers ask Azure about an
	// operation when it sends no Retry-After; zero is DefaultPollFrequency.
	// Outside tests it is at least a second, as azcore requires.
	PollFrequency time.Duration
	// FollowTimeout bounds how long an operation is followed in the
	// background; zero is DefaultFollowTimeout.
	FollowTimeout time.Duration
	// NoFollow turns the background pollers off: the caller follows the
	// operations itself (the proxy has one poller per operation, which reads
	// PollAfter), so Azure is not polled twice.
	NoFollow bool
	// Observe, when set, is told of every HTTP request sent to ARM, each
	// retry included: the operation (the method and the resource type path,
	// such as "GET microsoft.machinelearningservices/workspaces/computes",
	// never a name or an ID), the status (0 when no answer came) and how long
	// it took. It is the hook for metrics of ARM calls.
	Observe func(operation string, status int, took time.Duration)
}

// ForEndpoint returns Options that point every ARM client at a local endpoint
// (the ARM emulator, say), sending requests with httpClient. Tokens are asked
// for the public ARM audience; plain HTTP endpoints are allowed.
func ForEndpoint(endpoint string, httpClient *http.Client) Options {
	endpoint = strings.TrimRight(endpoint, "/")
	o := Options{
		Cloud: cloud.Configuration{
			ActiveDirectoryAuthorityHost: cloud.AzurePublic.ActiveDirectoryAuthorityHost,
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Audience: armAudience, Endpoint: endpoint},
			},
		},
		InsecureHTTP: strings.HasPrefix(endpoint, "http://"),
	}
	if httpClient != nil {
		o.Transport = endpointTransport(httpClient)
	}
	return o
}

// Client talks to Azure Resource Manager with the official SDK clients and
// answers in the domain types of package rules. It implements the proxy's
// Azure interface. Its methods are safe for concurrent use. Close stops the
// background pollers.
type Client struct {
	cred    azcore.TokenCredential
	armOpts *arm.ClientOptions
	opts    Options
	subs    *armsubscriptions.Client

	mu      sync.Mutex
	clients map[string]*subscriptionClients
	graph   *armresourcegraph.Client // Resource Graph is tenant-level (resourcegraph.go)
	skus    map[string]skuEntry      // by subscription + "/" + location
	// extensions are the cluster extensions clients, by subscription.
	extensions map[string]*armkubernetesconfiguration.ExtensionsClient
	// clusterFailures are Azure's words on cluster creates that failed, by
	// lower-case cluster resource ID (ClusterFailure).
	clusterFailures map[string][]string

	retryAfter  map[string]time.Duration // Retry-After of the last accepted write, by compute
	wsLocations map[string]string        // a workspace's location, by lower-case ID
	readyAt     time.Time                // when Ready last succeeded

	bg     context.Context
	stop   context.CancelFunc
	follow sync.WaitGroup
}

// subscriptionClients are the SDK clients bound to one subscription.
type subscriptionClients struct {
	workspaces  *armmachinelearning.WorkspacesClient
	computes    *armmachinelearning.ComputeClient
	clusters    *armcontainerservice.ManagedClustersClient
	pools       *armcontainerservice.AgentPoolsClient
	skus        *armcompute.ResourceSKUsClient
	usages      *armcompute.UsageClient
	serviceTags *armnetwork.ServiceTagsClient
	subnets     *armnetwork.SubnetsClient
}

// New returns a Client that authenticates with cred.
func New(cred azcore.TokenCredential, opts Options) (*Client, error) {
	if cred == nil {
		return nil, fmt.Errorf("azure: no credential")
	}
	retry := opts.Retry
	if retry.MaxRetries == 0 {
		retry.MaxRetries = DefaultMaxRetries
	}
	if opts.PollFrequency <= 0 {
		opts.PollFrequency = DefaultPollFrequency
	}
	if opts.PollFrequency < time.Second && flag.Lookup("test.v") == nil {
		// azcore refuses to poll faster than once a second outside tests.
		opts.PollFrequency = time.Second
	}
	if opts.FollowTimeout <= 0 {
		opts.FollowTimeout = DefaultFollowTimeout
	}
	armOpts := &arm.ClientOptions{
		ClientOptions: policy.ClientOptions{
			Cloud:                           opts.Cloud,
			Transport:                       opts.Transport,
			InsecureAllowCredentialWithHTTP: opts.InsecureHTTP,
			Retry:                           retry,
			Telemetry:                       policy.TelemetryOptions{ApplicationID: "amlaks"},
		},
	}
	if opts.Observe != nil {
		armOpts.PerRetryPolicies = append(armOpts.PerRetryPolicies, observePolicy{opts.Observe})
	}
	if armOpts.Cloud.Services == nil && armOpts.Cloud.ActiveDirectoryAuthorityHost == "" {
		armOpts.Cloud = cloud.AzurePublic
	}
	subs, err := armsubscriptions.NewClient(cred, armOpts)
	if err != nil {
		return nil, fmt.Errorf("azure: subscriptions client: %w", err)
	}
	bg, stop := context.WithCancel(context.Background())
	return &Client{
		cred:    cred,
		armOpts: armOpts,
		opts:    opts,
		subs:    subs,
		clients: map[string]*subscriptionClients{},
		skus:    map[string]skuEntry{},
		bg:      bg,
		stop:    stop,
	}, nil
}

// Close stops following operations in the background and waits for the
// pollers to return. The operations themselves go on in Azure.
func (c *Client) Close() error {
	c.stop()
	c.follow.Wait()
	return nil
}

// Closed reports whether Close has been called.
func (c *Client) Closed() bool { return c.bg.Err() != nil }

// logf writes one line to Options.Logf, if set.
func (c *Client) logf(format string, args ...any) {
	if c.opts.Logf != nil {
		c.opts.Logf(format, args...)
	}
}

// forSubscription returns the SDK clients of one subscription, made once.
func (c *Client) forSubscription(subscription string) (*subscriptionClients, error) {
	if subscription == "" {
		return nil, rules.Errorf(rules.ErrInvalid, "workspace.subscription", "A subscription ID is required.")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if sc, ok := c.clients[subscription]; ok {
		return sc, nil
	}
	sc := &subscriptionClients{}
	var err error
	if sc.workspaces, err = armmachinelearning.NewWorkspacesClient(subscription, c.cred, c.armOpts); err != nil {
		return nil, setupError(err)
	}
	if sc.computes, err = armmachinelearning.NewComputeClient(subscription, c.cred, c.armOpts); err != nil {
		return nil, setupError(err)
	}
	if sc.clusters, err = armcontainerservice.NewManagedClustersClient(subscription, c.cred, c.armOpts); err != nil {
		return nil, setupError(err)
	}
	if sc.pools, err = armcontainerservice.NewAgentPoolsClient(subscription, c.cred, c.armOpts); err != nil {
		return nil, setupError(err)
	}
	if sc.skus, err = armcompute.NewResourceSKUsClient(subscription, c.cred, c.armOpts); err != nil {
		return nil, setupError(err)
	}
	if sc.usages, err = armcompute.NewUsageClient(subscription, c.cred, c.armOpts); err != nil {
		return nil, setupError(err)
	}
	if sc.serviceTags, err = armnetwork.NewServiceTagsClient(subscription, c.cred, c.armOpts); err != nil {
		return nil, setupError(err)
	}
	if sc.subnets, err = armnetwork.NewSubnetsClient(subscription, c.cred, c.armOpts); err != nil {
		return nil, setupError(err)
	}
	c.clients[subscription] = sc
	return sc, nil
}

// setupError wraps a failure that is a bug in amlaks, not an Azure refusal.
func setupError(err error) error {
	return &rules.Error{Code: rules.ErrInternal, Message: "The proxy could not set up its Azure client: " + scrub(err.Error())}
}

// checkRef refuses a workspace reference with a missing part before anything is sent.
func checkRef(ref rules.WorkspaceRef) error {
	switch {
	case ref.Subscription == "":
		return rules.Errorf(rules.ErrInvalid, "workspace.subscription", "A subscription ID is required.")
	case ref.ResourceGroup == "":
		return rules.Errorf(rules.ErrInvalid, "workspace.resourceGroup", "A resource group is required.")
	case ref.Name == "":
		return rules.Errorf(rules.ErrInvalid, "workspace.name", "A workspace name is required.")
	}
	return nil
}

// deref returns the value p points at, or the zero value for nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
