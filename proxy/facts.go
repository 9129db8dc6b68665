package proxy

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/amlaks/amlaks/rules"
)

// gatherFacts fetches, from Azure itself, every fact the rules need for req.
// The proxy never trusts facts sent by the browser.
func (s *Server) gatherFacts(ctx context.Context, req rules.Request) (rules.Facts, error) {
	facts := rules.Facts{Policy: s.cfg.Policy, Now: s.cfg.now()}
	ref := req.Workspace
	if len(rules.CheckWorkspace(ref)) > 0 {
		return facts, nil // the rules report it on the field; Azure is not asked
	}
	ws, err := s.azure.Workspace(ctx, ref)
	if err != nil {
		var e *rules.Error
		if errors.As(err, &e) && e.Code == rules.ErrNotFound {
			return facts, &rules.Error{Code: rules.ErrNotFound, Field: rules.FieldWorkspace,
				Message: "The workspace " + ref.Name + " was not found in resource group " + ref.ResourceGroup + "."}
		}
		return facts, err
	}
	facts.WorkspaceLocation = ws.Location
	if facts.Computes, err = s.azure.Computes(ctx, ref); err != nil {
		return facts, err
	}
	if facts.RegionNames, err = s.regionNames(ctx, ws); err != nil {
		return facts, err
	}
	norm := req.Normalized(ws.Location)
	switch req.Mode {
	case rules.ModeCreate:
		if facts.VMSizes, err = s.azure.VMSizes(ctx, ref.Subscription, norm.Location); err != nil {
			return facts, err
		}
		if facts.Versions, err = s.azure.KubernetesVersions(ctx, ref.Subscription, norm.Location); err != nil && !refusedLocation(err) {
			return facts, err
		}
	case rules.ModeAttach:
		if facts.Versions, err = s.azure.KubernetesVersions(ctx, ref.Subscription, ws.Location); err != nil {
			return facts, err
		}
		if facts.AMLRanges, facts.PairedRegion, err = s.azure.AMLRanges(ctx, ref.Subscription, ws.Location); err != nil {
			return facts, err
		}
		id, ok := req.TargetID()
		if !ok {
			break
		}
		cl, err := s.azure.Cluster(ctx, id)
		var e *rules.Error
		switch {
		case errors.As(err, &e) && e.Code == rules.ErrNotFound:
			facts.ClusterMissing = true
		case err != nil:
			return facts, err
		default:
			facts.Cluster = &cl
			if !strings.EqualFold(cl.Location, ws.Location) {
				if facts.ClusterVersions, err = s.azure.KubernetesVersions(ctx, ref.Subscription, cl.Location); err != nil {
					return facts, err
				}
			}
		}
	}
	return facts, nil
}

// regionNames lists the compute names of the other visible workspaces in the
// workspace's region (N6).
func (s *Server) regionNames(ctx context.Context, ws rules.Workspace) ([]string, error) {
	all, err := s.azure.Workspaces(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, other := range all {
		if other.WorkspaceRef == ws.WorkspaceRef || !strings.EqualFold(other.Location, ws.Location) {
			continue
		}
		cs, err := s.azure.Computes(ctx, other.WorkspaceRef)
		if err != nil {
			continue // a workspace we cannot read does not block anyone
		}
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
