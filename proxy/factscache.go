package proxy

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/amlaks/amlaks/rules"
)

// How long each kind of fact from Azure is kept. What changes rarely (the
// regions of a subscription, the VM sizes of a region, a workspace's
// location) is kept for hours; what Azure updates now and then (Kubernetes
// versions, service tags) for an hour; what people change all day (the
// computes of a workspace, a cluster) for seconds. A write never trusts the
// cache for what it depends on: it re-reads the computes and the cluster
// (gatherFacts with fresh) and then forgets what it changed.
var factsTTL = map[factKind]time.Duration{
	kindLocations:  6 * time.Hour,
	kindVMSizes:    6 * time.Hour,
	kindWorkspace:  6 * time.Hour, // a workspace's location never changes
	kindVersions:   time.Hour,
	kindQuotas:     5 * time.Minute, // usage changes with creates and scales; a write reads it fresh
	kindAMLRanges:  time.Hour,
	kindWorkspaces: 5 * time.Minute,
	kindClusters:   30 * time.Second,
	kindCluster:    10 * time.Second,
	kindComputes:   10 * time.Second,
	kindGraph:      30 * time.Second,
	kindGraphAll:   30 * time.Second,
	kindClusterIDs: 30 * time.Second, // like the cluster lists
	kindSubnet:     5 * time.Minute,
	kindExtensions: 10 * time.Second,
	kindExtRegions: 6 * time.Hour,
}

// factKind names a kind of fact, for its time to live and for metrics.
type factKind string

// The kinds of facts the cache keeps.
const (
	kindWorkspaces factKind = "workspaces"
	kindWorkspace  factKind = "workspace"
	kindComputes   factKind = "computes"
	kindLocations  factKind = "locations"
	kindVMSizes    factKind = "vmsizes"
	kindVersions   factKind = "versions"
	kindQuotas     factKind = "quotas"
	kindAMLRanges  factKind = "amlranges"
	kindClusters   factKind = "clusters"
	kindCluster    factKind = "cluster"
	kindGraph      factKind = "graph"      // Resource Graph's computes of every workspace (N6, T4)
	kindGraphAll   factKind = "graphall"   // the same, of every location and cluster (MLSearcher)
	kindClusterIDs factKind = "clusterids" // the AKS clusters' IDs, from the same query (MLSearcher)
	kindSubnet     factKind = "subnet"     // a create's subnet prefixes (V2)
	kindExtensions factKind = "extensions" // a cluster's extensions (X10)
	kindExtRegions factKind = "extregions" // where cluster extensions are offered (X10)
)

// factsCache keeps the answers of Azure's reads for their kind's time to
// live. Concurrent askers of the same missing fact share one Azure call
// (singleflight); errors are never kept. Values handed out are shared:
// callers must not modify them (the helpers below return clones of slices).
type factsCache struct {
	now func() time.Time
	// observe, when set, is told of every lookup: its kind and whether the
	// cache answered it. It is the hook for a metrics counter of hits.
	observe func(kind string, hit bool)

	hits, misses atomic.Int64

	group singleflight.Group
	mu    sync.Mutex
	items map[string]cacheItem
	// sizes keeps the JSON of the kept VM size lists (factsjson.go).
	sizes sizesMemo
	// written is when this proxy last wrote a compute of a workspace or
	// on a cluster, by lower(resource ID): Resource Graph may not show the
	// write yet.
	written map[string]time.Time
}

type cacheItem struct {
	value   any
	expires time.Time
}

func newFactsCache(now func() time.Time, observe func(kind string, hit bool)) *factsCache {
	return &factsCache{now: now, observe: observe, items: map[string]cacheItem{}, written: map[string]time.Time{}}
}

// fetchTimeout bounds a shared fetch, which runs detached from the first
// asker's context so that one person leaving does not fail the others.
const fetchTimeout = 45 * time.Second

