// The create page's fields: location, VM size and its vCPU meter, Kubernetes versions.

package app

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

func (f *Form) renderCreateFields() app.UI {
	r := f.req
	loc := r.Location
	if loc == "" {
		loc = f.facts.WorkspaceLocation
	}
	sizes := f.vmSizes()
	if p := f.cfg.Policy; p != nil && len(p.VMSizes) > 0 {
		var allowed []rules.VMSize
		for _, s := range sizes {
			if slices.ContainsFunc(p.VMSizes, func(a string) bool { return strings.EqualFold(a, s.Name) }) {
				allowed = append(allowed, s)
			}
		}
		sizes = allowed // the picker offers only what the platform team allows
	}
	n := r.Network
	// The suggestions of the location and VM size boxes (64 options) are
	// shown only once one of them has had the focus, so they are built
	// then, not at mount nor on every keystroke before (issue 13).
	var locs []rules.Location
	var listSizes []rules.VMSize
	if f.listsOn {
		locs, listSizes = f.locationChoices(), sizes
	}
	return app.Elem("div").Body(
		app.Elem("fieldset").Body(
			app.Elem("legend").Text("Size"),
			f.field(rules.FieldLocation, "Location", "Defaults to the workspace's location.", func(id, desc string, invalid bool) app.UI {
				return app.Elem("div").Body(
					app.Input().Type("text").ID(id).Name(rules.FieldLocation).Value(typed(id, r.Location)).List("locations").
						Placeholder(placeholderOr(f.facts.WorkspaceLocation, "the workspace's location")).
						Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).AutoComplete(false).Spellcheck(false).
						OnInput(f.set(rules.FieldLocation, func(v string) { f.req.Location = strings.ToLower(strings.TrimSpace(v)) })).
						OnChange(f.change(rules.FieldLocation, func(v string) { f.req.Location = strings.ToLower(strings.TrimSpace(v)) })).
						OnFocus(f.showLists).OnClick(f.showLists),
					app.Elem("datalist").ID("locations").Body(
						app.Range(locs).Slice(func(i int) app.UI {
							l := locs[i]
							return app.Elem("option").Attr("value", l.Name).Text(l.DisplayName)
						}),
					),
				)
			}),
			f.field(rules.FieldVMSize, "VM size", "Type or pick; the list is the sizes of "+placeholderOr(loc, "the location")+".", func(id, desc string, invalid bool) app.UI {
				return app.Elem("div").Body(
					app.Input().Type("text").ID(id).Name(rules.FieldVMSize).Value(typed(id, r.VMSize)).Placeholder(rules.DefaultVMSize).List("vm-sizes").
						Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).AutoComplete(false).Spellcheck(false).
						OnInput(f.set(rules.FieldVMSize, func(v string) { f.req.VMSize = strings.TrimSpace(v) })).
						OnFocus(f.showLists).OnClick(f.showLists),
					app.Elem("datalist").ID("vm-sizes").Body(
						app.Range(listSizes).Slice(func(i int) app.UI {
							s := listSizes[i]
							label := sizeLabel(s)
							if m, ok := f.prices.Monthly(s.Name, 1); ok {
								label += ", " + money(m, f.prices.Currency) + " a month"
							}
							return app.Elem("option").Attr("value", s.Name).Text(label)
						}),
					),
				)
			}),
			f.field(rules.FieldNodeCount, "Node count", "", func(id, desc string, invalid bool) app.UI {
				return app.Input().Type("text").Attr("inputmode", "numeric").ID(id).Name(rules.FieldNodeCount).Value(typed(id, f.nodeText)).
					Placeholder("%d", rules.DefaultNodeCount).Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).
					AutoComplete(false).OnInput(f.set(rules.FieldNodeCount, func(v string) { f.nodeText = v }))
			}),
			f.sizeTable(sizes, loc),
			f.meter(),
			f.cost(),
			f.versionsTable(),
		),
		openIf(app.Elem("details").ID("network"), !n.IsZero()).Body(
			app.Elem("summary").Text("Virtual network (optional: all six settings or none)"),
			f.text(rules.FieldVnetRG, "Virtual network resource group", n.VnetResourceGroup, "network-rg", "", func(v string) { f.req.Network.VnetResourceGroup = v }),
			f.text(rules.FieldVnetName, "Virtual network name", n.VnetName, "ml-vnet", "", func(v string) { f.req.Network.VnetName = v }),
			f.text(rules.FieldSubnetName, "Subnet name", n.SubnetName, "aks-subnet", "", func(v string) { f.req.Network.SubnetName = v }),
			f.text(rules.FieldServiceCIDR, "Service CIDR", n.ServiceCIDR, "10.0.0.0/16", "Must not overlap the subnet or the docker bridge.", func(v string) { f.req.Network.ServiceCIDR = strings.TrimSpace(v) }),
			f.text(rules.FieldDNSServiceIP, "DNS service IP", n.DNSServiceIP, "10.0.0.10", "Inside the service CIDR, not its .1.", func(v string) { f.req.Network.DNSServiceIP = strings.TrimSpace(v) }),
			f.text(rules.FieldDockerBridge, "Docker bridge CIDR", n.DockerBridgeCIDR, "172.17.0.1/16", "", func(v string) { f.req.Network.DockerBridgeCIDR = strings.TrimSpace(v) }),
		),
	)
}

// builtinLocations are the regions the picker offers until the proxy has
// said which the subscription can use.
var builtinLocations = func() []rules.Location {
	out := make([]rules.Location, 0, len(rules.RegionPairs))
	for r, pair := range rules.RegionPairs {
		out = append(out, rules.Location{Name: r, Paired: pair})
	}
	rules.SortSmall(out, func(a, b rules.Location) int { return strings.Compare(a.Name, b.Name) })
	return out
}()

