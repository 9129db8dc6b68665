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
	if !fresh {
		// The facts of a read are encoded or given to the rules, which
		// never modify them: the kept lists are not copied for each read.
		az = az.shared()
	}
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
	var errs [6]error
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
		targetID, _ := req.TargetID()
		if req.Mode != rules.ModeAttach {
			targetID = ""
		}
		// A target its subscription's cluster list does not have (or of a
		// subscription no visible workspace is in) is not searched for on a
		// cheap read: varying it costs Azure nothing. A write searches.
		if targetID != "" && !fresh && s.listedCluster(ctx, ref, targetID) != clusterListed {
			targetID = ""
		}
		facts.RegionNames, facts.Attachments, errs[1] = s.otherComputes(ctx, ws, targetID)
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
		if n := norm.Network; !n.IsZero() && n.VnetResourceGroup != "" && n.VnetName != "" && n.SubnetName != "" {
			g.Go(func() error {
				// V2 checks the service CIDR against the subnet's range; a
				// subnet of several prefixes is checked against the first.
				prefixes, err := s.facts.SubnetPrefixes(ctx, fresh, ref.Subscription, n.VnetResourceGroup, n.VnetName, n.SubnetName)
				if len(prefixes) > 0 {
					facts.SubnetPrefix = prefixes[0]
				}
				if isNotFound(err) {
					// A subnet that is not there is the person's to fix (V6), on its field.
					facts.SubnetMissing, err = true, nil
				}
				errs[5] = err
				return nil
			})
		}
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
					switch s.listedCluster(ctx, ref, id) {
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
		if err := s.kubernetesFacts(ctx, &facts, fresh); err != nil {
			return facts, err
		}
		if req.Mode == rules.ModeCreate {
			regions, ok, err := s.facts.ExtensionRegions(ctx, ref.Subscription)
			switch {
			case !ok:
				// The adapter cannot list them: X10's region check is skipped.
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
// cached list, which the page reads too): a workspace, resource group or
// subscription that is not there is not found without asking Azure, and one
// that is there is answered from the list, which holds all the facts need of
// it (its location), so the workspace itself is not read again.
func (s *Server) visibleWorkspace(ctx context.Context, ref rules.WorkspaceRef) (rules.Workspace, error) {
	all, err := s.facts.shared().workspacesFor(ctx, ref) // only looked in
	if err != nil {
		return rules.Workspace{}, err
	}
	for _, ws := range all {
		if strings.EqualFold(ws.Subscription, ref.Subscription) && strings.EqualFold(ws.ResourceGroup, ref.ResourceGroup) && strings.EqualFold(ws.Name, ref.Name) {
			if ws.Location != "" {
				return ws, nil
			}
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
// list (cached), or, with an MLSearcher, in the cluster IDs of the Resource
// Graph query that brings ref's workspace and computes. A subscription that
// holds no visible workspace is not asked at all; a facts read leaves the
// target unknown, and the write reads it.
func (s *Server) listedCluster(ctx context.Context, ref rules.WorkspaceRef, id string) int {
	sub := clusterSubscription(id)
	all, err := s.facts.shared().Workspaces(ctx) // only looked in
	if err != nil || !slices.ContainsFunc(all, func(ws rules.Workspace) bool { return strings.EqualFold(ws.Subscription, sub) }) {
		return clusterUnknown
	}
	var listed bool
	if _, ok := s.facts.az.(MLSearcher); ok {
		ids, err := s.facts.shared().clusterIDs(ctx, ref)
		if err != nil {
			return clusterListed // read it, and report what Azure says
		}
		// A cluster this proxy has just written on may not be in
		// Resource Graph's answer yet: it is read.
		listed = s.facts.c.wroteLately(id) || slices.ContainsFunc(ids, func(c string) bool { return strings.EqualFold(c, id) })
	} else {
		cs, err := s.facts.shared().Clusters(ctx, sub)
		if err != nil {
			return clusterListed
		}
		listed = slices.ContainsFunc(cs, func(c rules.Cluster) bool { return strings.EqualFold(c.ID, id) })
	}
	if listed {
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
	az := s.facts
	if !fresh {
		az = az.shared() // the facts of a read are never modified
	}
	q, err := az.Quotas(ctx, sub, loc, fresh)
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
// it, with its azureml-fe (X14). Extensions come from the facts cache for a
// read and from Azure for a write (fresh).
func (s *Server) kubernetesFacts(ctx context.Context, facts *rules.Facts, fresh bool) error {
	if facts.Cluster == nil {
		return nil
	}
	ref, err := rules.ParseClusterID(facts.Cluster.ID)
	if err != nil {
		return nil
	}
	exts, err := s.facts.Extensions(ctx, fresh, ref)
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

// otherComputes asks Azure Resource Graph once for the computes of every
// other workspace the proxy can see, in any subscription: the names used in
// the workspace's region (N6) and the computes that use the attach target
// (T4). One query replaces a list of workspaces and one compute list per
// workspace. With an MLSearcher it is the query that brought the workspaces
// and the workspace's own computes, of every location and cluster; Resource
// Graph may lag Azure by seconds, so a write reads the workspace's own
// computes (N5, O4) from Azure ML itself, and so does a read for a minute
// after this proxy wrote one (graphLag).
func (s *Server) otherComputes(ctx context.Context, ws rules.Workspace, targetID string) ([]string, []rules.Attachment, error) {
	var hits []rules.ComputeHit
	var err error
	if _, ok := s.facts.az.(MLSearcher); ok {
		// Every location's and cluster's, from the query that brought the
		// workspaces: filtered here.
		hits, err = s.facts.shared().allHits(ctx, ws.WorkspaceRef)
	} else {
		hits, err = s.facts.shared().SearchComputes(ctx, ws.Location, targetID)
	}
	if err != nil {
		return nil, nil, err
	}
	self := ws.ID()
	var names []string
	var attached []rules.Attachment
	for _, h := range hits {
		if strings.EqualFold(h.Workspace, self) {
			continue
		}
		// N6 names only from workspaces the policy allows (G1): a forbidden
		// workspace's compute names never reach the page. T4 keeps every
		// attachment, since attaching twice breaks the other one wherever it is.
		if strings.EqualFold(h.Location, ws.Location) && !slices.Contains(names, h.Name) && s.allowedWorkspaceID(h.Workspace) {
			names = append(names, h.Name)
		}
		if targetID != "" && strings.EqualFold(h.ClusterID, targetID) {
			attached = append(attached, rules.Attachment{Workspace: h.Workspace, Name: h.Name, Type: h.Type})
		}
	}
	return names, attached, nil
}

// allowedWorkspaceID reports whether the policy allows the workspace of a
// resource ID (/subscriptions/{s}/resourceGroups/{rg}/providers/
// Microsoft.MachineLearningServices/workspaces/{name}); an ID that does not
// parse is allowed only when the policy limits nothing.
func (s *Server) allowedWorkspaceID(id string) bool {
	p := s.cfg.Policy
	if p == nil || (len(p.Subscriptions) == 0 && len(p.ResourceGroups) == 0 && len(p.Workspaces) == 0) {
		return true
	}
	parts := strings.Split(strings.Trim(id, "/"), "/")
	if len(parts) != 8 || !strings.EqualFold(parts[0], "subscriptions") || !strings.EqualFold(parts[2], "resourceGroups") || !strings.EqualFold(parts[6], "workspaces") {
		return false
	}
	return s.allowedScope(rules.WorkspaceRef{Subscription: parts[1], ResourceGroup: parts[3], Name: parts[7]})
}

// requestAndFacts decodes a request body and gathers the facts the proxy
// fetches itself for it: the start of every read that judges a request
// (facts, validate, exports).
func (s *Server) requestAndFacts(w http.ResponseWriter, r *http.Request) (rules.Request, rules.Facts, error) {
	var req rules.Request
	if err := s.decode(w, r, &req); err != nil {
		return req, rules.Facts{}, err
	}
	facts, err := s.gatherFacts(r.Context(), req)
	return req, facts, err
}

// postFacts serves POST /api/facts: the facts from Azure that the browser's
// copy of the rules needs for this request.
func (s *Server) postFacts(w http.ResponseWriter, r *http.Request) error {
	_, facts, err := s.requestAndFacts(w, r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, factsBody{Facts: facts, VMSizes: s.facts.c.sizes.encode(facts.VMSizes)})
	return nil
}

// postValidate serves POST /api/validate: the findings of a request, with the
// facts the proxy fetched itself.
func (s *Server) postValidate(w http.ResponseWriter, r *http.Request) error {
	req, facts, err := s.requestAndFacts(w, r)
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
