// The attach page's fields: the cluster picker and what Azure says of the chosen cluster.

package app

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

func (f *Form) renderAttachFields() app.UI {
	t := f.req.Target
	opts := []option{{"", "Choose a cluster, or give its resource ID below"}}
	for _, c := range f.clusters {
		label := fmt.Sprintf("%s (%s, %s, Kubernetes %s, %s load balancer", c.Name, c.ResourceGroup, c.Location, c.Version, orDash(c.LoadBalancerSKU))
		if c.Private {
			label += ", private"
		}
		if len(c.AuthorizedIPRanges) > 0 {
			label += ", authorized ranges"
		}
		if f.v2() {
			if e, ok := azureMLExtension(&c); ok {
				label += ", Azure ML extension " + orDash(e.State)
			}
		}
		opts = append(opts, option{strings.ToLower(c.ID), label + ")"})
	}
	picked := ""
	if id, ok := f.req.TargetID(); ok && t.ResourceID == "" {
		picked = strings.ToLower(id)
	}
	return app.Elem("fieldset").Body(
		app.Elem("legend").Text("Cluster to attach"),
		f.selectField(rules.FieldTargetName, "Cluster", picked, "The clusters of the workspace's subscription.", opts, func(v string) {
			for _, c := range f.clusters {
				if strings.ToLower(c.ID) == v {
					f.req.Target = rules.Target{ResourceGroup: c.ResourceGroup, Name: c.Name}
					if !strings.EqualFold(c.Subscription, f.req.Workspace.Subscription) {
						f.req.Target = rules.Target{ResourceID: c.ID}
					}
					return
				}
			}
			f.req.Target = rules.Target{}
		}),
		f.text(rules.FieldTargetID, "Or the cluster's resource ID", t.ResourceID, "/subscriptions/…/resourceGroups/…/providers/Microsoft.ContainerService/managedClusters/…", "", func(v string) {
			f.req.Target.ResourceID = strings.TrimSpace(v)
			if v != "" {
				f.req.Target.ResourceGroup, f.req.Target.Name = "", ""
			}
		}),
		findingsList("f-target-findings", f.visible(rules.FieldTarget)),
		findingsList("f-target-resourceGroup-findings", f.visible(rules.FieldTargetRG)),
		f.meter(),
		f.clusterFacts(),
		f.versionsTable(),
	)
}

// clusterFacts shows the attach target's version against the location's
// default and, for a Kubernetes compute, the facts the v2 rules read.
func (f *Form) clusterFacts() app.UI {
	cl := f.facts.Cluster
	if cl == nil {
		return app.Elem("div").ID("cluster-facts").Class("empty")
	}
	def, _ := rules.DefaultVersion(f.facts.Versions)
	rows := []app.UI{
		app.Elem("dt").Text("Kubernetes"), app.Elem("dd").Text(cl.Version + " (the location's default is " + orDash(def.Version) + ")"),
		app.Elem("dt").Text("Load balancer"), app.Elem("dd").Text(orDash(cl.LoadBalancerSKU)),
		app.Elem("dt").Text("Authorized IP ranges"), app.Elem("dd").Text(orDash(strings.Join(cl.AuthorizedIPRanges, ", "))),
		app.Elem("dt").Text("Node pools"), app.Elem("dd").Text(poolsText(cl.Pools)),
	}
	if f.v2() {
		rows = append(rows, f.kubernetesClusterFacts(cl)...)
	}
	return app.Elem("dl").ID("cluster-facts").Class("facts").Body(rows...)
}

func poolsText(ps []rules.Pool) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%s: %d × %s", p.Name, p.Count, p.VMSize))
	}
	return orDash(strings.Join(parts, "; "))
}
