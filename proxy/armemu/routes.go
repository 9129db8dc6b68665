package armemu

import (
	"net/http"
	"slices"
	"strings"
)

// API versions the SDK modules amlaks uses send; each route accepts its own.
const (
	apiSubscriptions    = "2022-12-01" // resources/armsubscriptions v1.3.0
	apiMachineLearning  = "2024-04-01" // machinelearning/armmachinelearning/v4 v4.0.0
	apiContainerService = "2025-10-01" // containerservice/armcontainerservice/v8 v8.2.0
	apiComputeSKUs      = "2021-07-01" // compute/armcompute/v7 v7.3.0 (ResourceSKUs)
	apiComputeUsages    = "2025-04-01" // compute/armcompute/v7 v7.3.0 (Usage)
	apiNetwork          = "2025-01-01" // network/armnetwork/v7 v7.2.0
	apiK8sConfiguration = "2023-05-01" // kubernetesconfiguration/armkubernetesconfiguration/v2 v2.2.0
)

const (
	mlPrefix  = "subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces"
	aksPrefix = "subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters"
	extPrefix = aksPrefix + "/{cluster}/providers/Microsoft.KubernetesConfiguration/extensions"
)

// params holds the values of a route's {placeholders}.
type params map[string]string

type handler func(e *Emulator, w http.ResponseWriter, r *http.Request, p params) error

type route struct {
	method  string
	pattern []string
	api     string
	serve   handler
}

func newRoute(method, pattern, api string, serve handler) route {
	return route{method: method, pattern: strings.Split(pattern, "/"), api: api, serve: serve}
}

// routes is the emulator's route table. Literal segments compare
// case-insensitively, as ARM does.
var routes = []route{
	newRoute("GET", "subscriptions", apiSubscriptions, (*Emulator).listSubscriptions),
	newRoute("GET", "subscriptions/{sub}", apiSubscriptions, (*Emulator).getSubscription),
	newRoute("GET", "subscriptions/{sub}/locations", apiSubscriptions, (*Emulator).listLocations),

	newRoute("GET", "subscriptions/{sub}/providers/Microsoft.MachineLearningServices/workspaces", apiMachineLearning, (*Emulator).listWorkspaces),
	newRoute("GET", "subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces", apiMachineLearning, (*Emulator).listWorkspaces),
	newRoute("GET", mlPrefix+"/{ws}", apiMachineLearning, (*Emulator).getWorkspace),
	newRoute("GET", mlPrefix+"/{ws}/computes", apiMachineLearning, (*Emulator).listComputes),
	newRoute("GET", mlPrefix+"/{ws}/computes/{name}", apiMachineLearning, (*Emulator).getCompute),
	newRoute("PUT", mlPrefix+"/{ws}/computes/{name}", apiMachineLearning, (*Emulator).putCompute),
	newRoute("DELETE", mlPrefix+"/{ws}/computes/{name}", apiMachineLearning, (*Emulator).deleteCompute),
	newRoute("GET", "subscriptions/{sub}/providers/Microsoft.MachineLearningServices/locations/{loc}/computeOperationsStatus/{id}", apiMachineLearning, (*Emulator).operationStatus),
	newRoute("GET", "subscriptions/{sub}/providers/Microsoft.MachineLearningServices/locations/{loc}/computeOperationResults/{id}", apiMachineLearning, (*Emulator).operationResult),

	newRoute("GET", "subscriptions/{sub}/providers/Microsoft.ContainerService/managedClusters", apiContainerService, (*Emulator).listClusters),
	newRoute("GET", aksPrefix, apiContainerService, (*Emulator).listClusters),
	newRoute("GET", aksPrefix+"/{cluster}", apiContainerService, (*Emulator).getCluster),
	newRoute("PUT", aksPrefix+"/{cluster}", apiContainerService, (*Emulator).putCluster),
	newRoute("DELETE", aksPrefix+"/{cluster}", apiContainerService, (*Emulator).deleteCluster),
	newRoute("POST", aksPrefix+"/{cluster}/runCommand", apiContainerService, (*Emulator).runCommand),
	newRoute("GET", aksPrefix+"/{cluster}/commandResults/{id}", apiContainerService, (*Emulator).commandResultOf),
	newRoute("GET", aksPrefix+"/{cluster}/agentPools", apiContainerService, (*Emulator).listAgentPools),
	newRoute("GET", aksPrefix+"/{cluster}/agentPools/{pool}", apiContainerService, (*Emulator).getAgentPool),
	newRoute("PUT", aksPrefix+"/{cluster}/agentPools/{pool}", apiContainerService, (*Emulator).putAgentPool),
	newRoute("GET", "subscriptions/{sub}/providers/Microsoft.ContainerService/locations/{loc}/kubernetesVersions", apiContainerService, (*Emulator).listKubernetesVersions),
	newRoute("GET", "subscriptions/{sub}/providers/Microsoft.ContainerService/locations/{loc}/operations/{id}", apiContainerService, (*Emulator).operationStatus),

	newRoute("GET", "subscriptions/{sub}/providers/Microsoft.KubernetesConfiguration", apiResources, (*Emulator).getK8sConfigProvider),
	newRoute("GET", extPrefix, apiK8sConfiguration, (*Emulator).listExtensions),
	newRoute("GET", extPrefix+"/{ext}", apiK8sConfiguration, (*Emulator).getExtension),
	newRoute("PUT", extPrefix+"/{ext}", apiK8sConfiguration, (*Emulator).putExtension),
	newRoute("DELETE", extPrefix+"/{ext}", apiK8sConfiguration, (*Emulator).deleteExtension),
	newRoute("GET", extPrefix+"/{ext}/operations/{id}", apiK8sConfiguration, (*Emulator).extensionOperation),

	newRoute("POST", "providers/Microsoft.ResourceGraph/resources", apiResourceGraph, (*Emulator).queryResources),

	newRoute("GET", "subscriptions/{sub}/providers/Microsoft.Compute/skus", apiComputeSKUs, (*Emulator).listSKUs),
	newRoute("GET", "subscriptions/{sub}/providers/Microsoft.Compute/locations/{loc}/usages", apiComputeUsages, (*Emulator).listUsages),
	newRoute("GET", "subscriptions/{sub}/providers/Microsoft.Network/locations/{loc}/serviceTags", apiNetwork, (*Emulator).listServiceTags),
	newRoute("GET", "subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}", apiNetwork, (*Emulator).getSubnet),
}

