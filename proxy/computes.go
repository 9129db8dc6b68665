package proxy

import (
	"net/http"
	"strings"

	"github.com/amlaks/amlaks/rules"
)

// postCompute serves POST /api/computes: create or attach. The rules run
// again with facts fresh from Azure; a name that exists (O4) or a cluster
// attached already (T4) is refused before anything is sent. Writes on the same
// name or cluster are serialised, so concurrent requests cannot both pass.
func (s *Server) postCompute(w http.ResponseWriter, r *http.Request) error {
	var req rules.Request
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	auditTarget(r, string(req.Mode), req.Workspace, req.Name)
	if id, ok := req.TargetID(); ok && req.Mode == rules.ModeAttach {
		auditOf(r).Cluster = id
	}
	if err := s.precheck(req); err != nil {
		return err
	}
	if req.Kind == rules.KindKubernetes {
		return s.postKubernetes(w, r, req)
	}
	keys := []string{nameKey(req.Workspace, req.Name)}
	if id, ok := req.TargetID(); ok && req.Mode == rules.ModeAttach {
		keys = append(keys, clusterKey(id))
	}
	r, unlock, err := s.lockRequest(r, keys...)
	if err != nil {
		return err
	}
	defer unlock()

	facts, err := s.freshFacts(r.Context(), req)
	if err != nil {
		return err
	}
	fs := rules.Validate(req, facts)
	if errs := fs.Errors(); len(errs) > 0 {
		return refusal(errs)
	}
	norm := req.Normalized(facts.WorkspaceLocation).WithCanonicalTarget()
	err = s.azure.Provision(r.Context(), norm)
	s.facts.changed(norm.Workspace, norm.Target.ResourceID)
	if err != nil {
		return err
	}
	s.ops.started(norm.Workspace, norm.Name)
	s.cfg.logger().Info("provision accepted", "mode", norm.Mode, "workspace", norm.Workspace.ID(), "name", norm.Name, "requestId", requestID(r))
	a := rules.AcceptedFor(norm.Workspace, norm.Name)
	w.Header().Set("Location", a.Operation)
	writeJSON(w, http.StatusAccepted, a)
	return nil
}

// refusal is the proxy's error for error findings, as rules maps them.
func refusal(errs rules.Findings) error { return rules.Refusal(errs) }

// postScale serves POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/scale:
// change the node count of a cluster (S1: never its VM size).
func (s *Server) postScale(w http.ResponseWriter, r *http.Request) error {
	ref, name, err := computeTarget(r)
	if err != nil {
		return err
	}
	var body rules.ScaleBody
	if err := s.decode(w, r, &body); err != nil {
		return err
	}
	auditOf(r).NodeCount = body.NodeCount
	if err := s.policyScope(ref); err != nil {
		return err
	}
	if errs := policyFindings(rules.CheckScale(rules.ScaleRequest{Workspace: ref, Name: name, NodeCount: body.NodeCount}, rules.Compute{}, rules.Facts{Policy: s.cfg.Policy})); len(errs) > 0 {
		return refusal(errs)
	}
	current, unlock, r, err := s.lockedCompute(r, ref, name, "scales")
	if err != nil {
		return err
	}
	defer unlock()
	// A scale writes to the compute's AKS cluster, which may lie elsewhere
	// than the workspace (an attached cluster): the policy must allow it too.
	if g1 := rules.CheckClusterScope(s.cfg.Policy, current.ClusterID, rules.FieldName); len(g1) > 0 {
		return refusal(g1)
	}
	facts := rules.Facts{Policy: s.cfg.Policy}
	if current.Location != "" {
		if facts.VMSizes, err = s.facts.VMSizes(r.Context(), ref.Subscription, current.Location); err != nil {
			return err
		}
		if body.NodeCount > current.Nodes {
			facts.Quotas = s.quotas(r.Context(), ref.Subscription, current.Location, true)
		}
	}
	fs := rules.CheckScale(rules.ScaleRequest{Workspace: ref, Name: name, NodeCount: body.NodeCount, VMSize: body.VMSize}, current, facts)
	if errs := fs.Errors(); len(errs) > 0 {
		return refusal(errs)
	}
	err = s.azure.Scale(r.Context(), ref, name, body.NodeCount)
	s.facts.changed(ref, current.ClusterID)
	if err != nil {
		return err
	}
	s.ops.started(ref, name)
	a := rules.AcceptedFor(ref, name)
	w.Header().Set("Location", a.Operation)
	writeJSON(w, http.StatusAccepted, a)
	return nil
}

