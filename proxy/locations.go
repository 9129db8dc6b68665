package proxy

import (
	"net/http"
	"regexp"

	"github.com/amlaks/amlaks/rules"
)

var locationName = regexp.MustCompile(`^[a-z0-9]{2,40}$`)

// locationAndSubscription reads {location} and ?subscription= and checks them.
func (s *Server) locationAndSubscription(r *http.Request) (sub, loc string, err error) {
	loc = r.PathValue("location")
	if !locationName.MatchString(loc) {
		return "", "", rules.Errorf(rules.ErrInvalid, "location", "The location must be an Azure region name such as eastus.")
	}
	sub = r.URL.Query().Get("subscription")
	if sub == "" {
		sub = s.cfg.DefaultSubscription
	}
	if err := s.checkSubscription(sub); err != nil {
		return "", "", err
	}
	return sub, loc, nil
}

// checkSubscription checks the shape of a subscription from the query and
// that the policy allows it (G1), before anything is read from it.
func (s *Server) checkSubscription(sub string) error {
	if err := checkSubscriptionShape(sub); err != nil {
		return err
	}
	if g1 := rules.CheckScope(s.cfg.Policy, rules.WorkspaceRef{Subscription: sub}); len(g1) > 0 {
		return refusal(g1)
	}
	return nil
}

func checkSubscriptionShape(sub string) error {
	if sub == "" {
		// Checked here: rules reports an all-empty workspace on the picker
		// (workspace.name), not on the subscription.
		return rules.Errorf(rules.ErrInvalid, "subscription", "A subscription ID is required: give ?subscription=, or start the proxy with --subscription.")
	}
	for _, f := range rules.CheckWorkspace(rules.WorkspaceRef{Subscription: sub}).For(rules.FieldSubscription) {
		return &rules.Error{Code: rules.ErrInvalid, Field: "subscription", Message: f.Message}
	}
	return nil
}

// listLocations serves GET /api/locations?subscription=: the regions of a
// subscription, for the location picker.
func (s *Server) listLocations(w http.ResponseWriter, r *http.Request) error {
	sub := r.URL.Query().Get("subscription")
	if sub == "" {
		sub = s.cfg.DefaultSubscription
	}
	if err := s.checkSubscription(sub); err != nil {
		return err
	}
	locs, err := s.facts.Locations(r.Context(), sub)
	if err != nil {
		return err
	}
	if locs == nil {
		locs = []rules.Location{}
	}
	writeJSON(w, http.StatusOK, rules.LocationList{Locations: locs})
	return nil
}

// listVersions serves GET /api/locations/{location}/versions: the Kubernetes
// versions of a location (K4).
func (s *Server) listVersions(w http.ResponseWriter, r *http.Request) error {
	sub, loc, err := s.locationAndSubscription(r)
	if err != nil {
		return err
	}
	vs, err := s.facts.KubernetesVersions(r.Context(), sub, loc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rules.VersionList{Location: loc, Versions: vs})
	return nil
}

// listVMSizes serves GET /api/locations/{location}/vmsizes: the VM sizes of a
// location with their cores, memory and accelerators.
func (s *Server) listVMSizes(w http.ResponseWriter, r *http.Request) error {
	sub, loc, err := s.locationAndSubscription(r)
	if err != nil {
		return err
	}
	sizes, err := s.facts.VMSizes(r.Context(), sub, loc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rules.VMSizeList{Location: loc, VMSizes: sizes})
	return nil
}

// listClusters serves GET /api/clusters?subscription=: the AKS clusters an
// attach can pick, with version, load balancer, private flag and ranges;
// those in a subscription or resource group the policy does not allow (G1)
// are left out.
func (s *Server) listClusters(w http.ResponseWriter, r *http.Request) error {
	sub := r.URL.Query().Get("subscription")
	if sub == "" {
		sub = s.cfg.DefaultSubscription
	}
	if err := s.checkSubscription(sub); err != nil {
		return err
	}
	all, err := s.facts.Clusters(r.Context(), sub)
	if err != nil {
		return err
	}
	cs := []rules.Cluster{}
	for _, c := range all {
		if len(rules.CheckClusterScope(s.cfg.Policy, c.ID, rules.FieldTargetID)) == 0 {
			cs = append(cs, c)
		}
	}
	writeJSON(w, http.StatusOK, rules.ClusterList{Clusters: cs})
	return nil
}
