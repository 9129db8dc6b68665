package rules

import (
	"net/url"
	"strings"
)

// The proxy's API paths and the page's own paths are built here only: the
// proxy answers with them (Accepted) and the page calls them, so both sides
// name the same URL. proxy/server.go's route table holds the patterns, and
// its test routes every path built here.
const (
	PathConfig     = "/api/config"     // GET: ServerInfo
	PathWorkspaces = "/api/workspaces" // GET: the workspaces a person may use
	PathLocations  = "/api/locations"  // GET: the locations of a subscription
	PathClusters   = "/api/clusters"   // GET: the AKS clusters of a subscription
	PathFacts      = "/api/facts"      // POST: Facts for a request
	PathValidate   = "/api/validate"   // POST: Findings for a request
	PathExports    = "/api/exports"    // POST: ExportsBody, the review's exports of a request
	PathComputes   = "/api/computes"   // POST: create or attach
)

// pageProgress and pageMigrate are the page's routes of one compute.
const (
	pageProgress = "/progress/"
	pageMigrate  = "/migrate/"
)

// segments joins escaped path segments of a workspace and, when given, a
// compute name.
func segments(ref WorkspaceRef, name ...string) string {
	p := url.PathEscape(ref.Subscription) + "/" + url.PathEscape(ref.ResourceGroup) + "/" + url.PathEscape(ref.Name)
	for _, n := range name {
		p += "/" + url.PathEscape(n)
	}
	return p
}

// LocationPath is the API path of one of a location's lists: "versions",
// "vmsizes" or "prices".
func LocationPath(location, list string) string {
	return PathLocations + "/" + url.PathEscape(location) + "/" + list
}

// WorkspacePath is the API path of a workspace.
func WorkspacePath(ref WorkspaceRef) string { return PathWorkspaces + "/" + segments(ref) }

// ComputesPath is the API path of a workspace's computes (GET: ComputeList).
func ComputesPath(ref WorkspaceRef) string { return WorkspacePath(ref) + "/computes" }

// ComputePath is the API path of one compute (DELETE: detach).
func ComputePath(ref WorkspaceRef, name string) string {
	return ComputesPath(ref) + "/" + url.PathEscape(name)
}

// ScalePath is the API path that scales a compute (POST: ScaleBody).
func ScalePath(ref WorkspaceRef, name string) string { return ComputePath(ref, name) + "/scale" }

// CleanupPath is the API path that removes what a failed write left (POST).
func CleanupPath(ref WorkspaceRef, name string) string { return ComputePath(ref, name) + "/cleanup" }

// RetryPath is the API path that re-runs a failed v2 operation from its
// failed step (POST: RetryRequest).
func RetryPath(ref WorkspaceRef, name string) string { return ComputePath(ref, name) + "/retry" }

// MigratePath is the API path of a v1 compute's migration (GET:
// MigrationPlan; POST: MigrateRequest).
func MigratePath(ref WorkspaceRef, name string) string { return ComputePath(ref, name) + "/migrate" }

// MigratePlanPath is the API path that plans a migration with changed
// settings (POST).
func MigratePlanPath(ref WorkspaceRef, name string) string { return MigratePath(ref, name) + "/plan" }

// OperationPath is the API path of a write's state (GET: OperationState).
func OperationPath(ref WorkspaceRef, name string) string {
	return "/api/operations/" + segments(ref, name)
}

// ProgressPage is the page that follows a write on a compute.
func ProgressPage(ref WorkspaceRef, name string) string { return pageProgress + segments(ref, name) }

// MigratePage is the page that migrates a v1 compute to a Kubernetes compute.
func MigratePage(ref WorkspaceRef, name string) string { return pageMigrate + segments(ref, name) }

// AcceptedFor is the answer to an accepted write on a compute: its
// operation and its progress page.
func AcceptedFor(ref WorkspaceRef, name string) Accepted {
	return Accepted{Operation: OperationPath(ref, name), Page: ProgressPage(ref, name)}
}

// ParseProgressPage reads the workspace and compute name back from a
// progress page's escaped path (url.URL.EscapedPath), as ProgressPage built
// it. ok is false when the path is not a progress page.
func ParseProgressPage(escapedPath string) (ref WorkspaceRef, name string, ok bool) {
	return parsePage(pageProgress, escapedPath)
}

// ParseMigratePage reads the workspace and compute name back from a
// migration page's escaped path, as MigratePage built it.
func ParseMigratePage(escapedPath string) (ref WorkspaceRef, name string, ok bool) {
	return parsePage(pageMigrate, escapedPath)
}

func parsePage(prefix, escapedPath string) (WorkspaceRef, string, bool) {
	rest, found := strings.CutPrefix(escapedPath, prefix)
	if !found {
		return WorkspaceRef{}, "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 4 {
		return WorkspaceRef{}, "", false
	}
	for i, p := range parts {
		s, err := url.PathUnescape(p)
		if err != nil || s == "" {
			return WorkspaceRef{}, "", false
		}
		parts[i] = s
	}
	return WorkspaceRef{Subscription: parts[0], ResourceGroup: parts[1], Name: parts[2]}, parts[3], true
}
