package proxy

import (
	"context"
	"net/http"
	"strings"

	"github.com/amlaks/amlaks/rules"
)

// The Azure ML v2 routes (rules/kubernetes_api.go has the contract): a
// Kubernetes create or attach through POST /api/computes, retry, cleanup and
// migrate of a compute. The steps themselves run in v2ops.go.

// postKubernetes serves POST /api/computes for kind Kubernetes. The rules
// run with facts fresh from Azure, with the cluster's extensions; an
// extension amlaks cannot use (Failed, or busy without amlaks) is refused
// (X10) before anything is sent. A create sends the cluster's PUT before it
// answers, so Azure's own refusal of it is this request's answer; every
// later step runs in the background, each after the rules have passed again.
//
// Locks: the compute name, as v1, and the cluster while the checks and the
// first write run. Unlike v1 a cluster may be attached several times (other
// namespaces, other workspaces): what must not run twice on one cluster is
// the extension's install, and the operations registry hands that to one
// operation, the others waiting for it.
func (s *Server) postKubernetes(w http.ResponseWriter, r *http.Request, req rules.Request) error {
	cluster, ok := req.KubernetesCluster()
	if !ok && req.Mode == rules.ModeCreate {
		return rules.Errorf(rules.ErrInvalid, rules.FieldName, "A created cluster is named as the compute: "+req.Name+" is not an AKS cluster name (1 to 63 letters, digits, '-' and '_').")
	}
	if !ok {
		return rules.Errorf(rules.ErrInvalid, rules.FieldTargetID, "The request names no AKS cluster: give the cluster's resource ID, or its resource group and name.")
	}
	if req.Mode == rules.ModeAttach || req.Mode == rules.ModeCreate {
		auditOf(r).Cluster = cluster.ID()
	}
	r, unlock, err := s.lockRequest(r, nameKey(req.Workspace, req.Name), clusterKey(cluster.ID()))
	if err != nil {
		return err
	}
	defer unlock()
	version, err := s.blocking(r.Context(), req.Workspace, req.Name)
	if err != nil {
		return err
	}
	facts, err := s.checkedFacts(r.Context(), req)
	if err != nil {
		return err
	}
	norm := req.Normalized(facts.WorkspaceLocation)
	op := &v2Op{action: rules.ActionAttach, ref: norm.Workspace, name: norm.Name, req: norm, cluster: cluster,
		wsLoc: facts.WorkspaceLocation, started: s.cfg.now(), version: version, secrets: hasSecrets(norm)}
	if norm.Mode == rules.ModeCreate {
		op.action = rules.ActionCreate
		op.steps = stepsOf(rules.StepCluster, rules.StepExtension, rules.StepAttach)
	} else {
		op.req.Target = rules.Target{ResourceID: cluster.ID()}
		op.steps = stepsOf(rules.StepExtension, rules.StepAttach)
		if err := s.usableExtension(facts); err != nil {
			return err
		}
	}
	if err := s.v2.put(op); err != nil {
		return err
	}
	var lease *v2Lease
	if op.action == rules.ActionCreate {
		// The lease first, so no other replica drives the operation
		// before this one; then the record, before the PUT: a replica
		// that dies now leaves a record that another one finishes,
		// reading Azure before it sends.
		if lease, err = s.leaseV2(op.key()); err != nil {
			s.v2.drop(op)
			return err
		}
		if err := s.markSending(r.Context(), op, rules.StepCluster); err != nil {
			lease.unlock()
			s.v2.drop(op)
			return err
		}
		if err := s.sendCluster(r.Context(), op); err != nil {
			op.mu.Lock()
			op.dropped = true
			op.mu.Unlock()
			if serr := s.saveV2(context.WithoutCancel(r.Context()), op); serr != nil {
				s.cfg.logger().Warn("refused v2 create's record not marked dropped", "name", op.name, "err", serr)
			}
			lease.unlock()
			s.v2.drop(op)
			return err
		}
		op.sent()
		s.startStep(op, 0, cluster.ID(), true, "AKS is creating the cluster.")
	}
	return s.acceptV2(w, r, op, lease)
}

// hasSecrets reports whether req carries the extension's certificate or key.
func hasSecrets(req rules.Request) bool { return req.TLS.CertPEM != "" || req.TLS.KeyPEM != "" }