// deleteCompute serves DELETE /api/workspaces/{sub}/{rg}/{ws}/computes/{name}:
// detach the compute; the cluster is kept (O3).
func (s *Server) deleteCompute(w http.ResponseWriter, r *http.Request) error {
	ref, name, err := computeTarget(r)
	if err != nil {
		return err
	}
	if err := s.policyScope(ref); err != nil {
		return err
	}
	current, unlock, r, err := s.lockedCompute(r, ref, name, "detaches")
	if err != nil {
		return err
	}
	defer unlock()
	err = s.azure.Detach(r.Context(), ref, name)
	s.facts.changed(ref, current.ClusterID)
	if err != nil {
		return err
	}
	s.ops.started(ref, name)
	writeJSON(w, http.StatusAccepted, rules.AcceptedFor(ref, name))
	return nil
}

// onlyAKS refuses to scale or detach a compute that is neither an AKS
// compute (v1) nor a Kubernetes compute (v2) — a training cluster, say:
// amlaks manages inference clusters on AKS only, and a detach of another
// type would remove it from the workspace. Detaching a Kubernetes compute
// removes the compute only: its cluster and the Azure ML extension stay,
// for other computes that share the cluster.
func onlyAKS(c rules.Compute, what string) error {
	if strings.EqualFold(c.Type, "AKS") || strings.EqualFold(c.Type, string(rules.KindKubernetes)) {
		return nil
	}
	kind := c.Type
	if kind == "" {
		kind = "unknown"
	}
	return &rules.Error{Code: rules.ErrUnsupported, Field: rules.FieldName,
		Message: c.Name + " is a compute of type " + kind + ", not an AKS inference cluster: amlaks only " + what + " AKS and Kubernetes computes. Manage it in Azure ML studio."}
}

// precheck runs, before anything is asked of Azure, the rules that need no
// facts from it: the platform's policy first (403), then the shape of the
// request (names, IDs, networks, TLS: 400). A request refused here never
// costs an Azure call, and hostile names and IDs never reach an ARM URL.
func (s *Server) precheck(req rules.Request) error {
	fs := rules.Validate(req, rules.Facts{Policy: s.cfg.Policy, Now: s.cfg.now()})
	if errs := fs.Policy(); len(errs) > 0 {
		return refusal(errs)
	}
	if shape := fs.Shape(); len(shape) > 0 {
		return refusal(shape)
	}
	return nil
}

// policyFindings are the guardrail errors (G1–G6) among fs.
func policyFindings(fs rules.Findings) rules.Findings { return fs.Policy() }

// checkComputeName refuses, before it goes into an ARM URL, a compute name
// from the path that no compute can have (N1–N4): "..", "a/b", "x?y".
func checkComputeName(name string) error {
	if fs := rules.CheckNameShape(name); len(fs) > 0 {
		return &rules.Error{Code: rules.ErrInvalid, Field: rules.FieldName, Message: fs[0].Message}
	}
	return nil
}

// policyScope refuses, before Azure is asked anything, a read or a write in
// a subscription, resource group or workspace the policy does not allow
// (G1), with the same rules code as a create.
func (s *Server) policyScope(ref rules.WorkspaceRef) error {
	if g1 := rules.CheckScope(s.cfg.Policy, ref); len(g1) > 0 {
		return refusal(g1)
	}
	return nil
}

