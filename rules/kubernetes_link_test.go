package rules

import (
	"reflect"
	"testing"
)

func TestKubernetesLinkRoundTrip(t *testing.T) {
	t.Parallel()
	req := Request{Mode: ModeCreate, Kind: KindKubernetes, Name: "k8s-a",
		Kubernetes: Kubernetes{Namespace: "team-a", Version: "1.32", Training: true, RouterServiceType: RouterNodePort,
			AllowInsecure: true, SingleRouter: true, NvidiaDevicePlugin: true,
			NodeSelector: map[string]string{"agentpool": "gpu", "zone": "1"}, Identity: IdentityUserAssigned,
			UserIdentity:       "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-a",
			AuthorizedIPRanges: []string{"203.0.113.0/24", "198.51.100.7"}}}
	q := EncodeLink(req)
	if q.Get("kind") != "Kubernetes" {
		t.Fatalf("kind = %q, want Kubernetes in %v", q.Get("kind"), q)
	}
	got, finds := DecodeLink(q)
	if len(finds) > 0 {
		t.Fatalf("findings: %v", finds)
	}
	if !reflect.DeepEqual(got, req) {
		t.Fatalf("mismatch:\nwant %+v\n got %+v", req, got)
	}
}

func TestKubernetesLinkBadValues(t *testing.T) {
	t.Parallel()
	_, finds := DecodeLink(map[string][]string{"kind": {"Kubernetes"}, "http": {"maybe"}, "nodeSelector": {"agentpool"}})
	var fields []string
	for _, f := range finds {
		fields = append(fields, f.Code+" "+f.Field)
	}
	want := []string{"U2 kubernetes.allowInsecure", "U2 kubernetes.nodeSelector"}
	if !reflect.DeepEqual(fields, want) {
		t.Fatalf("findings = %v, want %v", fields, want)
	}
}

func TestLegacyLinkHasNoKind(t *testing.T) {
	t.Parallel()
	req, _ := DecodeLink(map[string][]string{"mode": {"create"}, "name": {"aks-a"}})
	if !req.Kind.Legacy() {
		t.Fatalf("a link without kind is %q, want legacy AKS", req.Kind)
	}
}