// usableExtension refuses an attach whose cluster has an Azure ML extension
// that is neither Succeeded nor being installed by amlaks (X10).
func (s *Server) usableExtension(facts rules.Facts) error {
	if facts.Cluster == nil {
		return nil
	}
	ext, ok := azureMLExtension(facts.Cluster.Extensions)
	if !ok || strings.EqualFold(ext.State, "Succeeded") {
		return nil
	}
	ref, err := rules.ParseClusterID(facts.Cluster.ID)
	if err == nil && s.v2.installer(ref) != nil {
		return nil // another amlaks operation installs it: this one waits
	}
	f := rules.ExtensionNotReady(ext, rules.FieldTargetID)
	return &rules.Error{Code: rules.ErrConflict, Field: f.Field, Message: f.Message + " " + f.Fix, Findings: rules.Findings{f}}
}

// acceptV2 stores op's record, starts op's driver and answers 202 with
// where to follow it.
//
// The operation's lease is taken (unless the caller has it) before the
// record is stored running: a driver on another replica that waits for
// it finds the record as this replica left it.
func (s *Server) acceptV2(w http.ResponseWriter, r *http.Request, op *v2Op, lease *v2Lease) error {
	if lease == nil {
		var err error
		if lease, err = s.leaseV2(op.key()); err != nil {
			return err
		}
	}
	if err := s.saveV2(r.Context(), op); err != nil {
		lease.unlock()
		s.v2.drop(op)
		return err
	}
	s.ops.startedV2(op, lease)
	s.cfg.logger().Info("v2 operation accepted", "action", op.action, "workspace", op.ref.ID(), "name", op.name, "requestId", requestID(r))
	a := rules.AcceptedFor(op.ref, op.name)
	w.Header().Set("Location", a.Operation)
	writeJSON(w, http.StatusAccepted, a)
	return nil
}

// postRetry serves POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/retry:
// a failed v2 operation goes on from its failed step. The body is
// rules.RetryRequest: {} reuses the operation's request; a request (for the
// TLS certificate and key again) must be for the same compute and cluster.
func (s *Server) postRetry(w http.ResponseWriter, r *http.Request) error {
	var body rules.RetryRequest
	ref, name, err := s.computeWrite(w, r, &body)
	if err != nil {
		return err
	}
	r, unlock, err := s.lockRequest(r, nameKey(ref, name))
	if err != nil {
		return err
	}
	defer unlock()
	op, err := s.loadV2(r.Context(), ref, name)
	if err != nil {
		return err
	}
	if op == nil {
		return rules.Errorf(rules.ErrNotFound, rules.FieldName, "amlaks holds no v2 operation on "+name+" (the proxy may have restarted): start the create, attach or migration again.")
	}
	if op.running() {
		return rules.Errorf(rules.ErrConflict, rules.FieldName, "The operation on "+name+" is still running; only a failed one can be retried.")
	}
	st := op.state(s.cfg.now())
	if !st.Done || st.Succeeded {
		return rules.Errorf(rules.ErrConflict, rules.FieldName, "The operation on "+name+" has succeeded; there is nothing to retry.")
	}
	if !st.CanRetry {
		return rules.Errorf(rules.ErrConflict, rules.FieldName, "The cluster create failed after Azure accepted it: clean up, then create again.")
	}
	if body.Request != nil {
		if err := s.retryRequest(op, *body.Request); err != nil {
			return err
		}
	} else if op.needsSecrets() {
		return rules.Errorf(rules.ErrInvalid, rules.FieldTLSKey, "amlaks does not keep the TLS certificate and key of "+name+" (it restarted, or another replica started the operation), and the extension still needs them: retry with the request, its certificate and key included (the retry body's request).")
	}
	s.v2.adopt(op)
	op.mu.Lock()
	for i := range op.steps {
		if op.steps[i].State == rules.StepFailed {
			op.steps[i] = rules.Step{Name: op.steps[i].Name, Title: op.steps[i].Title, State: rules.StepPending, ExpectedSec: op.steps[i].ExpectedSec}
		}
	}
	op.failed, op.waits = false, 0
	op.mu.Unlock()
	return s.acceptV2(w, r, op, nil)
}

// retryRequest replaces op's request with req, which must be a request of
// the same kind for the same compute and cluster; it is checked as a new
// request is.
func (s *Server) retryRequest(op *v2Op, req rules.Request) error {
	if err := s.precheck(req); err != nil {
		return err
	}
	cluster, ok := req.KubernetesCluster()
	if req.Kind != rules.KindKubernetes || req.Workspace != op.ref || req.Name != op.name || (op.action != rules.ActionCleanup && (!ok || !strings.EqualFold(cluster.ID(), op.cluster.ID()))) {
		return rules.Errorf(rules.ErrInvalid, rules.FieldName, "A retry's request must be the operation's own: the same workspace, compute name, kind and cluster.")
	}
	norm := req.Normalized(op.wsLoc)
	if op.req.Mode == rules.ModeAttach {
		norm.Target = rules.Target{ResourceID: op.cluster.ID()}
	}
	norm.Mode = op.req.Mode
	op.mu.Lock()
	op.req = norm
	op.secrets = op.secrets || hasSecrets(norm)
	op.mu.Unlock()
	return nil
}