// match reports whether the path segments fit the pattern, and its values.
func (rt route) match(segs []string) (params, bool) {
	if len(segs) != len(rt.pattern) {
		return nil, false
	}
	p := params{}
	for i, pat := range rt.pattern {
		if strings.HasPrefix(pat, "{") {
			if segs[i] == "" {
				return nil, false
			}
			p[strings.Trim(pat, "{}")] = segs[i]
		} else if !strings.EqualFold(pat, segs[i]) {
			return nil, false
		}
	}
	return p, true
}

// route finds the request's route, checks its api-version and the
// subscription, and serves it.
func (e *Emulator) route(w http.ResponseWriter, req *http.Request) error {
	segs := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	var allowed []string
	for _, rt := range routes {
		p, ok := rt.match(segs)
		if !ok {
			continue
		}
		if rt.method != req.Method {
			allowed = append(allowed, rt.method)
			continue
		}
		if err := checkAPIVersion(req, rt.api); err != nil {
			return err
		}
		if sub, ok := p["sub"]; ok && !strings.EqualFold(sub, SubscriptionID) {
			return errorf(http.StatusNotFound, "SubscriptionNotFound", "The subscription '%s' could not be found.", sub)
		}
		return rt.serve(e, w, req, p)
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(slices.Compact(allowed), ", "))
		return errorf(http.StatusMethodNotAllowed, "HttpMethodNotAllowed", "The HTTP method '%s' is not supported for this resource.", req.Method)
	}
	return errorf(http.StatusNotFound, "InvalidResourceType", "The resource type for path '%s' could not be found.", req.URL.Path)
}

func checkAPIVersion(req *http.Request, want string) error {
	got := req.URL.Query().Get("api-version")
	if got == "" {
		return errorf(http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
	}
	if got != want {
		return errorf(http.StatusBadRequest, "InvalidApiVersionParameter", "The api-version '%s' is invalid. The supported versions are '%s'.", got, want)
	}
	return nil
}

// baseURL is the scheme and host the request came to, for the absolute
// URLs of operation status resources.
func baseURL(req *http.Request) string {
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + req.Host
}
