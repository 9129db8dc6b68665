package rules

// The API of the Azure ML v2 path (Kubernetes compute), as the proxy serves
// it and the page decodes it. One definition for both sides.
//
// Routes (all JSON; writes need the same identity, rate limits and audit as v1):
//
//	POST /api/computes                          body Request with kind "Kubernetes".
//	    mode create: three steps, cluster → extension → attach.
//	    mode attach: extension (checked; installed when absent) → attach.
//	    202 Accepted{operation, page}: the same paths as v1. Refusals as v1
//	    (400/403/409 with the rules' code and field), before any write.
//	GET  /api/operations/{sub}/{rg}/{ws}/{name}  OperationState; for a v2
//	    operation Kind "Kubernetes", Action, Steps, FailedStep, CanRetry,
//	    CanCleanup and Left. Steps are in order; each has its own state,
//	    times and Azure's words. The page polls this; one poller in the
//	    proxy drives the steps, whoever watches.
//	POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/retry    body RetryRequest.
//	    Re-runs a failed v2 operation from its failed step (202 Accepted).
//	POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/cleanup  body {}.
//	    For a failed v2 operation: removes what amlaks made (the compute
//	    if it exists, the extension if amlaks installed it, the cluster if
//	    amlaks created it), as a step list of its own (Action "cleanup").
//	GET  /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/migrate  MigrationPlan
//	    with the default settings; POST .../migrate/plan with a
//	    MigrateRequest body gives the plan and findings of those settings
//	    (read-only). The v1 attachment itself (X14, T4) is no finding there:
//	    the migration removes it.
//	POST /api/workspaces/{sub}/{rg}/{ws}/computes/{name}/migrate  body MigrateRequest.
//	    v1 AKS compute → Kubernetes compute: detach-v1 → legacy-cleanup →
//	    extension → attach (202 Accepted; the operation is under the new
//	    compute's name, which is the v1 name unless MigrateRequest.Name says).
//	GET  /api/workspaces/{sub}/{rg}/{ws}/computes  []Compute: both kinds,
//	    with Kind, Namespace and ExtensionState for Kubernetes computes.
//	POST .../computes/{name}/scale, DELETE .../computes/{name}: for both
//	    kinds. Detaching a Kubernetes compute removes the compute only: the
//	    cluster and its Azure ML extension stay (other computes may share it).

// Action is what a v2 operation does.
type Action string

// The actions of v2 operations.
const (
	ActionCreate  Action = "create"  // cluster → extension → attach
	ActionAttach  Action = "attach"  // extension → attach
	ActionMigrate Action = "migrate" // detach-v1 → legacy-cleanup → extension → attach
	ActionCleanup Action = "cleanup" // removes what a failed operation made
)

// StepName names a step of a v2 operation.
type StepName string

// The steps of v2 operations.
const (
	StepCluster       StepName = "cluster"        // create the AKS cluster
	StepExtension     StepName = "extension"      // check or install the Azure ML extension
	StepAttach        StepName = "attach"         // attach as a Kubernetes compute
	StepDetachV1      StepName = "detach-v1"      // detach the v1 AKS compute, keeping the cluster
	StepLegacyCleanup StepName = "legacy-cleanup" // remove the v1 azureml-fe from the cluster
	StepRemoveCompute StepName = "remove-compute" // cleanup: detach the compute
	StepRemoveExt     StepName = "remove-extension"
	StepRemoveCluster StepName = "remove-cluster"
)

// StepState is where a step stands.
type StepState string

// The states of a step.
const (
	StepPending   StepState = "Pending"
	StepRunning   StepState = "Running"
	StepSucceeded StepState = "Succeeded"
	StepFailed    StepState = "Failed"
	StepSkipped   StepState = "Skipped" // nothing to do (the extension was there already)
)

// Step is one step of a v2 operation.
type Step struct {
	Name  StepName  `json:"name"`
	Title string    `json:"title"` // in words, for the page
	State StepState `json:"state"`
	// StartedAt and EndedAt are RFC 3339; empty while not started or not ended.
	StartedAt  string `json:"startedAt,omitempty"`
	EndedAt    string `json:"endedAt,omitempty"`
	ElapsedSec int    `json:"elapsedSec"`
	// ExpectedSec is how long the step usually takes.
	ExpectedSec int `json:"expectedSec"`
	// Message says what the step did or does, in words.
	Message string `json:"message,omitempty"`
	// Errors are Azure's own words when the step failed.
	Errors []string `json:"errors,omitempty"`
	// Resource is the resource ID the step made or works on.
	Resource string `json:"resource,omitempty"`
	// Made is true when amlaks made Resource in this operation (cleanup removes it).
	Made bool `json:"made,omitempty"`
	// Manual is a command a person may need to run, when a step cannot be
	// done through ARM alone (the legacy cleanup on a private cluster).
	Manual string `json:"manual,omitempty"`
}

// RetryRequest re-runs a failed v2 operation from its failed step. Request
// is needed only when the proxy no longer holds the operation's request
// (it restarted), or to give the TLS certificate and key again; otherwise
// send {}.
type RetryRequest struct {
	Request *Request `json:"request,omitempty"`
}

// MigrateRequest migrates a v1 AKS compute to a Kubernetes compute. Name is
// the new compute's name (empty: the v1 name, free once it is detached);
// Kubernetes, TLS, LoadBalancer and Purpose configure the extension as for
// an attach.
type MigrateRequest struct {
	Name         string            `json:"name,omitempty"`
	Purpose      Purpose           `json:"purpose,omitempty"`
	TLS          TLS               `json:"tls,omitzero"`
	LoadBalancer LoadBalancer      `json:"loadBalancer,omitzero"`
	Kubernetes   Kubernetes        `json:"kubernetes,omitzero"`
	Description  string            `json:"description,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
}

// MigrationPlan is what a migration will do, before it starts: the steps
// (all Pending), the Kubernetes request it will attach with, and its findings.
type MigrationPlan struct {
	From     Compute  `json:"from"`
	Request  Request  `json:"request"`
	Steps    []Step   `json:"steps"`
	Findings Findings `json:"findings"`
	// Notes say in words what changes for the people using the compute.
	Notes []string `json:"notes,omitempty"`
}

// LegacyFrontendCommand removes a v1 AKS compute's inference front end
// (azureml-fe) from a cluster, so the Azure ML extension can install its
// own: detaching the v1 compute through ARM leaves these Kubernetes objects
// behind, and the extension's chart cannot be installed beside them. The
// proxy runs it through AKS's run command (what `az aks command invoke`
// does); a person can run it with kubectl. --ignore-not-found makes it safe
// to run again. The object names are those of the v1 front end as Azure
// ML's troubleshooting guidance lists them.
const LegacyFrontendCommand = "kubectl delete deployment/azureml-fe service/azureml-fe service/azureml-fe-int-http " +
	"configmap/azuremlfeconfig secret/azuremlfessl serviceaccount/azureml-fe " +
	"clusterrole/azureml-fe-role clusterrolebinding/azureml-fe-binding --namespace default --ignore-not-found"

// LegacyFrontendManual is the command a person runs for LegacyFrontendCommand
// when the proxy cannot: through `az aks command invoke`, which also reaches
// private clusters.
func LegacyFrontendManual(c ClusterRef) string {
	return "az aks command invoke --resource-group " + c.ResourceGroup + " --name " + c.Name + " --command '" + LegacyFrontendCommand + "'"
}