// cleanupV2 starts the cleanup of a failed v2 operation: the compute if it
// made one, the extension if it installed it (unless it also created the
// cluster, which takes the extension with it), the cluster if it created
// it. What amlaks did not make stays, and the operation says so.
func (s *Server) cleanupV2(w http.ResponseWriter, r *http.Request, failed *v2Op) error {
	failed.mu.Lock()
	madeCluster, madeExt, madeCompute := failed.madeCluster, failed.madeExt, failed.madeCompute
	failed.mu.Unlock()
	var names []rules.StepName
	var left []string
	if madeCompute {
		names = append(names, rules.StepRemoveCompute)
	}
	switch {
	case madeCluster:
		names = append(names, rules.StepRemoveCluster)
	case madeExt:
		names = append(names, rules.StepRemoveExt)
		left = append(left, "The cluster "+failed.cluster.Name+" stays: amlaks did not create it.")
	default:
		left = append(left, "The cluster "+failed.cluster.Name+" and its extension stay: amlaks did not make them.")
	}
	if failed.action == rules.ActionMigrate {
		left = append(left, "The v1 compute "+failed.v1Name+" stays detached; attach the cluster again to use it.")
	}
	if len(names) == 0 {
		return rules.Errorf(rules.ErrConflict, rules.FieldName, "The failed operation on "+failed.name+" made nothing in Azure; there is nothing to clean up.")
	}
	failed.mu.Lock()
	version := failed.version
	failed.mu.Unlock()
	op := &v2Op{action: rules.ActionCleanup, ref: failed.ref, name: failed.name, req: failed.req, cluster: failed.cluster,
		wsLoc: failed.wsLoc, v1Name: failed.v1Name, started: s.cfg.now(), steps: stepsOf(names...), left: left, version: version}
	if err := s.v2.put(op); err != nil {
		return err
	}
	return s.acceptV2(w, r, op, nil)
}

// migration is a v1 compute's migration: its request and its findings.
func (s *Server) migration(ctx context.Context, ref rules.WorkspaceRef, v1 rules.Compute, body rules.MigrateRequest) (rules.Request, rules.Findings, error) {
	if !strings.EqualFold(v1.Type, "AKS") {
		return rules.Request{}, nil, rules.Errorf(rules.ErrUnsupported, rules.FieldName, v1.Name+" is a compute of type "+v1.Type+", not a v1 AKS compute: there is nothing to migrate.")
	}
	if v1.ClusterID == "" {
		return rules.Request{}, nil, rules.Errorf(rules.ErrUnsupported, rules.FieldName, v1.Name+" has no AKS cluster yet: wait until it is created.")
	}
	req := rules.Request{Mode: rules.ModeAttach, Kind: rules.KindKubernetes, Workspace: ref, Name: body.Name,
		Purpose: body.Purpose, TLS: body.TLS, LoadBalancer: body.LoadBalancer, Kubernetes: body.Kubernetes,
		Description: body.Description, Tags: body.Tags, Target: rules.Target{ResourceID: v1.ClusterID}}
	if req.Name == "" {
		req.Name = v1.Name
	}
	if req.Purpose == "" {
		req.Purpose = v1.Purpose
	}
	facts, err := s.v2Facts(ctx, req)
	if err != nil {
		return req, nil, err
	}
	// After the detach and the cleanup, the v1 compute and its azureml-fe
	// are gone: the rules judge the cluster as the attach step will find it.
	var others []rules.Compute
	for _, c := range facts.Computes {
		if !strings.EqualFold(c.Name, v1.Name) {
			others = append(others, c)
		}
	}
	facts.Computes = others
	if facts.Cluster != nil {
		facts.Cluster.LegacyFrontend = false
	}
	fs := rules.Validate(req, facts)
	if fs == nil {
		fs = rules.Findings{}
	}
	return req, fs, nil
}

