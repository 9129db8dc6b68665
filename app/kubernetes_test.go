package app

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/amlaks/amlaks/rules"
)

func TestNewRequestIsKubernetes(t *testing.T) {
	for _, tt := range []struct {
		query string
		want  bool
	}{
		{"", true},
		{"mode=attach", true},
		{"mode=create&embed=1", true},
		{"mode=create&name=old-link", false}, // a link made before v2
		{"sub=x&rg=y&ws=z", false},
	} {
		q, _ := url.ParseQuery(tt.query)
		if got := newRequest(q); got != tt.want {
			t.Errorf("newRequest(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

func TestRequestKeepsOnlyTheKindsFields(t *testing.T) {
	f := &Form{req: rules.Request{Mode: rules.ModeCreate, Kind: rules.KindAKS, Name: "a",
		Kubernetes: rules.Kubernetes{Namespace: "team-a", Training: true}}}
	if r := f.request(); !r.Kubernetes.IsZero() {
		t.Errorf("a legacy AKS request sends Kubernetes settings: %+v", r.Kubernetes)
	}
	f.req.Kind = rules.KindKubernetes
	f.req.TLS = rules.TLS{Mode: rules.TLSMicrosoft, LeafDomainLabel: "svc", OverwriteExistingDomain: true}
	f.req.LoadBalancer.Subnet = "lb-subnet"
	f.nodeSelText, f.rangesText = "agentpool=inference\nzone = 1\n", "203.0.113.0/24\n198.51.100.7"
	r := f.request()
	if r.TLS.LeafDomainLabel != "" || r.TLS.OverwriteExistingDomain || r.LoadBalancer.Subnet != "" {
		t.Errorf("a Kubernetes request sends v1-only fields: %+v %+v", r.TLS, r.LoadBalancer)
	}
	if r.Kubernetes.Namespace != "team-a" || r.Kubernetes.NodeSelector["zone"] != "1" || len(r.Kubernetes.AuthorizedIPRanges) != 2 {
		t.Errorf("Kubernetes settings lost: %+v", r.Kubernetes)
	}
	f.req.Mode = rules.ModeAttach
	f.req.Kubernetes.Version = "1.32"
	if r := f.request(); r.Kubernetes.Version != "" || r.Kubernetes.AuthorizedIPRanges != nil {
		t.Errorf("an attach sends the create-only version or ranges: %+v", r.Kubernetes)
	}
}

// Every Kubernetes field the form shows has a label and a place in the
// page order, so its errors are listed and focused where they are.
func TestKubernetesFieldsHaveLabelsAndOrder(t *testing.T) {
	f := &Form{req: rules.Request{Mode: rules.ModeCreate, Kind: rules.KindKubernetes, Kubernetes: rules.Kubernetes{Identity: rules.IdentityUserAssigned}}}
	for _, field := range []string{rules.FieldKind, rules.FieldKubernetes, rules.FieldNamespace, rules.FieldK8sVersion, rules.FieldRouterServiceType,
		rules.FieldAllowInsecure, rules.FieldSingleRouter, rules.FieldNvidiaDevicePlugin, rules.FieldNodeSelector, rules.FieldIdentity,
		rules.FieldUserIdentity, rules.FieldAuthorizedIPRanges, fieldTraining} {
		if !f.rendered(field) {
			t.Errorf("%s is not shown for a Kubernetes create", field)
		}
		if fieldLabel(field) == field {
			t.Errorf("%s has no label", field)
		}
		if inPageOrder(rules.Findings{{Field: field}, {Field: "zzz"}})[0].Field != field {
			t.Errorf("%s has no place in the page order", field)
		}
	}
	f.req.Kind = rules.KindAKS
	for _, field := range []string{rules.FieldNamespace, rules.FieldK8sVersion, rules.FieldAllowInsecure} {
		if f.rendered(field) {
			t.Errorf("%s is shown for a legacy AKS compute", field)
		}
	}
}

func TestKindNames(t *testing.T) {
	if got := kindColumn(rules.Compute{Type: "Kubernetes", Namespace: "team-a"}); got != "Kubernetes compute, namespace team-a" {
		t.Errorf("kindColumn = %q", got)
	}
	if got := kindColumn(rules.Compute{Type: "AKS"}); got != "AKS compute (v1, legacy)" {
		t.Errorf("kindColumn = %q", got)
	}
	if !migratable(rules.Compute{Type: "AKS", State: "Succeeded"}) || migratable(rules.Compute{Type: "Kubernetes", State: "Succeeded"}) || migratable(rules.Compute{Type: "AKS", State: "Creating"}) {
		t.Error("migratable: only a healthy v1 compute")
	}
}

// TestReviewDurationsAreTheProxys: the review words the durations the
// proxy answers on the progress page, both from rules.
func TestReviewDurationsAreTheProxys(t *testing.T) {
	t.Parallel()
	f := &Form{}
	var got []string
	for _, s := range f.kubernetesSteps(rules.Request{Mode: rules.ModeCreate, Kind: rules.KindKubernetes, Name: "k"}) {
		got = append(got, s.id+": "+s.duration)
	}
	var want []string
	for _, s := range []rules.StepName{rules.StepCluster, rules.StepExtension, rules.StepAttach} {
		want = append(want, string(s)+": about "+minutes(rules.StepExpectedSec(s)))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("review durations mismatch (-want +got):\n%s", diff)
	}
}