// postCleanup serves POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/cleanup:
// remove what a failed operation left, so nothing half-done stays in Azure.
// A failed create is deleted with whatever Azure made of its cluster; a
// failed attach is detached and the cluster kept. A compute that did not
// fail is refused: cleanup never removes anything that works.
func (s *Server) postCleanup(w http.ResponseWriter, r *http.Request) error {
	var body struct{} // a JSON body, {}: a form cannot send one
	ref, name, err := s.computeWrite(w, r, &body)
	if err != nil {
		return err
	}
	op, err := s.loadV2(r.Context(), ref, name)
	if err != nil {
		return err
	}
	if op != nil && op.action != rules.ActionCleanup {
		if op.running() {
			return rules.Errorf(rules.ErrConflict, rules.FieldName, "The operation on "+name+" is still running; clean up once it has failed.")
		}
		if st := op.state(s.cfg.now()); !st.Succeeded {
			r, unlock, err := s.lockRequest(r, nameKey(ref, name))
			if err != nil {
				return err
			}
			defer unlock()
			// Read again under the lock: another replica may have retried it.
			if op, err = s.loadV2(r.Context(), ref, name); err != nil {
				return err
			}
			if op == nil || op.running() {
				return rules.Errorf(rules.ErrConflict, rules.FieldName, "The operation on "+name+" is running again (retried meanwhile); clean up once it has failed.")
			}
			return s.cleanupV2(w, r, op)
		}
	}
	current, unlock, r, err := s.lockedCompute(r, ref, name, "cleans up")
	if err != nil {
		return err
	}
	defer unlock()
	if !strings.EqualFold(current.State, "Failed") {
		return rules.Errorf(rules.ErrConflict, rules.FieldName, "Only a compute whose create or attach failed can be cleaned up; "+name+" is "+current.State+". To stop using a working cluster, detach it.")
	}
	if current.Attached {
		err = s.azure.Detach(r.Context(), ref, name)
	} else {
		// Deleting a failed create removes the cluster Azure ML made for it.
		if g1 := rules.CheckClusterScope(s.cfg.Policy, current.ClusterID, rules.FieldName); len(g1) > 0 && current.ClusterID != "" {
			return refusal(g1)
		}
		err = s.azure.Delete(r.Context(), ref, name)
	}
	s.facts.changed(ref, current.ClusterID)
	if err != nil {
		return err
	}
	s.ops.started(ref, name)
	writeJSON(w, http.StatusAccepted, rules.AcceptedFor(ref, name))
	return nil
}

// computeTarget reads the workspace and compute name of a write on an
// existing compute from the path, checks their shape and notes them for the
// audit line.
func computeTarget(r *http.Request) (rules.WorkspaceRef, string, error) {
	ref, name, err := computePath(r)
	if err != nil {
		return ref, "", err
	}
	auditTarget(r, "", ref, name)
	return ref, name, nil
}

// computePath reads the workspace and compute name of a request on one
// compute from the path and checks their shape.
func computePath(r *http.Request) (rules.WorkspaceRef, string, error) {
	ref, err := workspaceRef(r)
	if err != nil {
		return ref, "", err
	}
	name := r.PathValue("name")
	if err := checkComputeName(name); err != nil {
		return ref, "", err
	}
	return ref, name, nil
}

// computeWrite reads a write on an existing compute: its workspace and
// name from the path (computeTarget), its JSON body into body, strictly
// (decode), and whether the policy lets amlaks write in the workspace.
func (s *Server) computeWrite(w http.ResponseWriter, r *http.Request, body any) (rules.WorkspaceRef, string, error) {
	ref, name, err := computeTarget(r)
	if err != nil {
		return ref, "", err
	}
	if err := s.decode(w, r, body); err != nil {
		return ref, "", err
	}
	if err := s.policyScope(ref); err != nil {
		return ref, "", err
	}
	return ref, name, nil
}

// lockedCompute takes the compute's write lock and reads it from Azure; it
// must be an AKS compute (what names the change, for the refusal). The caller
// releases the lock with unlock when the error is nil, and goes on with held,
// the request whose context ends if a shared lock is lost.
func (s *Server) lockedCompute(r *http.Request, ref rules.WorkspaceRef, name, what string) (current rules.Compute, unlock func(), held *http.Request, err error) {
	r, unlock, err = s.lockRequest(r, nameKey(ref, name))
	if err != nil {
		return rules.Compute{}, nil, nil, err
	}
	current, err = s.azure.Compute(r.Context(), ref, name)
	if err == nil {
		err = onlyAKS(current, what)
	}
	if err != nil {
		unlock()
		return rules.Compute{}, nil, nil, err
	}
	return current, unlock, r, nil
}
