package proxy

import (
	"net/http"

	"github.com/amlaks/amlaks/rules"
)

// getConfig serves GET /api/config: the backend (azure or emulator), the
// policy and the portal origins allowed to embed the page.
func (s *Server) getConfig(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, rules.ServerInfo{
		Backend:             s.cfg.Backend,
		DefaultSubscription: s.cfg.DefaultSubscription,
		Policy:              s.cfg.Policy,
		FrameAncestors:      s.cfg.FrameAncestors,
	})
	return nil
}

// listWorkspaces serves GET /api/workspaces: the workspaces the identity can
// see, less those the policy does not allow.
func (s *Server) listWorkspaces(w http.ResponseWriter, r *http.Request) error {
	all, err := s.azure.Workspaces(r.Context())
	if err != nil {
		return err
	}
	out := []rules.Workspace{}
	for _, ws := range all {
		if s.allowedScope(ws.WorkspaceRef) {
			out = append(out, ws)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"workspaces": out})
	return nil
}

// allowedScope reports whether the policy allows the workspace.
func (s *Server) allowedScope(ref rules.WorkspaceRef) bool {
	p := s.cfg.Policy
	if p == nil {
		return true
	}
	in := func(list []string, v string) bool {
		if len(list) == 0 {
			return true
		}
		for _, x := range list {
			if equalFold(x, v) {
				return true
			}
		}
		return false
	}
	return in(p.Subscriptions, ref.Subscription) && in(p.ResourceGroups, ref.ResourceGroup) && in(p.Workspaces, ref.Name)
}

// workspaceRef reads {sub}/{rg}/{ws} from the path and checks their shape.
func workspaceRef(r *http.Request) (rules.WorkspaceRef, error) {
	ref := rules.WorkspaceRef{Subscription: r.PathValue("sub"), ResourceGroup: r.PathValue("rg"), Name: r.PathValue("ws")}
	probe := rules.Request{Mode: rules.ModeCreate, Workspace: ref}
	for _, f := range rules.Validate(probe, rules.Facts{}) {
		if f.Code == "W1" {
			return ref, &rules.Error{Code: rules.ErrInvalid, Field: f.Field, Message: f.Message}
		}
	}
	return ref, nil
}

// listComputes serves GET /api/workspaces/{sub}/{rg}/{ws}/computes: the
// workspace's AKS computes with state, purpose, size, version and vCPUs (O2).
func (s *Server) listComputes(w http.ResponseWriter, r *http.Request) error {
	ref, err := workspaceRef(r)
	if err != nil {
		return err
	}
	all, err := s.azure.Computes(r.Context(), ref)
	if err != nil {
		return err
	}
	out := []rules.Compute{}
	for _, c := range all {
		if equalFold(c.Type, "AKS") {
			out = append(out, c)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"computes": out})
	return nil
}