// showLists builds the suggestions of the location and VM size boxes, on
// their first focus (or click: a window without the focus gets no focus
// event).
func (f *Form) showLists(ctx app.Context, e app.Event) {
	f.listsOn = true
	f.wantLocations(ctx)
}

func (f *Form) locationChoices() []rules.Location {
	if len(f.locations) > 0 {
		return f.locations
	}
	return builtinLocations
}

func sizeLabel(s rules.VMSize) string {
	l := fmt.Sprintf("%d vCPUs, %g GB", s.VCPUs, s.MemoryGB)
	if s.GPUs > 0 {
		l += fmt.Sprintf(", %d GPU", s.GPUs)
	}
	if s.FPGA {
		l += ", FPGA"
	}
	return l
}

// vmSizes are the location's VM sizes from Azure, or the built-in catalogue.
func (f *Form) vmSizes() []rules.VMSize {
	if f.facts.VMSizes != nil {
		return f.facts.VMSizes
	}
	return rules.Catalog
}

// meter shows nodes × cores against the purpose's minimum (P2, P3, T5) and,
// on a create, against what is left of the size's vCPU quotas (Q1).
func (f *Form) meter() app.UI {
	r := f.request().Normalized(f.facts.WorkspaceLocation)
	need := rules.MinVCPUs(r.Purpose)
	var have int
	var text string
	var quotas []rules.Quota // the size's family and regional vCPU quotas (Q1)
	if r.Mode == rules.ModeAttach {
		cl := f.facts.Cluster
		if cl == nil {
			return app.Elem("div").ID("vcpu-meter").Class("meter empty")
		}
		have = cl.VCPUs()
		text = fmt.Sprintf("%d of %d vCPUs over the cluster's node pools", have, need)
	} else {
		sizes := f.facts.VMSizes
		if sizes == nil {
			sizes = rules.Catalog
		}
		size, ok := rules.FindVMSize(sizes, r.VMSize)
		if !ok {
			return app.Elem("div").ID("vcpu-meter").Class("meter empty")
		}
		if t := strings.TrimSpace(f.nodeText); r.NodeCount < 1 || r.NodeCount > rules.MaxPoolNodes || (t != "" && !nodeTextOK(t)) {
			// Never a count from a node count the rules refuse.
			return app.Elem("div").ID("vcpu-meter").Class("meter short").DataSet("state", "invalid").Body(
				app.Elem("span").Text(fmt.Sprintf("No vCPU count until the node count is a whole number from 1 to %d.", rules.MaxPoolNodes)),
			)
		}
		have = r.NodeCount * size.VCPUs
		text = fmt.Sprintf("%d of %d vCPUs: %s × %s of %s", have, need, rules.Count(r.NodeCount, "node"), rules.Count(size.VCPUs, "core"), size.Name)
		if have < need {
			text += fmt.Sprintf(" — %s would pass", rules.Count(rules.MinNodes(r.Purpose, size), "node"))
		}
		quotas = rules.QuotasFor(f.facts.Quotas, size)
	}
	cls := "meter ok"
	over := false
	for _, q := range quotas {
		over = over || int64(have) > q.Left()
	}
	if have < need || over {
		cls = "meter short"
	}
	return app.Elem("div").ID("vcpu-meter").Class(cls).Body(
		app.Elem("meter").Attr("min", 0).Attr("max", max(need*2, have)).Attr("low", need).Attr("optimum", need*2).Attr("value", have).Aria("label", "vCPUs"),
		app.Elem("span").Text(text),
		app.If(len(quotas) > 0, func() app.UI {
			return app.Ul().ID("vcpu-quota").Class("quota").Body(app.Range(quotas).Slice(func(i int) app.UI {
				q := quotas[i]
				state := "ok"
				if int64(have) > q.Left() {
					state = "over"
				}
				return app.Li().DataSet("state", state).Text(fmt.Sprintf("Quota in %s: %s, %d of %d in use, %d left", r.Location, q.Title(), q.Used, q.Limit, q.Left()))
			}))
		}),
	)
}

// versionsTable shows the location's Kubernetes versions (K4).
func (f *Form) versionsTable() app.UI {
	vs := append([]rules.KubernetesVersion(nil), f.facts.Versions...)
	if len(vs) == 0 {
		return app.Elem("div").ID("versions").Class("empty")
	}
	rules.SortSmall(vs, func(a, b rules.KubernetesVersion) int { return rules.CompareVersions(b.Version, a.Version) })
	mark := func(b bool) string {
		if b {
			return "yes"
		}
		return ""
	}
	return app.Elem("details").ID("versions").Body(
		app.Elem("summary").Text("Kubernetes versions of this location"),
		app.Elem("table").Class("versions").Body(
			app.Elem("thead").Body(app.Elem("tr").Body(app.Elem("th").Text("Version"), app.Elem("th").Text("Default"), app.Elem("th").Text("Preview"), app.Elem("th").Text("Upgrades"))),
			app.Elem("tbody").Body(app.Range(vs).Slice(func(i int) app.UI {
				v := vs[i]
				up := strings.Join(v.Upgrades, ", ")
				if up == "" {
					up = "None available"
				}
				return app.Elem("tr").Body(app.Elem("td").Text(v.Version), app.Elem("td").Text(mark(v.Default)), app.Elem("td").Text(mark(v.Preview)), app.Elem("td").Text(up))
			})),
		),
	)
}
