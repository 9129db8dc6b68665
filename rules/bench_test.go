package rules

import "testing"

func BenchmarkValidate(b *testing.B) {
	m := material(b)
	create := fullCreate(b)
	create.LoadBalancer = LoadBalancer{Type: LoadBalancerPublicIP}
	create.TLS = TLS{Mode: TLSCustom, CertPEM: m.cert, KeyPEM: m.key, CNAME: "score.example.com"}
	createFacts := Facts{WorkspaceLocation: "westeurope", VMSizes: Catalog, Versions: eastusVersions(), SubnetPrefix: "10.240.0.0/16", Now: testNow}

	attach := fullAttach()
	attachFacts := fuzzFacts()
	attachFacts.Policy = nil
	attachFacts.Computes = []Compute{{Name: "aks-other", Type: "AKS", ClusterID: "/subscriptions/" + testSub + "/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks2"}}
	attachFacts.VMSizes = Catalog
	attachFacts.Versions = eastusVersions()
	attachFacts.Cluster.Pools = append(attachFacts.Cluster.Pools, Pool{Name: "user", VMSize: "Standard_D8s_v3", Count: 2, VCPUs: 8})
	attachFacts.Cluster.AuthorizedIPRanges = []string{"20.42.0.0/16", "13.86.0.0/16", "203.0.113.0/24"}
	for i := range 20 {
		attachFacts.Computes = append(attachFacts.Computes, Compute{Name: "cpu-" + string(rune('a'+i)), Type: "AmlCompute"})
	}

	for _, bc := range []struct {
		name  string
		req   Request
		facts Facts
	}{
		{"create", create, createFacts},
		{"attach", attach, attachFacts},
	} {
		if fs := Validate(bc.req, bc.facts); fs.HasErrors() {
			b.Fatalf("%s request has errors:\n%s", bc.name, dumpFindings(fs))
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Validate(bc.req, bc.facts)
			}
		})
	}
}
