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
	all, err := s.facts.Workspaces(r.Context())
	if err != nil {
		return err
	}
	out := []rules.Workspace{}
	for _, ws := range all {
		if s.allowedScope(ws.WorkspaceRef) {
			out = append(out, ws)
		}
	}
	writeJSON(w, http.StatusOK, rules.WorkspaceList{Workspaces: out})
	return nil
}

// allowedScope reports whether the policy allows the workspace.
func (s *Server) allowedScope(ref rules.WorkspaceRef) bool {
	return len(rules.CheckScope(s.cfg.Policy, ref)) == 0
}

// workspaceRef reads {sub}/{rg}/{ws} from the path and checks their shape.
func workspaceRef(r *http.Request) (rules.WorkspaceRef, error) {
	ref := rules.WorkspaceRef{Subscription: r.PathValue("sub"), ResourceGroup: r.PathValue("rg"), Name: r.PathValue("ws")}
	if fs := rules.CheckWorkspace(ref); len(fs) > 0 {
		return ref, &rules.Error{Code: rules.ErrInvalid, Field: fs[0].Field, Message: fs[0].Message}
	}
	return ref, nil
}

// listComputes serves GET /api/workspaces/{sub}/{rg}/{ws}/computes: the
// workspace's AKS computes with state, purpose, size, version and vCPUs (O2).
// A workspace the policy does not allow (G1) is refused before Azure is asked.
func (s *Server) listComputes(w http.ResponseWriter, r *http.Request) error {
	ref, err := workspaceRef(r)
	if err != nil {
		return err
	}
	if err := s.policyScope(ref); err != nil {
		return err
	}
	all, err := s.azure.Computes(r.Context(), ref)
	if err != nil {
		return err
	}
	out := []rules.Compute{}
	for _, c := range all {
		if equalFold(c.Type, "AKS") || equalFold(c.Type, string(rules.KindKubernetes)) {
			out = append(out, c)
		}
	}
	writeJSON(w, http.StatusOK, rules.ComputeList{Computes: out})
	return nil
}
