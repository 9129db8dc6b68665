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
	if len(rules.CheckWorkspace(ref)) > 0 {
		return facts, nil // the rules report it on the field; Azure is not asked
	}
	az := s.facts
	ws, err := s.facts.Workspace(ctx, ref)
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
		facts.RegionNames, facts.Attachments, errs[1] = s.otherComputes(ctx, ws, targetID)
		return nil
	})
	switch req.Mode {
	case rules.ModeCreate:
		g.Go(func() error {
			facts.VMSizes, errs[2] = az.VMSizes(ctx, ref.Subscription, norm.Location)
			return nil
		})
		g.Go(func() error {
			var err error
			if facts.Versions, err = az.KubernetesVersions(ctx, ref.Subscription, norm.Location); err != nil && !refusedLocation(err) {
				errs[3] = err
			}
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
		if id, ok := req.TargetID(); ok {
			g.Go(func() error {
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
// workspace; Resource Graph may lag Azure by seconds, so the workspace's own
// computes (N5, O4) are still read from Azure ML itself.
func (s *Server) otherComputes(ctx context.Context, ws rules.Workspace, targetID string) ([]string, []rules.Attachment, error) {
	hits, err := s.facts.SearchComputes(ctx, ws.Location, targetID)
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
		if strings.EqualFold(h.Location, ws.Location) && !slices.Contains(names, h.Name) {
			names = append(names, h.Name)
		}
		if targetID != "" && strings.EqualFold(h.ClusterID, targetID) {
			attached = append(attached, rules.Attachment{Workspace: h.Workspace, Name: h.Name, Type: h.Type})
		}
	}
	return names, attached, nil
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

// findingsBody is the answer of a validation.
type findingsBody struct {
	Findings rules.Findings `json:"findings"`
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
	writeJSON(w, http.StatusOK, findingsBody{Findings: fs})
	return nil
}

// refusedLocation reports whether Azure refused a location itself (an unknown
// region): the rules then say so on the field (W2) rather than failing.
func refusedLocation(err error) bool {
	var e *rules.Error
	return errors.As(err, &e) && (e.Code == rules.ErrInvalid || e.Code == rules.ErrUnsupported || e.Code == rules.ErrNotFound)
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
