package armemu

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// AKS's run command (POST .../managedClusters/{cluster}/runCommand, what
// `az aks command invoke` uses): amlaks runs one command through it, the
// removal of a v1 AKS compute's azureml-fe before the Azure ML extension is
// installed. The emulator runs nothing: a kubectl delete that names
// azureml-fe removes the cluster's v1 front end; any other command prints
// nothing and exits 0. The result is at once at the Location Azure gives.

// commandResult is a finished run command.
type commandResult struct {
	id, logs string
	exitCode int
	started  time.Time
}

// runCommand serves POST .../managedClusters/{cluster}/runCommand.
func (e *Emulator) runCommand(w http.ResponseWriter, req *http.Request, p params) error {
	c, err := e.w.cluster(p["rg"], p["cluster"])
	if err != nil {
		return err
	}
	var body struct {
		Command string `json:"command"`
	}
	if err := decodeBody(req, &body); err != nil {
		return err
	}
	if strings.TrimSpace(body.Command) == "" {
		return badRequest("The command is required.")
	}
	if c.state() != "Succeeded" {
		return errorf(http.StatusConflict, "OperationNotAllowed", "Operation is not allowed because there's an in progress %s operation on managed cluster '%s'.", strings.ToLower(c.state()), c.name)
	}
	e.seq++
	res := &commandResult{id: fmt.Sprintf("%032x", e.seq), started: e.now()}
	if strings.HasPrefix(strings.TrimSpace(body.Command), "kubectl delete") && strings.Contains(body.Command, "azureml-fe") {
		if c.legacyFrontend {
			res.logs = "deployment.apps \"azureml-fe\" deleted\nservice \"azureml-fe\" deleted\n"
		}
		c.legacyFrontend = false
	}
	if e.commands == nil {
		e.commands = map[string]*commandResult{}
	}
	e.commands[res.id] = res
	q := url.Values{"api-version": {req.URL.Query().Get("api-version")}}.Encode()
	w.Header().Set("Location", baseURL(req)+"/"+strings.TrimPrefix(c.id(), "/")+"/commandResults/"+res.id+"?"+q)
	w.Header().Set("Retry-After", seconds(e.opts.RetryAfter))
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// commandResultOf serves GET .../managedClusters/{cluster}/commandResults/{id}.
func (e *Emulator) commandResultOf(w http.ResponseWriter, _ *http.Request, p params) error {
	res, ok := e.commands[strings.ToLower(p["id"])]
	if !ok {
		return errorf(http.StatusNotFound, "NotFound", "The command result '%s' was not found.", p["id"])
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": res.id,
		"properties": map[string]any{
			"provisioningState": "Succeeded", "exitCode": res.exitCode, "logs": res.logs,
			"startedAt": timeJSON(res.started), "finishedAt": timeJSON(res.started),
		},
	})
	return nil
}