// migrationPlan is the plan of a migration, every step pending.
func migrationPlan(v1 rules.Compute, req rules.Request, fs rules.Findings) rules.MigrationPlan {
	cluster, _ := req.KubernetesCluster()
	steps := stepsOf(rules.StepDetachV1, rules.StepLegacyCleanup, rules.StepExtension, rules.StepAttach)
	steps[0].Message = "Azure ML detaches " + v1.Name + "; the cluster " + cluster.Name + " keeps running. Endpoints deployed to the v1 compute stop being reachable through Azure ML."
	steps[1].Message = "amlaks runs kubectl on the cluster through AKS's run command to remove the v1 front end (azureml-fe)."
	steps[1].Manual = rules.LegacyFrontendManual(cluster)
	steps[2].Message = "amlaks installs the Azure ML extension (Microsoft.AzureML.Kubernetes) unless it is there and Succeeded."
	steps[3].Message = "amlaks attaches the cluster as Kubernetes compute " + req.Name + " in namespace " + orDefault(req.Kubernetes.Namespace, rules.DefaultNamespace) + "."
	return rules.MigrationPlan{From: v1, Request: req.Redacted(), Steps: steps, Findings: fs, Notes: []string{
		"Models deployed to the v1 compute are not moved: deploy them again as online endpoints on the Kubernetes compute.",
		"Each step is shown as it runs; a failed step can be retried, and nothing is deleted.",
	}}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// getMigration serves GET /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/migrate:
// the plan of migrating the v1 compute with the default settings.
func (s *Server) getMigration(w http.ResponseWriter, r *http.Request) error {
	ref, name, err := computePath(r)
	if err != nil {
		return err
	}
	return s.writeMigrationPlan(r.Context(), w, ref, name, rules.MigrateRequest{})
}

// writeMigrationPlan answers the plan and findings of migrating the v1
// compute name with the settings of body.
func (s *Server) writeMigrationPlan(ctx context.Context, w http.ResponseWriter, ref rules.WorkspaceRef, name string, body rules.MigrateRequest) error {
	v1, err := s.azure.Compute(ctx, ref, name)
	if err != nil {
		return err
	}
	req, fs, err := s.migration(ctx, ref, v1, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, migrationPlan(v1, req, fs))
	return nil
}

// postMigrationPlan serves POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/migrate/plan:
// the plan and findings of a migration with the settings in the body
// (rules.MigrateRequest); nothing is changed.
func (s *Server) postMigrationPlan(w http.ResponseWriter, r *http.Request) error {
	ref, name, err := computePath(r)
	if err != nil {
		return err
	}
	var body rules.MigrateRequest
	if err := s.decode(w, r, &body); err != nil {
		return err
	}
	if body.Name != "" {
		if err := checkComputeName(body.Name); err != nil {
			return err
		}
	}
	return s.writeMigrationPlan(r.Context(), w, ref, name, body)
}

// postMigration serves POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/migrate:
// detach the v1 compute (keeping the cluster), remove its azureml-fe,
// install the extension, attach as a Kubernetes compute. The rules run
// first on the cluster as it will be; each step runs them again.
func (s *Server) postMigration(w http.ResponseWriter, r *http.Request) error {
	var body rules.MigrateRequest
	ref, name, err := s.computeWrite(w, r, &body)
	if err != nil {
		return err
	}
	newName := orDefault(body.Name, name)
	if err := checkComputeName(newName); err != nil {
		return err
	}
	r, unlock, err := s.lockRequest(r, nameKey(ref, name), nameKey(ref, newName))
	if err != nil {
		return err
	}
	defer unlock()
	version, err := s.blocking(r.Context(), ref, newName)
	if err != nil {
		return err
	}
	v1, err := s.azure.Compute(r.Context(), ref, name)
	if err != nil {
		return err
	}
	auditOf(r).Cluster = v1.ClusterID
	req, fs, err := s.migration(r.Context(), ref, v1, body)
	if err != nil {
		return err
	}
	if fs := append(fs.Policy(), fs.Shape()...); len(fs) > 0 {
		return refusal(fs)
	}
	if errs := fs.Errors(); len(errs) > 0 {
		return refusal(errs)
	}
	cluster, _ := req.KubernetesCluster()
	ws, err := s.facts.Workspace(r.Context(), ref)
	if err != nil {
		return err
	}
	norm := req.Normalized(ws.Location)
	norm.Target = rules.Target{ResourceID: cluster.ID()}
	op := &v2Op{action: rules.ActionMigrate, ref: ref, name: norm.Name, req: norm, cluster: cluster, wsLoc: ws.Location,
		v1Name: name, started: s.cfg.now(), steps: stepsOf(rules.StepDetachV1, rules.StepLegacyCleanup, rules.StepExtension, rules.StepAttach),
		version: version, secrets: hasSecrets(norm)}
	if err := s.v2.put(op); err != nil {
		return err
	}
	return s.acceptV2(w, r, op, nil)
}
