package rules

import (
	"strings"
	"testing"
)

// attachFacts are the facts of a healthy attach target in the workspace's region.
func attachFacts() Facts {
	return Facts{
		WorkspaceLocation: "eastus",
		PairedRegion:      "westus",
		Versions: []KubernetesVersion{
			{Version: "1.33.2", Preview: true},
			{Version: "1.32.7", Default: true, Upgrades: []string{"1.33.2"}},
			{Version: "1.31.10", Upgrades: []string{"1.32.7"}},
		},
		Cluster: &Cluster{
			ID: testClusterID, Name: "aks1", ResourceGroup: "rg-aks", Subscription: testSub,
			Location: "eastus", Version: "1.32.7", LoadBalancerSKU: "standard",
			Pools: []Pool{{Name: "system", System: true, VMSize: "Standard_D4s_v3", Count: 3, VCPUs: 4}},
		},
		AMLRanges: []string{"20.42.0.0/24", "13.86.1.0/26"},
	}
}

func TestParseClusterID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		id      string
		want    ClusterRef
		wantErr string
	}{
		{name: "canonical", id: testClusterID, want: ClusterRef{testSub, "rg-aks", "aks1"}},
		{name: "segment names in any case, trailing slash",
			id:   "/SUBSCRIPTIONS/" + testSub + "/resourcegroups/RG-Aks/PROVIDERS/microsoft.containerservice/MANAGEDCLUSTERS/Aks1/",
			want: ClusterRef{testSub, "RG-Aks", "Aks1"}},
		{name: "empty", id: "", wantErr: "must look like"},
		{name: "no leading slash", id: strings.TrimPrefix(testClusterID, "/"), wantErr: "must look like"},
		{name: "too short", id: "/subscriptions/" + testSub + "/resourceGroups/rg-aks", wantErr: "must look like"},
		{name: "too long", id: testClusterID + "/agentPools/nodepool1", wantErr: "must look like"},
		{name: "another resource type", id: "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1", wantErr: "Microsoft.Compute/virtualMachines"},
		{name: "misspelled subscriptions", id: "/subscription/" + testSub + "/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1", wantErr: "must look like"},
		{name: "bad subscription", id: "/subscriptions/abc/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1", wantErr: "not a subscription ID"},
		{name: "bad resource group", id: "/subscriptions/" + testSub + "/resourceGroups/rg%/providers/Microsoft.ContainerService/managedClusters/aks1", wantErr: "resource group"},
		{name: "bad cluster name", id: "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks.1", wantErr: "cluster name"},
		{name: "empty cluster name", id: "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters//", wantErr: "cluster name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseClusterID(tt.id)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("ParseClusterID(%q) error = %v, want one holding %q", tt.id, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseClusterID(%q) = %+v, %v; want %+v", tt.id, got, err, tt.want)
			}
			if again, err := ParseClusterID(got.ID()); err != nil || again != got {
				t.Errorf("ID() does not parse back: %q", got.ID())
			}
		})
	}
}

