//go:build !(js && wasm)

package kubernetes_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"

	"github.com/amlaks/amlaks/rules"
)

// kustomization is the part of kustomize's Kustomization these manifests
// use. It is decoded strictly: a field the renderer below does not apply
// is an error, so the test never passes over something kubectl would do.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace,omitempty"`
	Resources  []string `json:"resources"`
	Images     []struct {
		Name    string `json:"name"`
		NewName string `json:"newName,omitempty"`
		NewTag  string `json:"newTag,omitempty"`
	} `json:"images,omitempty"`
	Patches []struct {
		Target struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"target"`
		Patch string `json:"patch"`
	} `json:"patches,omitempty"`
}

// op is one RFC 6902 JSON patch operation (add, replace, remove).
type op struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// render is `kubectl kustomize dir` for what kustomization allows: the
// resources (files, or directories holding a kustomization), then the
// namespace, the images and the JSON patches, in kustomize's order.
func render(t *testing.T, dir string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k kustomization
	if err := yaml.UnmarshalStrict(data, &k); err != nil {
		t.Fatalf("%s/kustomization.yaml: %v", dir, err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Fatalf("%s: %s %s is not a Kustomization", dir, k.APIVersion, k.Kind)
	}
	var objs []map[string]any
	for _, r := range k.Resources {
		p := filepath.Join(dir, r)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			objs = append(objs, render(t, p)...)
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(data, []byte("\n---")) {
			var obj map[string]any
			if err := yaml.Unmarshal(doc, &obj); err != nil {
				t.Fatalf("%s document %d: %v", p, i, err)
			}
			if obj != nil {
				objs = append(objs, obj)
			}
		}
	}
	for _, obj := range objs {
		if k.Namespace != "" {
			obj["metadata"].(map[string]any)["namespace"] = k.Namespace
		}
		for _, img := range k.Images {
			for _, c := range containers(obj) {
				name, tag := c["image"].(string), ""
				if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
					name, tag = name[:i], name[i+1:]
				}
				if name != img.Name {
					continue
				}
				if img.NewName != "" {
					name = img.NewName
				}
				if img.NewTag != "" {
					tag = img.NewTag
				}
				c["image"] = name
				if tag != "" {
					c["image"] = name + ":" + tag
				}
			}
		}
	}
	for _, p := range k.Patches {
		var ops []op
		if err := yaml.UnmarshalStrict([]byte(p.Patch), &ops); err != nil {
			t.Fatalf("%s: patch of %s/%s: %v", dir, p.Target.Kind, p.Target.Name, err)
		}
		n := 0
		for _, obj := range objs {
			if obj["kind"] == p.Target.Kind && obj["metadata"].(map[string]any)["name"] == p.Target.Name {
				n++
				for _, o := range ops {
					if err := apply(obj, o); err != nil {
						t.Fatalf("%s: patch of %s/%s: %s %s: %v", dir, p.Target.Kind, p.Target.Name, o.Op, o.Path, err)
					}
				}
			}
		}
		if n == 0 {
			t.Fatalf("%s: a patch targets %s/%s, which no resource is", dir, p.Target.Kind, p.Target.Name)
		}
	}
	return objs
}

// containers are the container maps of a workload's pod template.
func containers(obj map[string]any) []map[string]any {
	spec, _ := obj["spec"].(map[string]any)
	tmpl, _ := spec["template"].(map[string]any)
	pod, _ := tmpl["spec"].(map[string]any)
	var cs []map[string]any
	for _, key := range []string{"initContainers", "containers"} {
		list, _ := pod[key].([]any)
		for _, c := range list {
			cs = append(cs, c.(map[string]any))
		}
	}
	return cs
}

// apply is one RFC 6902 operation on obj; the target of replace and remove
// must exist, as kustomize requires.
func apply(obj map[string]any, o op) error {
	parts := strings.Split(strings.TrimPrefix(o.Path, "/"), "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	var cur any = obj
	for _, p := range parts[:len(parts)-1] {
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[p]
			if !ok {
				return fmt.Errorf("no %q", p)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return fmt.Errorf("no index %q", p)
			}
			cur = c[i]
		default:
			return fmt.Errorf("%q is not an object or a list", p)
		}
	}
	last := parts[len(parts)-1]
	m, ok := cur.(map[string]any)
	if !ok {
		return fmt.Errorf("only object members are patched here, not list items")
	}
	_, exists := m[last]
	switch o.Op {
	case "add":
		m[last] = o.Value
	case "replace":
		if !exists {
			return fmt.Errorf("replace of a missing member %q", last)
		}
		m[last] = o.Value
	case "remove":
		if !exists {
			return fmt.Errorf("remove of a missing member %q", last)
		}
		delete(m, last)
	default:
		return fmt.Errorf("op %q is not add, replace or remove", o.Op)
	}
	return nil
}

// objects are the rendered manifests, each decoded strictly into its
// k8s.io/api type: an unknown or misspelt field fails the test.
type objects struct {
	deployment     *appsv1.Deployment
	service        *corev1.Service
	serviceAccount *corev1.ServiceAccount
	configMaps     map[string]*corev1.ConfigMap
	pdb            *policyv1.PodDisruptionBudget
	networkPolicy  *networkingv1.NetworkPolicy
}

func decode(t *testing.T, rendered []map[string]any) objects {
	t.Helper()
	o := objects{configMaps: map[string]*corev1.ConfigMap{}}
	for _, obj := range rendered {
		data, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		var into any
		kind := fmt.Sprint(obj["apiVersion"], " ", obj["kind"])
		switch kind {
		case "apps/v1 Deployment":
			o.deployment = &appsv1.Deployment{}
			into = o.deployment
		case "v1 Service":
			o.service = &corev1.Service{}
			into = o.service
		case "v1 ServiceAccount":
			o.serviceAccount = &corev1.ServiceAccount{}
			into = o.serviceAccount
		case "v1 ConfigMap":
			into = &corev1.ConfigMap{}
		case "policy/v1 PodDisruptionBudget":
			o.pdb = &policyv1.PodDisruptionBudget{}
			into = o.pdb
		case "networking.k8s.io/v1 NetworkPolicy":
			o.networkPolicy = &networkingv1.NetworkPolicy{}
			into = o.networkPolicy
		default:
			t.Fatalf("%s: a kind this test does not know; add it to decode", kind)
		}
		if err := yaml.UnmarshalStrict(data, into); err != nil {
			t.Fatalf("%s %v: %v", kind, obj["metadata"], err)
		}
		if cm, ok := into.(*corev1.ConfigMap); ok {
			o.configMaps[cm.Name] = cm
		}
	}
	if o.deployment == nil || o.service == nil || o.serviceAccount == nil || o.pdb == nil || o.networkPolicy == nil || len(o.configMaps) != 2 {
		t.Fatalf("rendered objects are missing: %+v", o)
	}
	return o
}

var guid = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestOverlays(t *testing.T) {
	for _, tc := range []struct {
		overlay   string
		replicas  int32
		namespace string
	}{
		{"production", 2, "amlaks"},
		{"dev", 1, "amlaks-dev"},
	} {
		t.Run(tc.overlay, func(t *testing.T) {
			o := decode(t, render(t, filepath.Join("overlays", tc.overlay)))
			d := o.deployment
			pod := d.Spec.Template.Spec
			settings := o.configMaps["amlaks-settings"]
			if settings == nil || o.configMaps["amlaks-policy"] == nil {
				t.Fatal("the settings or policy ConfigMap is missing")
			}

			for _, m := range []string{d.Namespace, o.service.Namespace, o.serviceAccount.Namespace, o.pdb.Namespace, o.networkPolicy.Namespace, settings.Namespace} {
				if m != tc.namespace {
					t.Errorf("an object is in namespace %q, want %q", m, tc.namespace)
				}
			}
			if d.Spec.Replicas == nil || *d.Spec.Replicas != tc.replicas {
				t.Errorf("replicas %v, want %d", d.Spec.Replicas, tc.replicas)
			}
			// More than one replica only with the lock they share (issue 14).
			if *d.Spec.Replicas > 1 && !strings.HasPrefix(settings.Data["AMLAKS_LOCK_ACCOUNT"], "https://") {
				t.Errorf("%d replicas but no AMLAKS_LOCK_ACCOUNT: each would lock in its own process and one cluster could be attached twice", *d.Spec.Replicas)
			}

			// Workload identity: the pod label, the service account and its client ID.
			if pod.ServiceAccountName != o.serviceAccount.Name {
				t.Errorf("pod runs as %q, the service account is %q", pod.ServiceAccountName, o.serviceAccount.Name)
			}
			if d.Spec.Template.Labels["azure.workload.identity/use"] != "true" {
				t.Error(`pod label azure.workload.identity/use: "true" is missing: the webhook would not give it a token`)
			}
			if id := o.serviceAccount.Annotations["azure.workload.identity/client-id"]; !guid.MatchString(id) {
				t.Errorf("azure.workload.identity/client-id %q is not a client ID", id)
			}

			// Security of every container.
			psc := pod.SecurityContext
			if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
				t.Error("pod securityContext: want runAsNonRoot and seccomp RuntimeDefault")
			}
			if psc != nil && (psc.RunAsUser == nil || *psc.RunAsUser == 0) {
				t.Error("pod securityContext: want a non-zero runAsUser")
			}
			if pod.HostNetwork || pod.HostPID || pod.HostIPC {
				t.Error("the pod shares a host namespace")
			}
			byName := map[string]corev1.Container{}
			for _, c := range pod.Containers {
				byName[c.Name] = c
				sc := c.SecurityContext
				switch {
				case sc == nil:
					t.Errorf("%s: no securityContext", c.Name)
					continue
				case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
					t.Errorf("%s: readOnlyRootFilesystem is not true", c.Name)
				case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
					t.Errorf("%s: allowPrivilegeEscalation is not false", c.Name)
				case sc.Privileged != nil && *sc.Privileged:
					t.Errorf("%s: privileged", c.Name)
				case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0:
					t.Errorf("%s: capabilities must drop ALL and add none", c.Name)
				case sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot:
					t.Errorf("%s: runAsNonRoot is not true", c.Name)
				case sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault:
					t.Errorf("%s: seccomp is not RuntimeDefault", c.Name)
				}
				if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
					t.Errorf("%s: resources want CPU and memory requests and a memory limit", c.Name)
				}
				if c.LivenessProbe == nil || c.ReadinessProbe == nil {
					t.Errorf("%s: liveness and readiness probes are wanted", c.Name)
				}
				if strings.HasSuffix(c.Image, ":latest") || !strings.Contains(c.Image[strings.LastIndex(c.Image, "/")+1:], ":") {
					t.Errorf("%s: image %q has no pinned tag", c.Name, c.Image)
				}
			}

			// amlaks behind its sign-in proxy.
			a, ok := byName["amlaks"]
			if !ok {
				t.Fatal("no amlaks container")
			}
			args := strings.Join(a.Args, " ")
			for _, want := range []string{"--auth=header", "--identity-header=oauth2-proxy", "--trusted-proxies=127.0.0.1/32", "--addr=0.0.0.0:8080", "--public-address=$(AMLAKS_PUBLIC_ADDRESS)", "--policy=/etc/amlaks/policy.json"} {
				if !slices.Contains(a.Args, want) {
					t.Errorf("amlaks args %q lack %s", args, want)
				}
			}
			if pa := settings.Data["AMLAKS_PUBLIC_ADDRESS"]; pa == "" || strings.Contains(pa, "/") {
				t.Errorf("AMLAKS_PUBLIC_ADDRESS %q: want host[:port]", pa)
			}
			if len(a.EnvFrom) != 1 || a.EnvFrom[0].ConfigMapRef == nil || a.EnvFrom[0].ConfigMapRef.Name != settings.Name {
				t.Errorf("amlaks takes its AMLAKS_* settings from %+v, want the %s ConfigMap", a.EnvFrom, settings.Name)
			}
			for k := range settings.Data {
				if !strings.HasPrefix(k, "AMLAKS_") && k != "AZURE_TENANT_ID" {
					t.Errorf("settings key %s: amlaks reads AMLAKS_* only", k)
				}
			}
			if a.LivenessProbe.HTTPGet == nil || a.LivenessProbe.HTTPGet.Path != "/healthz" || a.ReadinessProbe.HTTPGet == nil || a.ReadinessProbe.HTTPGet.Path != "/readyz" {
				t.Error("amlaks probes: want liveness /healthz and readiness /readyz")
			}
			if p := a.ReadinessProbe.HTTPGet.Port; p.String() != "http" || len(a.Ports) != 1 || a.Ports[0].Name != "http" || a.Ports[0].ContainerPort != 8080 {
				t.Errorf("amlaks probes port %s, ports %+v: want the named port http, 8080 as --addr", p.String(), a.Ports)
			}
			var policyMounted bool
			for _, m := range a.VolumeMounts {
				if m.MountPath == "/etc/amlaks" && m.ReadOnly {
					for _, v := range pod.Volumes {
						policyMounted = policyMounted || (v.Name == m.Name && v.ConfigMap != nil && v.ConfigMap.Name == "amlaks-policy")
					}
				}
			}
			if !policyMounted {
				t.Error("the policy ConfigMap is not mounted read-only at /etc/amlaks")
			}
			if _, err := rules.ParsePolicy([]byte(o.configMaps["amlaks-policy"].Data["policy.json"])); err != nil {
				t.Errorf("policy.json: %v", err)
			}

			s, ok := byName["oauth2-proxy"]
			if !ok {
				t.Fatal("no oauth2-proxy container")
			}
			if !slices.Contains(s.Args, "--upstream=http://127.0.0.1:8080/") || !slices.Contains(s.Args, "--pass-user-headers=true") {
				t.Errorf("oauth2-proxy args %q: want --upstream=http://127.0.0.1:8080/ (the address amlaks trusts) and --pass-user-headers=true (X-Forwarded-Email/-User)", s.Args)
			}
			for _, e := range s.Env {
				if strings.Contains(e.Name, "SECRET") && (e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
					t.Errorf("oauth2-proxy %s must come from a Secret, not the manifest", e.Name)
				}
			}

			// The Service reaches the sign-in proxy only.
			if len(o.service.Spec.Ports) != 1 || o.service.Spec.Ports[0].TargetPort.String() != "signin" {
				t.Errorf("service ports %+v: want only the sign-in port", o.service.Spec.Ports)
			}
			labels := d.Spec.Template.Labels
			matches := func(sel map[string]string) bool {
				for k, v := range sel {
					if labels[k] != v {
						return false
					}
				}
				return len(sel) > 0
			}
			if !matches(o.service.Spec.Selector) || !matches(o.pdb.Spec.Selector.MatchLabels) || !matches(o.networkPolicy.Spec.PodSelector.MatchLabels) || !matches(d.Spec.Selector.MatchLabels) {
				t.Error("a selector does not match the pod's labels")
			}

			// The budget leaves a rolling node drain possible and keeps one serving.
			switch {
			case o.pdb.Spec.MinAvailable != nil && o.pdb.Spec.MinAvailable.IntValue() >= int(*d.Spec.Replicas):
				t.Errorf("minAvailable %s with %d replicas blocks every drain", o.pdb.Spec.MinAvailable, *d.Spec.Replicas)
			case o.pdb.Spec.MinAvailable == nil && o.pdb.Spec.MaxUnavailable == nil:
				t.Error("the budget sets neither minAvailable nor maxUnavailable")
			}

			// The network policy closes both directions and opens amlaks's own port to no one at large.
			np := o.networkPolicy.Spec
			if !slices.Contains(np.PolicyTypes, networkingv1.PolicyTypeIngress) || !slices.Contains(np.PolicyTypes, networkingv1.PolicyTypeEgress) {
				t.Errorf("policy types %v: want Ingress and Egress", np.PolicyTypes)
			}
			for _, r := range np.Ingress {
				if len(r.From) == 0 {
					t.Error("an ingress rule admits every source")
				}
				for _, p := range r.Ports {
					if p.Port == nil {
						t.Error("an ingress rule admits every port")
					}
				}
			}
		})
	}
}

// TestRendererRefusesWhatItDoesNotApply: a kustomization field the renderer
// does not know is an error, not ignored.
func TestRendererRefusesWhatItDoesNotApply(t *testing.T) {
	var k kustomization
	err := yaml.UnmarshalStrict([]byte("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\ncommonLabels: {a: b}\n"), &k)
	if err == nil {
		t.Fatal("commonLabels was accepted, and would have been ignored")
	}
}

// TestStrictDecodeRefusesUnknownFields: the manifests' decoding would catch
// a misspelt field.
func TestStrictDecodeRefusesUnknownFields(t *testing.T) {
	var d appsv1.Deployment
	if err := yaml.UnmarshalStrict([]byte("apiVersion: apps/v1\nkind: Deployment\nspec:\n  replica: 2\n"), &d); err == nil {
		t.Fatal("spec.replica was accepted")
	}
}
