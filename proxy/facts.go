package proxy

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/amlaks/amlaks/rules"
)

// gatherFacts fetches, from Azure itself, every fact the rules need for req.
// The proxy never trusts facts sent by the browser. Facts come from the facts
// cache (factscache.go) and the independent reads run in parallel.
func (s *Server) gatherFacts(ctx context.Context, req rules.Request) (rules.Facts, error) {
	return s.collectFacts(ctx, req, false)
}

// freshFacts is gatherFacts for a write: what the write depends on, the
// workspace's computes (N5, O4) and the attach target (T4, T5, A1–A3), is
// read from Azure again, never taken from the cache.
func (s *Server) freshFacts(ctx context.Context, req rules.Request) (rules.Facts, error) {
	return s.collectFacts(ctx, req, true)
}

func (s *Server) collectFacts(ctx context.Context, req rules.Request, fresh bool) (rules.Facts, error) {
	facts := rules.Facts{Policy: s.cfg.Policy, Now: s.cfg.now()}
	ref := req.Workspace
	if len(rules.CheckWorkspace(ref)) > 0 || !s.allowedScope(ref) {
		// The rules report it on the field (a bad shape, or G1: a workspace
		// the policy does not allow); nothing of it is read from Azure.
		return facts, nil
	}
	az := s.facts
	ws, err := s.visibleWorkspace(ctx, ref)
	if err != nil {
		var e *rules.Error
		if errors.As(err, &e) && e.Code == rules.ErrNotFound {
			return facts, &rules.Error{Code: rules.ErrNotFound, Field: rules.FieldWorkspace,
				Message: "The workspace " + ref.Name + " was not found in resource group " + ref.ResourceGroup + "."}
		}
		return facts, err
	}
	facts.WorkspaceLocation = ws.Location
	norm := req.Normalized(ws.Location)

	// Each read has its own slot; the first error in this order is returned,
	// so the answer does not depend on which read finished first.
	var errs [5]error
	var g errgroup.Group
	g.Go(func() error {
		if fresh {
			facts.Computes, errs[0] = az.freshComputeRefs(ctx, ref)
		} else {
			facts.Computes, errs[0] = az.ComputeRefs(ctx, ref)
		}
		return nil
	})
	g.Go(func() error {
		facts.RegionNames, errs[1] = s.regionNames(ctx, ws)
		return nil
	})
	switch req.Mode {
	case rules.ModeCreate:
		if !strings.EqualFold(norm.Location, ws.Location) && !s.offeredLocation(ctx, ref.Subscription, norm.Location) {
			// Not a region of the subscription: the rules say so (W2, no
			// VM sizes) and Azure is not asked about it.
			facts.VMSizes = []rules.VMSize{}
			break
		}
		g.Go(func() error {
			facts.VMSizes, errs[2] = az.VMSizes(ctx, ref.Subscription, norm.Location)
			return nil
		})
		g.Go(func() error {
			var err error
			if facts.Versions, err = az.factsVersions(ctx, ref.Subscription, norm.Location); err != nil && !refusedLocation(err) {
				errs[3] = err
			}
			return nil
		})
		g.Go(func() error {
			facts.Quotas = s.quotas(ctx, ref.Subscription, norm.Location, fresh)
			return nil
		})
	case rules.ModeAttach:
		g.Go(func() error {
			facts.Versions, errs[2] = az.KubernetesVersions(ctx, ref.Subscription, ws.Location)
			return nil
		})
		g.Go(func() error {
			facts.AMLRanges, facts.PairedRegion, errs[3] = az.AMLRanges(ctx, ref.Subscription, ws.Location)
			return nil
		})
		if id, ok := req.TargetID(); ok && len(rules.CheckClusterScope(s.cfg.Policy, id, rules.FieldTargetID)) == 0 {
			// A target the policy does not allow (G1) is not read.
			g.Go(func() error {
				if !fresh {
					switch s.listedCluster(ctx, id) {
					case clusterUnlisted:
						facts.ClusterMissing = true
						return nil
					case clusterUnknown:
						return nil // not known until the write reads it
					}
				}
				errs[4] = s.clusterFacts(ctx, &facts, ref, ws, id, fresh)
				return nil
			})
		}
	}
	_ = g.Wait()
	for _, err := range errs {
		if err != nil {
			return facts, err
		}
	}
	if req.Kind == rules.KindKubernetes {
		if err := s.kubernetesFacts(ctx, &facts); err != nil {
			return facts, err
		}
		if r, ok := s.azure.(ExtensionRegionReader); ok && req.Mode == rules.ModeCreate {
			regions, err := r.ExtensionRegions(ctx, ref.Subscription)
			switch {
			case err == nil && len(regions) > 0:
				facts.ExtensionRegions = regions
			case err == nil:
				// An empty list says nothing about the region: not known.
			default:
				// Not known: X10's region check is skipped, and the
				// extension step would fail in Azure with Azure's words.
				s.cfg.logger().Warn("regions of cluster extensions not read", "subscription", ref.Subscription, "err", err)
			}
		}
	}
	return facts, nil
}

