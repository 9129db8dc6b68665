package proxy

import (
	"net/http"
	"strings"
	"time"

	"github.com/amlaks/amlaks/rules"
)

// getOperation serves GET /api/operations/{sub}/{rg}/{ws}/{name}: the state
// of a create or attach, as the operation's one poller last read it from
// Azure (opwatch.go), so a restart of the proxy loses nothing and fifty
// watchers cost Azure what one does.
func (s *Server) getOperation(w http.ResponseWriter, r *http.Request) error {
	ref, name, err := computePath(r)
	if err != nil {
		return err
	}
	if err := s.policyScope(ref); err != nil {
		return err // a workspace the policy does not allow (G1) is not read
	}
	op, err := s.loadV2(r.Context(), ref, name)
	if err != nil {
		return err
	}
	if op != nil {
		if op.running() {
			s.ops.ensureV2(op)
		}
		writeJSON(w, http.StatusOK, op.state(s.cfg.now()))
		return nil
	}
	c, err := s.ops.state(r.Context(), ref, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, operationState(ref, c, s.cfg.now()))
	return nil
}

// operationState derives an operation's state from the compute Azure reports.
func operationState(ref rules.WorkspaceRef, c rules.Compute, now time.Time) rules.OperationState {
	st := rules.OperationState{Workspace: ref, Name: c.Name, State: c.State, Errors: c.Errors, Compute: &c,
		Mode: rules.ModeCreate, ExpectedSec: rules.ExpectedSec(rules.ModeCreate)}
	if c.Attached {
		st.Mode, st.ExpectedSec = rules.ModeAttach, rules.ExpectedSec(rules.ModeAttach)
	}
	switch strings.ToLower(c.State) {
	case "succeeded":
		st.Done, st.Succeeded = true, true
	case "failed", "canceled":
		st.Done = true
	}
	start, err := time.Parse(time.RFC3339, c.CreatedOn)
	if err == nil {
		st.StartedAt = c.CreatedOn
		end := now
		if st.Done {
			// A finished operation ends at modifiedOn, even when that is the
			// second it started in (or, with skewed clocks, before it).
			if t, err := time.Parse(time.RFC3339, c.ModifiedOn); err == nil {
				end = t
			}
		}
		st.ElapsedSec = max(int(end.Sub(start).Seconds()), 0)
	}
	return st
}