func TestTargetID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		target Target
		want   string
		ok     bool
	}{
		{"by ID, canonicalised", Target{ResourceID: strings.ToLower(testClusterID)}, "/subscriptions/" + testSub + "/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1", true},
		{"by group and name in the workspace's subscription", Target{ResourceGroup: "rg-aks", Name: "aks1"}, testClusterID, true},
		{"bad ID", Target{ResourceID: "/nope"}, "", false},
		{"name only", Target{Name: "aks1"}, "", false},
		{"bad name", Target{ResourceGroup: "rg", Name: "a b"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validAttach()
			req.Target = tt.target
			got, ok := req.TargetID()
			if got != tt.want || ok != tt.ok {
				t.Errorf("TargetID() = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestValidateAttach(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(*Request)
		facts func(*Facts)
		want  []string
	}{
		{name: "valid by ID", edit: func(r *Request) {}, facts: func(f *Facts) {}},
		{name: "valid by group and name", edit: func(r *Request) { r.Target = Target{ResourceGroup: "rg-aks", Name: "aks1"} }, facts: func(f *Facts) {}},
		{name: "valid with no facts about the cluster", edit: func(r *Request) {}, facts: func(f *Facts) { *f = Facts{WorkspaceLocation: "eastus"} }},

		// T1: by ID or by group and name, not both.
		{name: "T1 no target", edit: func(r *Request) { r.Target = Target{} }, facts: func(f *Facts) {},
			want: []string{"T1 target error"}},
		{name: "T1 both", edit: func(r *Request) { r.Target.Name = "aks1" }, facts: func(f *Facts) {},
			want: []string{"T1 target error"}},
		{name: "T1 name without group", edit: func(r *Request) { r.Target = Target{Name: "aks1"} }, facts: func(f *Facts) {},
			want: []string{"T1 target.resourceGroup error"}},
		{name: "T1 group without name", edit: func(r *Request) { r.Target = Target{ResourceGroup: "rg-aks"} }, facts: func(f *Facts) {},
			want: []string{"T1 target.name error"}},

		// T2: the shape of the resource ID; a cluster that does not exist.
		{name: "T2 not an AKS ID", edit: func(r *Request) {
			r.Target.ResourceID = "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
		}, facts: func(f *Facts) {}, want: []string{"T2 target.resourceId error"}},
		{name: "T2 bad group and name", edit: func(r *Request) { r.Target = Target{ResourceGroup: "rg?", Name: "aks 1"} }, facts: func(f *Facts) {},
			want: []string{"T2 target.resourceGroup error", "T2 target.name error"}},
		{name: "T2 cluster missing", edit: func(r *Request) {}, facts: func(f *Facts) { f.Cluster, f.ClusterMissing = nil, true },
			want: []string{"T2 target.resourceId error"}},
		{name: "T2 cluster missing by name", edit: func(r *Request) { r.Target = Target{ResourceGroup: "rg-aks", Name: "aks1"} },
			facts: func(f *Facts) { f.Cluster, f.ClusterMissing = nil, true },
			want:  []string{"T2 target.name error"}},

		// T3: another region is fine, with a note.
		{name: "T3 cluster in another region", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.Location = "westeurope"
			f.ClusterVersions = f.Versions
		}, want: []string{"T3 target.resourceId info"}},

		// T4: never attach the same cluster twice.
		{name: "T4 already attached", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Computes = []Compute{{Name: "aks-first", Type: "AKS", ClusterID: strings.ToUpper(testClusterID), Attached: true}}
		}, want: []string{"T4 target.resourceId error"}},
		{name: "T4 already attached, target by name", edit: func(r *Request) { r.Target = Target{ResourceGroup: "rg-aks", Name: "aks1"} },
			facts: func(f *Facts) { f.Computes = []Compute{{Name: "aks-first", Type: "AKS", ClusterID: testClusterID}} },
			want:  []string{"T4 target.name error"}},
		{name: "T4 attached in another workspace", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Attachments = []Attachment{{Workspace: "/subscriptions/s2/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws-other", Name: "aks-there", Type: "AKS"}}
		}, want: []string{"T4 target.resourceId error"}},
		{name: "T4 a Kubernetes compute elsewhere does not hold an AKS attach", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Attachments = []Attachment{{Workspace: "/subscriptions/s2/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws-other", Name: "k8s-there", Type: "Kubernetes"}}
		}},
		{name: "T4 another cluster attached is fine", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Computes = []Compute{{Name: "aks-other", Type: "AKS", ClusterID: strings.Replace(testClusterID, "aks1", "aks2", 1)}}
		}},

		// T5: vCPUs summed over the node pools.
		{name: "T5 production too small", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.Pools = []Pool{{Name: "system", System: true, VMSize: "Standard_D2_v2", Count: 2, VCPUs: 2}, {Name: "user", VMSize: "Standard_D2_v2", Count: 1, VCPUs: 2}}
		}, want: []string{"T5 target.resourceId error"}},
		{name: "T5 production summed over pools passes", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.Pools = []Pool{{Name: "system", System: true, VMSize: "Standard_D2_v2", Count: 2, VCPUs: 2}, {Name: "user", VMSize: "Standard_D4_v2", Count: 1, VCPUs: 8}}
		}},
		{name: "T5 dev/test one small node passes", edit: func(r *Request) { r.Purpose = PurposeDevTest }, facts: func(f *Facts) {
			f.Cluster.Pools = []Pool{{Name: "system", System: true, VMSize: "Standard_D2_v2", Count: 1, VCPUs: 2}}
		}, want: []string{"P4 purpose warning"}},
		{name: "T5 dev/test too small", edit: func(r *Request) { r.Purpose = PurposeDevTest }, facts: func(f *Facts) {
			f.Cluster.Pools = []Pool{{Name: "system", System: true, VMSize: "Standard_A1_v2", Count: 1, VCPUs: 1}}
		}, want: []string{"P4 purpose warning", "T5 target.resourceId warning"}}, // a recommendation, as P3
		{name: "T5 dev/test one node is enough for P5", edit: func(r *Request) { r.Purpose = PurposeDevTest }, facts: func(f *Facts) {
			f.Cluster.Pools = []Pool{{Name: "system", System: true, VMSize: "Standard_D4s_v3", Count: 1, VCPUs: 4}}
		}, want: []string{"P4 purpose warning"}},

		// P5 on attach: production needs 3 nodes, counted over the pools.
		{name: "P5 production attach of two nodes", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.Pools = []Pool{{Name: "system", System: true, VMSize: "Standard_D8s_v3", Count: 2, VCPUs: 8}}
		}, want: []string{"P5 target.resourceId error"}},
		{name: "P5 production attach counts every pool", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.Pools = []Pool{{Name: "system", System: true, VMSize: "Standard_D8s_v3", Count: 2, VCPUs: 8}, {Name: "user", VMSize: "Standard_D8s_v3", Count: 1, VCPUs: 8}}
		}},
		{name: "T5 skipped when cores are unknown", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.Pools = []Pool{{Name: "system", System: true, VMSize: "Custom", Count: 3}}
		}},

		// P7: GPU nodes only in a secondary pool.
		{name: "P7 GPU only in a user pool", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.Pools = append(f.Cluster.Pools, Pool{Name: "gpu", VMSize: "Standard_NC6s_v3", Count: 1, VCPUs: 6, GPU: true})
		}, want: []string{"P7 target.resourceId warning"}},
		{name: "P7 GPU in the system pool", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.Pools = []Pool{{Name: "system", System: true, VMSize: "Standard_NC6s_v3", Count: 3, VCPUs: 6, GPU: true}}
		}},
		{name: "P7 FPGA only in a user pool", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.Pools = append(f.Cluster.Pools, Pool{Name: "fpga", VMSize: "Standard_PB6s", Count: 1, VCPUs: 6, FPGA: true})
		}, want: []string{"P7 target.resourceId warning"}},

		// A1: authorized IP ranges must include the AML control plane's.
		{name: "A1 ranges cover AML", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.AuthorizedIPRanges = []string{"20.42.0.0/16", "13.86.1.0/26", "203.0.113.7"}
		}},
		{name: "A1 one range missing", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.AuthorizedIPRanges = []string{"20.42.0.0/24", "203.0.113.7/32"}
		}, want: []string{"A1 target.resourceId error"}},
		{name: "A1 narrower range does not cover", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.AuthorizedIPRanges = []string{"20.42.0.0/25", "13.86.1.0/26"}
		}, want: []string{"A1 target.resourceId error"}},
		{name: "A1 the service tag AzureMachineLearning", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.AuthorizedIPRanges = []string{"AzureMachineLearning"}
		}},
		{name: "A1 the service tag beside CIDRs", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.AuthorizedIPRanges = []string{"203.0.113.7/32", "azuremachinelearning"}
		}},
		{name: "A1 another service tag cannot be checked: a warning", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.AuthorizedIPRanges = []string{"AzureMachineLearning.EastUS", "20.42.0.0/24"}
		}, want: []string{"A1 target.resourceId warning"}},
		{name: "A1 IPv6 ranges of a dual-stack cluster", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.AMLRanges = []string{"20.42.0.0/24", "2603:1030:20e:3::/64"}
			f.Cluster.AuthorizedIPRanges = []string{"20.42.0.0/16", "2603:1030::/32", "2001:db8::/48"}
		}},
		{name: "A1 an IPv4-only cluster is not missing Azure ML's IPv6 ranges", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.AMLRanges = []string{"20.42.0.0/24", "2603:1030:20e:3::/64"}
			f.Cluster.AuthorizedIPRanges = []string{"20.42.0.0/16"}
		}},
		{name: "A1 a dual-stack cluster missing an IPv6 range", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.AMLRanges = []string{"20.42.0.0/24", "2603:1030:20e:3::/64"}
			f.Cluster.AuthorizedIPRanges = []string{"20.42.0.0/16", "2001:db8::/48"}
		}, want: []string{"A1 target.resourceId error"}},
		{name: "A1 IPv4-mapped IPv6 compares as IPv4", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.AuthorizedIPRanges = []string{"::ffff:20.42.0.0/112", "13.86.1.0/26"}
		}},
		{name: "A1 no authorized ranges means open", edit: func(r *Request) {}, facts: func(f *Facts) { f.Cluster.AuthorizedIPRanges = nil }},

		// A2: authorized ranges need a Standard load balancer.
		{name: "A2 basic load balancer", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.LoadBalancerSKU = "basic"
			f.Cluster.AuthorizedIPRanges = []string{"20.42.0.0/16", "13.86.0.0/16"}
		}, want: []string{"A2 target.resourceId warning", "V4 target.resourceId error"}},
		{name: "V4 a Basic load balancer is retired", edit: func(r *Request) {}, facts: func(f *Facts) { f.Cluster.LoadBalancerSKU = "Basic" },
			want: []string{"V4 target.resourceId error"}},
		{name: "A2 Standard in any case", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.LoadBalancerSKU = "Standard"
			f.Cluster.AuthorizedIPRanges = []string{"20.42.0.0/16", "13.86.0.0/16"}
		}},

		// A3: private clusters.
		{name: "A3 private cluster", edit: func(r *Request) {}, facts: func(f *Facts) { f.Cluster.Private = true },
			want: []string{"A3 target.resourceId info"}},
		{name: "A3 private cluster with a public FQDN", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.Private, f.Cluster.PrivateFQDNPublic = true, true
		}, want: []string{"A3 target.resourceId error"}},

		// K2, K3: the cluster's version.
		{name: "K2 unsupported version", edit: func(r *Request) {}, facts: func(f *Facts) { f.Cluster.Version = "1.27.3" },
			want: []string{"K2 target.resourceId error"}},
		{name: "K2 minor listed matches any patch", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Versions = []KubernetesVersion{{Version: "1.32", Default: true}}
			f.Cluster.Version = "1.32.3"
		}},
		{name: "K2 v prefix", edit: func(r *Request) {}, facts: func(f *Facts) { f.Cluster.Version = "v1.31.10" }},
		{name: "K2 uses the cluster location's versions", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.Location = "westeurope"
			f.ClusterVersions = []KubernetesVersion{{Version: "1.33.1", Default: true}}
		}, want: []string{"T3 target.resourceId info", "K2 target.resourceId error"}},
		{name: "K2 a patch not listed of a listed minor", edit: func(r *Request) {}, facts: func(f *Facts) { f.Cluster.Version = "1.32.5" }},
		{name: "K2 a newer patch of a listed minor", edit: func(r *Request) {}, facts: func(f *Facts) { f.Cluster.Version = "1.31.12" }},
		{name: "K2 an unlisted patch of a preview minor warns as K3", edit: func(r *Request) {}, facts: func(f *Facts) { f.Cluster.Version = "1.33.0" },
			want: []string{"K3 target.resourceId warning"}},
		{name: "K2 newer than any listed is not an error", edit: func(r *Request) {}, facts: func(f *Facts) { f.Cluster.Version = "1.34.1" },
			want: []string{"K2 target.resourceId warning"}},
		{name: "K2 an older minor", edit: func(r *Request) {}, facts: func(f *Facts) { f.Cluster.Version = "1.30.14" },
			want: []string{"K2 target.resourceId error"}},
		{name: "K2 skipped in another region without its versions", edit: func(r *Request) {}, facts: func(f *Facts) {
			f.Cluster.Location = "westeurope"
			f.Cluster.Version = "1.20.0"
		}, want: []string{"T3 target.resourceId info"}},
		{name: "K3 preview version", edit: func(r *Request) {}, facts: func(f *Facts) { f.Cluster.Version = "1.33.2" },
			want: []string{"K3 target.resourceId warning"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validAttach()
			tt.edit(&req)
			facts := attachFacts()
			c := *facts.Cluster
			facts.Cluster = &c
			tt.facts(&facts)
			fs := Validate(req, facts)
			assertFindings(t, fs, tt.want)
			assertWellFormed(t, fs)
		})
	}
}