// What varies in a request (workspace, subscription, location, target) must
// not make a cheap read (facts, validate) cost Azure a call per variation:
// each is first looked up in a cached list (the visible workspaces, the
// subscription's regions, its clusters), and only what is there is read.

// visibleWorkspace finds ref among the workspaces the identity can see (a
// cached list) and reads it: a workspace, resource group or subscription
// that is not there is not found without asking Azure.
func (s *Server) visibleWorkspace(ctx context.Context, ref rules.WorkspaceRef) (rules.Workspace, error) {
	all, err := s.facts.Workspaces(ctx)
	if err != nil {
		return rules.Workspace{}, err
	}
	for _, ws := range all {
		if strings.EqualFold(ws.Subscription, ref.Subscription) && strings.EqualFold(ws.ResourceGroup, ref.ResourceGroup) && strings.EqualFold(ws.Name, ref.Name) {
			return s.facts.Workspace(ctx, ref)
		}
	}
	return rules.Workspace{}, rules.Errorf(rules.ErrNotFound, "", "not listed")
}

// offeredLocation reports whether loc is one of the subscription's regions
// (a cached list, which the page's location picker reads too). When the list
// cannot be read, Azure is asked as before.
func (s *Server) offeredLocation(ctx context.Context, sub, loc string) bool {
	locs, err := s.facts.Locations(ctx, sub)
	if err != nil || len(locs) == 0 {
		return true
	}
	for _, l := range locs {
		if strings.EqualFold(l.Name, loc) {
			return true
		}
	}
	return false
}

// What the cluster list of a target's subscription says of it.
const (
	clusterListed   = iota // in the list: read it
	clusterUnlisted        // the subscription's list does not have it: missing
	clusterUnknown         // a subscription of no visible workspace: not asked
)

// listedCluster looks an attach target up in its subscription's cluster
// list (cached). A subscription that holds no visible workspace is not asked
// at all; a facts read leaves the target unknown, and the write reads it.
func (s *Server) listedCluster(ctx context.Context, id string) int {
	sub := clusterSubscription(id)
	all, err := s.facts.Workspaces(ctx)
	if err != nil || !slices.ContainsFunc(all, func(ws rules.Workspace) bool { return strings.EqualFold(ws.Subscription, sub) }) {
		return clusterUnknown
	}
	cs, err := s.facts.Clusters(ctx, sub)
	if err != nil {
		return clusterListed // read it, and report what Azure says
	}
	if slices.ContainsFunc(cs, func(c rules.Cluster) bool { return strings.EqualFold(c.ID, id) }) {
		return clusterListed
	}
	return clusterUnlisted
}

// quotas reads the vCPU quotas of a location (Q1). A quota Azure does not
// tell (no permission to read usages, an unknown region) is "not known": the
// rule is skipped and Azure's own check still holds at the write.
func (s *Server) quotas(ctx context.Context, sub, loc string, fresh bool) []rules.Quota {
	if loc == "" || !rules.ValidLocation(loc) {
		return nil
	}
	q, err := s.facts.Quotas(ctx, sub, loc, fresh)
	if err != nil {
		s.cfg.logger().Debug("quotas not known", "location", loc, "err", err)
		return nil
	}
	return q
}

// ExtensionRegionReader is implemented by an Azure adapter that can list
// the regions where cluster extensions (and so the Azure ML extension) are
// offered (proxy/azure does): a Kubernetes create in another region is
// refused (X10) before the cluster is made.
type ExtensionRegionReader interface {
	ExtensionRegions(ctx context.Context, subscription string) ([]string, error)
}

