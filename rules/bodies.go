package rules

// The JSON bodies of the list routes and of a scale, named once here so the
// proxy writes and the page reads the same type (issue 9).

// WorkspaceList is the answer of GET /api/workspaces.
type WorkspaceList struct {
	Workspaces []Workspace `json:"workspaces"`
}

// ComputeList is the answer of GET /api/workspaces/{sub}/{rg}/{ws}/computes.
type ComputeList struct {
	Computes []Compute `json:"computes"`
}

// LocationList is the answer of GET /api/locations.
type LocationList struct {
	Locations []Location `json:"locations"`
}

// VersionList is the answer of GET /api/locations/{location}/versions.
type VersionList struct {
	Location string              `json:"location"`
	Versions []KubernetesVersion `json:"versions"`
}

// VMSizeList is the answer of GET /api/locations/{location}/vmsizes.
type VMSizeList struct {
	Location string   `json:"location"`
	VMSizes  []VMSize `json:"vmSizes"`
}

// ClusterList is the answer of GET /api/clusters.
type ClusterList struct {
	Clusters []Cluster `json:"clusters"`
}

// FindingsBody is the answer of POST /api/validate.
type FindingsBody struct {
	Findings Findings `json:"findings"`
}

// ScaleBody is the body of POST .../computes/{name}/scale: the new node
// count; a VM size, when given, must be the compute's own (S1).
type ScaleBody struct {
	NodeCount int    `json:"nodeCount"`
	VMSize    string `json:"vmSize,omitempty"`
}