func TestAttachMessages(t *testing.T) {
	t.Parallel()
	facts := attachFacts()
	facts.Cluster.AuthorizedIPRanges = []string{"20.42.0.0/24"}
	facts.Cluster.Pools = []Pool{{Name: "system", System: true, VMSize: "Standard_D2_v2", Count: 2, VCPUs: 2}, {Name: "user", VMSize: "Standard_D4_v2", Count: 1, VCPUs: 8}}
	facts.Cluster.Version = "1.27.3"
	facts.Computes = []Compute{{Name: "aks-first", Type: "AKS", ClusterID: testClusterID}}
	fs := Validate(validAttach(), facts)
	for _, tc := range []struct{ code, want string }{
		{"A1", "13.86.1.0/26"},
		{"A1", "eastus and westus"},
		{"K2", "1.33.2, 1.32.7, 1.31.10"},
		{"T4", `"aks-first"`},
	} {
		if f, ok := findCode(fs, tc.code); !ok || !strings.Contains(f.Message, tc.want) {
			t.Errorf("%s message = %q, want it to hold %q", tc.code, f.Message, tc.want)
		}
	}
	if f, _ := findCode(fs, "A1"); strings.Contains(f.Message, "20.42.0.0/24") {
		t.Errorf("A1 lists a range that is present: %q", f.Message)
	}
	if f, ok := findCode(fs, "T5"); ok {
		t.Errorf("T5 with 12 vCPUs over two pools: %+v", f)
	}
	facts.Cluster.Pools[1].Count = 0
	f, _ := findCode(Validate(validAttach(), facts), "T5")
	if want := "2 × 2 (Standard_D2_v2) + 0 × 8 (Standard_D4_v2) = 4"; !strings.Contains(f.Message, want) {
		t.Errorf("T5 message = %q, want %q", f.Message, want)
	}
	if f, _ := findCode(fs, "T4"); !strings.Contains(f.Fix, "detach") {
		t.Errorf("T4 fix = %q, want it to say detach first", f.Fix)
	}
}