// kubernetesFacts adds the v2 facts of a Kubernetes request's cluster: its
// extensions (X10), and whether a v1 AKS compute of the workspace still uses
// it, with its azureml-fe (X14). Extensions are read from Azure each time.
func (s *Server) kubernetesFacts(ctx context.Context, facts *rules.Facts) error {
	if facts.Cluster == nil {
		return nil
	}
	ref, err := rules.ParseClusterID(facts.Cluster.ID)
	if err != nil {
		return nil
	}
	exts, err := s.azure.Extensions(ctx, ref)
	if err != nil {
		return err
	}
	facts.Cluster.Extensions = exts
	for _, c := range facts.Computes {
		if strings.EqualFold(c.Type, "AKS") && strings.EqualFold(c.ClusterID, facts.Cluster.ID) {
			facts.Cluster.LegacyFrontend = true
		}
	}
	return nil
}

// clusterFacts reads the attach target and, when it is in another region
// than the workspace, that region's versions.
func (s *Server) clusterFacts(ctx context.Context, facts *rules.Facts, ref rules.WorkspaceRef, ws rules.Workspace, id string, fresh bool) error {
	var cl rules.Cluster
	var err error
	if fresh {
		cl, err = s.facts.freshCluster(ctx, id)
	} else {
		cl, err = s.facts.Cluster(ctx, id)
	}
	var e *rules.Error
	switch {
	case errors.As(err, &e) && e.Code == rules.ErrNotFound:
		facts.ClusterMissing = true
		return nil
	case err != nil:
		return err
	}
	facts.Cluster = &cl
	if !strings.EqualFold(cl.Location, ws.Location) {
		// A region whose versions Azure does not list leaves them unknown
		// (K2 is skipped): the cluster's other facts still count.
		if facts.ClusterVersions, err = s.facts.KubernetesVersions(ctx, ref.Subscription, cl.Location); err != nil && !refusedLocation(err) {
			return err
		}
	}
	return nil
}

// regionNames lists the compute names of the other visible workspaces in the
// workspace's region (N6), reading their computes in parallel. Workspaces the
// policy does not allow (G1) are not read: their compute names never reach
// the page.
func (s *Server) regionNames(ctx context.Context, ws rules.Workspace) ([]string, error) {
	all, err := s.facts.Workspaces(ctx)
	if err != nil {
		return nil, err
	}
	var others []rules.WorkspaceRef
	for _, other := range all {
		if other.WorkspaceRef != ws.WorkspaceRef && strings.EqualFold(other.Location, ws.Location) && s.allowedScope(other.WorkspaceRef) {
			others = append(others, other.WorkspaceRef)
		}
	}
	lists := make([][]rules.Compute, len(others))
	var g errgroup.Group
	for i, other := range others {
		g.Go(func() error {
			lists[i], _ = s.facts.ComputeRefs(ctx, other) // a workspace we cannot read does not block anyone
			return nil
		})
	}
	_ = g.Wait()
	var names []string
	for _, cs := range lists {
		for _, c := range cs {
			names = append(names, c.Name)
		}
	}
	return names, nil
}

// postFacts serves POST /api/facts: the facts from Azure that the browser's
// copy of the rules needs for this request.
func (s *Server) postFacts(w http.ResponseWriter, r *http.Request) error {
	var req rules.Request
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	facts, err := s.gatherFacts(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, facts)
	return nil
}

// postValidate serves POST /api/validate: the findings of a request, with the
// facts the proxy fetched itself.
func (s *Server) postValidate(w http.ResponseWriter, r *http.Request) error {
	var req rules.Request
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	facts, err := s.gatherFacts(r.Context(), req)
	if err != nil {
		return err
	}
	fs := rules.Validate(req, facts)
	if fs == nil {
		fs = rules.Findings{}
	}
	writeJSON(w, http.StatusOK, rules.FindingsBody{Findings: fs})
	return nil
}

// refusedLocation reports whether Azure refused a location itself (an unknown
// region): the rules then say so on the field (W2) rather than failing.
func refusedLocation(err error) bool {
	var e *rules.Error
	return errors.As(err, &e) && (e.Code == rules.ErrInvalid || e.Code == rules.ErrUnsupported || e.Code == rules.ErrNotFound)
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