// get returns the kept value of key, or fetches it once for every concurrent
// asker and keeps it for kind's time to live.
func cacheGet[T any](ctx context.Context, c *factsCache, kind factKind, key string, fetch func(context.Context) (T, error)) (T, error) {
	full := string(kind) + "|" + key
	c.mu.Lock()
	it, ok := c.items[full]
	c.mu.Unlock()
	if ok && c.now().Before(it.expires) {
		c.note(kind, true)
		return it.value.(T), nil
	}
	c.note(kind, false)
	ch := c.group.DoChan(full, func() (any, error) {
		// An asker that missed just as another flight ended finds its value
		// here, rather than asking Azure a second time.
		c.mu.Lock()
		it, ok := c.items[full]
		c.mu.Unlock()
		if ok && c.now().Before(it.expires) {
			return it.value, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		defer cancel()
		v, err := fetch(fctx)
		if err != nil {
			return v, err
		}
		c.put(kind, full, v)
		return v, nil
	})
	select {
	case r := <-ch:
		v, _ := r.Val.(T)
		return v, r.Err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

func (c *factsCache) put(kind factKind, full string, v any) {
	c.mu.Lock()
	c.items[full] = cacheItem{value: v, expires: c.now().Add(factsTTL[kind])}
	c.mu.Unlock()
}

func (c *factsCache) note(kind factKind, hit bool) {
	if hit {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	if c.observe != nil {
		c.observe(string(kind), hit)
	}
}

// forget drops a kept value, after a write that changed it.
func (c *factsCache) forget(kind factKind, key string) {
	c.mu.Lock()
	delete(c.items, string(kind)+"|"+key)
	c.mu.Unlock()
	c.group.Forget(string(kind) + "|" + key)
}

// lower is the cache key of a case-insensitive Azure name or ID.
func lower(parts ...string) string { return strings.ToLower(strings.Join(parts, "|")) }

// cachedAzure reads Azure through the facts cache. Every method answers like
// the Azure method of the same name.
type cachedAzure struct {
	az Azure
	c  *factsCache
	// share hands out the kept slices themselves, not clones: for a
	// caller that only reads them (a facts read, which encodes them or
	// gives them to the rules, and the look-ups in lists).
	share bool
}

// clone copies a kept slice for a caller that may modify it; nil stays nil.
func clone[T any](a cachedAzure, v []T) []T {
	if a.share {
		return v
	}
	return slices.Clone(v)
}

// shared is a, handing out the kept slices themselves.
func (a cachedAzure) shared() cachedAzure {
	a.share = true
	return a
}

func (a cachedAzure) Workspaces(ctx context.Context) ([]rules.Workspace, error) {
	return a.workspacesFor(ctx, rules.WorkspaceRef{})
}

// workspacesFor is the list of workspaces, read, when it is not kept, with
// one Resource Graph query that brings ref's computes too (MLSearcher), so
// that a cold facts read of ref asks for its workspace and computes once.
func (a cachedAzure) workspacesFor(ctx context.Context, ref rules.WorkspaceRef) ([]rules.Workspace, error) {
	v, err := cacheGet(ctx, a.c, kindWorkspaces, "", func(ctx context.Context) ([]rules.Workspace, error) {
		if _, ok := a.az.(MLSearcher); ok {
			ml, err := a.searchML(ctx, ref)
			return ml.Workspaces, err
		}
		return a.az.Workspaces(ctx)
	})
	return clone(a, v), err
}

// graphLag is how long after this proxy wrote a compute of a workspace its
// computes are read from Azure ML rather than from Resource Graph, which
// may show a write only after seconds.
const graphLag = time.Minute

// searchML asks Resource Graph for the workspaces, ref's computes (none
// when ref is zero) and the AKS and Kubernetes computes of every workspace,
// once for all concurrent askers, and keeps each list for its own kind's
// time to live. The adapter must be an MLSearcher.
func (a cachedAzure) searchML(ctx context.Context, ref rules.WorkspaceRef) (rules.MLResources, error) {
	key := "ml|" + lower(ref.ID())
	if ref == (rules.WorkspaceRef{}) {
		key = "ml|"
	}
	ch := a.c.group.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		defer cancel()
		ml, err := a.az.(MLSearcher).SearchML(fctx, ref)
		if err != nil {
			return ml, err
		}
		a.c.put(kindWorkspaces, string(kindWorkspaces)+"|", ml.Workspaces)
		a.c.put(kindGraphAll, string(kindGraphAll)+"|", ml.Hits)
		a.c.put(kindClusterIDs, string(kindClusterIDs)+"|", ml.Clusters)
		if ml.Computes != nil && !a.c.recentlyWritten(ref) {
			a.c.put(kindComputes, string(kindComputes)+"|"+lower(ref.ID()), ml.Computes)
		}
		return ml, nil
	})
	select {
	case r := <-ch:
		ml, _ := r.Val.(rules.MLResources)
		return ml, r.Err
	case <-ctx.Done():
		return rules.MLResources{}, ctx.Err()
	}
}

// recentlyWritten reports whether this proxy wrote a compute of ref less
// than graphLag ago.
func (c *factsCache) recentlyWritten(ref rules.WorkspaceRef) bool {
	return c.wroteLately(ref.ID())
}

// wroteLately reports whether this proxy wrote a compute of the workspace
// or on the cluster of that resource ID less than graphLag ago.
func (c *factsCache) wroteLately(id string) bool {
	c.mu.Lock()
	t, ok := c.written[lower(id)]
	c.mu.Unlock()
	return ok && c.now().Sub(t) < graphLag
}

func (a cachedAzure) Workspace(ctx context.Context, ref rules.WorkspaceRef) (rules.Workspace, error) {
	return cacheGet(ctx, a.c, kindWorkspace, lower(ref.ID()), func(ctx context.Context) (rules.Workspace, error) {
		return a.az.Workspace(ctx, ref)
	})
}

// ComputeRefs are the workspace's computes as the workspace lists them:
// name, type, state and cluster, without reading each cluster. That is what
// the rules need (N5, T4). For a read they come from Resource Graph with the
// workspaces (MLSearcher), unless this proxy has just written one of them;
// a write reads them from Azure ML (freshComputeRefs).
func (a cachedAzure) ComputeRefs(ctx context.Context, ref rules.WorkspaceRef) ([]rules.Compute, error) {
	v, err := cacheGet(ctx, a.c, kindComputes, lower(ref.ID()), func(ctx context.Context) ([]rules.Compute, error) {
		if _, ok := a.az.(MLSearcher); ok && !a.c.recentlyWritten(ref) {
			ml, err := a.searchML(ctx, ref)
			return ml.Computes, err
		}
		return computeRefs(ctx, a.az, ref)
	})
	return clone(a, v), err
}

// clusterIDs are Resource Graph's AKS cluster IDs of every visible
// subscription (MLSearcher): what a facts read looks an attach target up
// in, without the cluster lists (and the VM sizes they give cores with).
func (a cachedAzure) clusterIDs(ctx context.Context, ref rules.WorkspaceRef) ([]string, error) {
	v, err := cacheGet(ctx, a.c, kindClusterIDs, "", func(ctx context.Context) ([]string, error) {
		ml, err := a.searchML(ctx, ref)
		return ml.Clusters, err
	})
	return clone(a, v), err
}

// allHits are Resource Graph's AKS and Kubernetes computes of every
// workspace, any location (MLSearcher), kept like SearchComputes' answer.
func (a cachedAzure) allHits(ctx context.Context, ref rules.WorkspaceRef) ([]rules.ComputeHit, error) {
	v, err := cacheGet(ctx, a.c, kindGraphAll, "", func(ctx context.Context) ([]rules.ComputeHit, error) {
		ml, err := a.searchML(ctx, ref)
		return ml.Hits, err
	})
	return clone(a, v), err
}

// freshComputeRefs reads the computes from Azure, bypassing the cache, and
// keeps the answer for later readers.
func (a cachedAzure) freshComputeRefs(ctx context.Context, ref rules.WorkspaceRef) ([]rules.Compute, error) {
	v, err := computeRefs(ctx, a.az, ref)
	if err == nil {
		a.c.put(kindComputes, string(kindComputes)+"|"+lower(ref.ID()), v)
	}
	return clone(a, v), err
}

// SearchComputes is Resource Graph's answer, kept like the other lists:
// Resource Graph itself lags Azure by seconds, so a write reads it from
// here too.
func (a cachedAzure) SearchComputes(ctx context.Context, location, clusterID string) ([]rules.ComputeHit, error) {
	v, err := cacheGet(ctx, a.c, kindGraph, lower(location, clusterID), func(ctx context.Context) ([]rules.ComputeHit, error) {
		return a.az.SearchComputes(ctx, location, clusterID)
	})
	return clone(a, v), err
}

// SubnetPrefixes are a subnet's address prefixes (V2); a write reads them
// from Azure again (fresh).
func (a cachedAzure) SubnetPrefixes(ctx context.Context, fresh bool, sub, rg, vnet, subnet string) ([]string, error) {
	key := lower(sub, rg, vnet, subnet)
	read := func(ctx context.Context) ([]string, error) { return a.az.SubnetPrefixes(ctx, sub, rg, vnet, subnet) }
	if fresh {
		v, err := read(ctx)
		if err == nil {
			a.c.put(kindSubnet, string(kindSubnet)+"|"+key, v)
		}
		return slices.Clone(v), err
	}
	v, err := cacheGet(ctx, a.c, kindSubnet, key, read)
	return clone(a, v), err
}

// Extensions are a cluster's extensions (X10); a write reads them from
// Azure again (fresh), since the extension step depends on them.
func (a cachedAzure) Extensions(ctx context.Context, fresh bool, cluster rules.ClusterRef) ([]rules.Extension, error) {
	key := lower(cluster.ID())
	read := func(ctx context.Context) ([]rules.Extension, error) { return a.az.Extensions(ctx, cluster) }
	if fresh {
		v, err := read(ctx)
		if err == nil {
			a.c.put(kindExtensions, string(kindExtensions)+"|"+key, v)
		}
		return slices.Clone(v), err
	}
	v, err := cacheGet(ctx, a.c, kindExtensions, key, read)
	return clone(a, v), err
}

// ExtensionRegions are the regions where cluster extensions are offered,
// when the adapter can list them (ExtensionRegionReader); ok is false when
// it cannot.
func (a cachedAzure) ExtensionRegions(ctx context.Context, sub string) (regions []string, ok bool, err error) {
	r, ok := a.az.(ExtensionRegionReader)
	if !ok {
		return nil, false, nil
	}
	v, err := cacheGet(ctx, a.c, kindExtRegions, lower(sub), func(ctx context.Context) ([]string, error) {
		return r.ExtensionRegions(ctx, sub)
	})
	return slices.Clone(v), true, err
}

func (a cachedAzure) Locations(ctx context.Context, sub string) ([]rules.Location, error) {
	v, err := cacheGet(ctx, a.c, kindLocations, lower(sub), func(ctx context.Context) ([]rules.Location, error) {
		return a.az.Locations(ctx, sub)
	})
	return clone(a, v), err
}

func (a cachedAzure) VMSizes(ctx context.Context, sub, loc string) ([]rules.VMSize, error) {
	v, err := cacheGet(ctx, a.c, kindVMSizes, lower(sub, loc), func(ctx context.Context) ([]rules.VMSize, error) {
		return a.az.VMSizes(ctx, sub, loc)
	})
	if v == nil {
		return nil, err // nil means "not known" to the rules; keep it
	}
	return clone(a, v), err
}

// Quotas reads the vCPU quotas of a location through the cache; fresh reads
// Azure again (a write) and keeps the answer for later readers.
func (a cachedAzure) Quotas(ctx context.Context, sub, loc string, fresh bool) ([]rules.Quota, error) {
	if fresh {
		q, err := a.az.Quotas(ctx, sub, loc)
		if err == nil {
			a.c.put(kindQuotas, string(kindQuotas)+"|"+lower(sub, loc), q)
		}
		return slices.Clone(q), err
	}
	v, err := cacheGet(ctx, a.c, kindQuotas, lower(sub, loc), func(ctx context.Context) ([]rules.Quota, error) {
		return a.az.Quotas(ctx, sub, loc)
	})
	return clone(a, v), err
}

// KubernetesVersions are a location's versions, from the one entry of the
// location that factsVersions keeps (with Azure's refusal of it), so that a
// create's and an attach's facts of one region ask Azure once.
func (a cachedAzure) KubernetesVersions(ctx context.Context, sub, loc string) ([]rules.KubernetesVersion, error) {
	return a.factsVersions(ctx, sub, loc)
}

// versionsAnswer is a location's versions, or Azure's refusal of the
// location (an unknown region), which is kept like an answer.
type versionsAnswer struct {
	versions []rules.KubernetesVersion
	refused  error
}

// factsVersions is KubernetesVersions for the facts of a create: Azure's
// refusal of the location is kept for the versions' time to live too, so
// asking again about a region Azure has no versions for costs nothing.
func (a cachedAzure) factsVersions(ctx context.Context, sub, loc string) ([]rules.KubernetesVersion, error) {
	v, err := cacheGet(ctx, a.c, kindVersions, lower("refusals", sub, loc), func(ctx context.Context) (versionsAnswer, error) {
		vs, err := a.az.KubernetesVersions(ctx, sub, loc)
		if err != nil && refusedLocation(err) {
			return versionsAnswer{refused: err}, nil
		}
		return versionsAnswer{versions: vs}, err
	})
	if err != nil {
		return nil, err
	}
	if v.refused != nil {
		return nil, v.refused
	}
	return clone(a, v.versions), nil
}

type amlRanges struct {
	ranges []string
	paired string
}

func (a cachedAzure) AMLRanges(ctx context.Context, sub, loc string) ([]string, string, error) {
	v, err := cacheGet(ctx, a.c, kindAMLRanges, lower(sub, loc), func(ctx context.Context) (amlRanges, error) {
		r, p, err := a.az.AMLRanges(ctx, sub, loc)
		return amlRanges{r, p}, err
	})
	return slices.Clone(v.ranges), v.paired, err
}

func (a cachedAzure) Clusters(ctx context.Context, sub string) ([]rules.Cluster, error) {
	v, err := cacheGet(ctx, a.c, kindClusters, lower(sub), func(ctx context.Context) ([]rules.Cluster, error) {
		return a.az.Clusters(ctx, sub)
	})
	return clone(a, v), err
}

func (a cachedAzure) Cluster(ctx context.Context, id string) (rules.Cluster, error) {
	return cacheGet(ctx, a.c, kindCluster, lower(id), func(ctx context.Context) (rules.Cluster, error) {
		return a.az.Cluster(ctx, id)
	})
}

// freshCluster reads a cluster from Azure, bypassing the cache, and keeps
// the answer for later readers.
func (a cachedAzure) freshCluster(ctx context.Context, id string) (rules.Cluster, error) {
	cl, err := a.az.Cluster(ctx, id)
	if err == nil {
		a.c.put(kindCluster, string(kindCluster)+"|"+lower(id), cl)
	}
	return cl, err
}

// changed forgets what a write on a compute of ref (and its cluster, when
// known) may have changed, so the next reader asks Azure.
func (a cachedAzure) changed(ref rules.WorkspaceRef, clusterID string) {
	a.c.mu.Lock()
	a.c.written[lower(ref.ID())] = a.c.now()
	if clusterID != "" {
		a.c.written[lower(clusterID)] = a.c.now()
	}
	a.c.mu.Unlock()
	a.c.forget(kindComputes, lower(ref.ID()))
	a.c.forget(kindClusters, lower(ref.Subscription))
	a.c.forget(kindClusterIDs, "")
	if clusterID != "" {
		a.c.forget(kindCluster, lower(clusterID))
		a.c.forget(kindExtensions, lower(clusterID))
		if sub := clusterSubscription(clusterID); sub != "" {
			a.c.forget(kindClusters, lower(sub))
		}
	}
}

// clusterSubscription is the subscription segment of a resource ID.
func clusterSubscription(id string) string {
	parts := strings.Split(id, "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "subscriptions") {
			return parts[i+1]
		}
	}
	return ""
}

// MLSearcher is implemented by an Azure adapter that can read, with one
// Azure Resource Graph query, the workspaces, one workspace's computes and
// the AKS and Kubernetes computes of every workspace (proxy/azure does):
// a cold facts read then asks for them once, not in three lists. What a
// write depends on is still read from Azure ML itself.
type MLSearcher interface {
	SearchML(ctx context.Context, ws rules.WorkspaceRef) (rules.MLResources, error)
}

// ComputeLister is implemented by an Azure adapter that can list a
// workspace's computes in one ARM request, without reading each compute's
// cluster (proxy/azure does). The facts need only names, types and cluster
// IDs; without it the proxy falls back to Azure.Computes.
type ComputeLister interface {
	ComputeRefs(ctx context.Context, ref rules.WorkspaceRef) ([]rules.Compute, error)
}

func computeRefs(ctx context.Context, az Azure, ref rules.WorkspaceRef) ([]rules.Compute, error) {
	if l, ok := az.(ComputeLister); ok {
		return l.ComputeRefs(ctx, ref)
	}
	return az.Computes(ctx, ref)
}

// CacheStats are the facts cache's lookups so far.
type CacheStats struct {
	Hits, Misses int64
}

// CacheStats returns how many lookups the facts cache answered and how many
// went to Azure.
func (s *Server) CacheStats() CacheStats {
	return CacheStats{Hits: s.facts.c.hits.Load(), Misses: s.facts.c.misses.Load()}
}