func TestK1DefaultVersion(t *testing.T) {
	t.Parallel()
	facts := attachFacts()
	f, ok := findCode(Validate(validCreate(), facts), "K1")
	if !ok || f.Severity != SeverityInfo || f.Field != FieldLocation || !strings.Contains(f.Message, "1.32.7") || !strings.Contains(f.Message, "eastus") {
		t.Errorf("K1 = %+v, want an info on location naming 1.32.7 and eastus", f)
	}
	facts.Versions = []KubernetesVersion{{Version: "1.32.7"}}
	if f, ok := findCode(Validate(validCreate(), facts), "K1"); ok {
		t.Errorf("K1 without a default version = %+v", f)
	}
	// Attach never gets K1.
	if f, ok := findCode(Validate(validAttach(), attachFacts()), "K1"); ok {
		t.Errorf("K1 on attach = %+v", f)
	}
}

// TestCanonicalTarget: a target given by resource group and name, or by an
// ID in any case, becomes one resource ID; an unreadable one stays as typed.
func TestCanonicalTarget(t *testing.T) {
	t.Parallel()
	ws := WorkspaceRef{Subscription: "00000000-0000-0000-0000-000000000001", ResourceGroup: "ml", Name: "ws"}
	want := "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1"
	for _, tc := range []struct {
		name   string
		target Target
		want   string
	}{
		{"by name", Target{ResourceGroup: "rg-aks", Name: "aks1"}, want},
		{"by ID", Target{ResourceID: want}, want},
		{"unreadable ID", Target{ResourceID: "not-an-id"}, "not-an-id"},
	} {
		r := Request{Mode: ModeAttach, Workspace: ws, Target: tc.target}
		if got := r.WithCanonicalTarget().Target; got != (Target{ResourceID: tc.want}) {
			t.Errorf("%s: target %+v, want ID %s", tc.name, got, tc.want)
		}
		if got := r.TargetResourceID(); got != tc.want {
			t.Errorf("%s: TargetResourceID %s, want %s", tc.name, got, tc.want)
		}
	}
	c := Request{Mode: ModeCreate, Target: Target{Name: "x"}}
	if c.WithCanonicalTarget().Target != c.Target {
		t.Error("a create's request changed")
	}
}
