//go:build !noexports

package rules

import (
	"encoding/base64"
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestExtensionSettings(t *testing.T) {
	t.Parallel()
	m := material(t)
	cl := ClusterRef{Subscription: testSub, ResourceGroup: "rg-aks", Name: "aks1"}
	tests := []struct {
		name          string
		req           func(Request) Request
		nodes         int
		want, missing []string
	}{
		{name: "HTTPS production", nodes: 3,
			want:    []string{"enableInference=True", "enableTraining=False", "inferenceRouterServiceType=LoadBalancer", "sslCname=score.example.com", "allowInsecureConnections=False", "cluster_name=" + testClusterID, "cluster_name_friendly=aks1", "location=eastus", "jobSchedulerLocation=eastus", "domain=eastus.cloudapp.azure.com", "relayserver.enabled=false", "servicebus.enabled=false", "nginxIngress.enabled=true"},
			missing: []string{"inferenceRouterHA", "clusterPurpose", "internalLoadBalancerProvider", "installNvidiaDevicePlugin"}},
		{name: "HTTP", nodes: 3, req: func(r Request) Request { r.TLS = TLS{}; r.Kubernetes.AllowInsecure = true; return r },
			want: []string{"allowInsecureConnections=True"}, missing: []string{"sslCname"}},
		{name: "node port", nodes: 3, req: func(r Request) Request { r.Kubernetes.RouterServiceType = RouterNodePort; return r },
			want: []string{"inferenceRouterServiceType=NodePort", "scoringFe.serviceType.nodePort=True"}},
		{name: "internal load balancer", nodes: 3, req: func(r Request) Request { r.LoadBalancer.Type = LoadBalancerInternal; return r },
			want: []string{"internalLoadBalancerProvider=azure", "scoringFe.serviceType.internalLoadBalancer=True"}},
		{name: "small cluster", nodes: 2, want: []string{"inferenceRouterHA=false", "clusterPurpose=DevTest"}},
		{name: "unknown node count", nodes: 0, missing: []string{"inferenceRouterHA", "clusterPurpose"}},
		{name: "single router, dev/test", nodes: 5, req: func(r Request) Request {
			r.Kubernetes.SingleRouter, r.Purpose = true, PurposeDevTest
			return r
		}, want: []string{"inferenceRouterHA=false", "clusterPurpose=DevTest"}},
		{name: "GPU, training, node selector", nodes: 3, req: func(r Request) Request {
			r.Kubernetes.NvidiaDevicePlugin, r.Kubernetes.Training = true, true
			r.Kubernetes.NodeSelector = map[string]string{"agentpool": "infer"}
			return r
		}, want: []string{"installNvidiaDevicePlugin=True", "enableTraining=True", "nodeSelector.agentpool=infer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := k8sAttach(t)
			if tt.req != nil {
				r = tt.req(r)
			}
			cfg := ExtensionSettings(r.Normalized("eastus"), cl, "EastUS", tt.nodes)
			got := SortedSettings(cfg.Settings)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("settings lack %s:\n%s", w, strings.Join(got, "\n"))
				}
			}
			for _, key := range tt.missing {
				if _, ok := cfg.Settings[key]; ok {
					t.Errorf("settings have %s=%s", key, cfg.Settings[key])
				}
			}
			for k, v := range cfg.Settings {
				if strings.Contains(v, "PRIVATE KEY") || strings.Contains(v, "CERTIFICATE") {
					t.Errorf("setting %s, which Azure shows to readers, holds PEM", k)
				}
			}
			if r.TLS.Mode == TLSCustom {
				cert, _ := base64.StdEncoding.DecodeString(cfg.Protected["scoringFe.sslCert"])
				key, _ := base64.StdEncoding.DecodeString(cfg.Protected["scoringFe.sslKey"])
				if string(cert) != m.cert || string(key) != m.key {
					t.Errorf("protected settings are not the base64 of the certificate and key: %v", cfg.Protected)
				}
			} else if cfg.Protected != nil {
				t.Errorf("HTTP has protected settings: %v", cfg.Protected)
			}
		})
	}
}

// k8sExports renders every v2 export of a request.
func k8sExports(tb testing.TB, r Request, wsLocation string) map[string]string {
	tb.Helper()
	arm, err := KubernetesARMBodies(r, wsLocation, []string{"20.42.0.0/24"})
	if err != nil {
		tb.Fatal(err)
	}
	return map[string]string{
		"cli":       KubernetesAzCLI(r, wsLocation),
		"python":    KubernetesPython(r, wsLocation),
		"bicep":     KubernetesBicep(r, wsLocation),
		"terraform": KubernetesTerraform(r, wsLocation),
		"arm":       arm,
	}
}

// fullK8sCreate uses every v2 setting, a GPU pool included.
func fullK8sCreate(tb testing.TB) Request {
	r := k8sCreate(tb)
	r.Network = validNetwork()
	r.Description, r.Tags = "team a's scoring", map[string]string{"team": "a", "cost center": "42"}
	r.Kubernetes = Kubernetes{Namespace: "team-a", Version: "1.32.7", Training: true, NvidiaDevicePlugin: true, SingleRouter: true,
		NodeSelector:       map[string]string{"agentpool": "infer"},
		Identity:           IdentityUserAssigned,
		UserIdentity:       "/subscriptions/" + testSub + "/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aml",
		AuthorizedIPRanges: []string{"203.0.113.0/24"},
		GPUPool:            GPUPool{Name: "gpu", VMSize: "Standard_NC6s_v3", Count: 2}}
	return r
}

func TestKubernetesExportsHaveNoSecrets(t *testing.T) {
	t.Parallel()
	m := material(t)
	secrets := []string{m.cert, m.key, base64.StdEncoding.EncodeToString([]byte(m.cert)), base64.StdEncoding.EncodeToString([]byte(m.key)), "BEGIN", "PRIVATE KEY"}
	for _, r := range []Request{fullK8sCreate(t), k8sAttach(t)} {
		for name, out := range k8sExports(t, r, "eastus") {
			for _, s := range secrets {
				if strings.Contains(out, strings.TrimSpace(s)) {
					t.Errorf("%s export of a %s holds secret material %.20q", name, r.Mode, s)
				}
			}
		}
	}
}

func TestKubernetesExportsSayWhatTheyDo(t *testing.T) {
	t.Parallel()
	create := k8sExports(t, fullK8sCreate(t), "eastus")
	for name, want := range map[string][]string{
		"cli": {"az aks create", "--enable-managed-identity", "--load-balancer-sku standard", "--kubernetes-version '1.32.7'",
			"az k8s-extension create", "--extension-type Microsoft.AzureML.Kubernetes", "'inferenceRouterHA=False'", "'nodeSelector.agentpool=infer'",
			"--config-protected sslCertPemFile=cert.pem sslKeyPemFile=key.pem", "az ml compute attach", "--type Kubernetes", "--namespace 'team-a'",
			"--identity-type 'UserAssigned'", "--user-assigned-identities"},
		"python":    {"KubernetesCompute(", "namespace='team-a'", "type='UserAssigned'", "begin_create_or_update"},
		"bicep":     {"Microsoft.ContainerService/managedClusters@" + ManagedClusterAPIVersion + "' = {", "Microsoft.KubernetesConfiguration/extensions@", "scope: aks", "base64(sslCertPem)", "resourceId: aks.id", "computeType: 'Kubernetes'", "disableLocalAccounts: false"},
		"terraform": {"resource \"azurerm_kubernetes_cluster\"", "local_account_disabled = false", "resource \"azurerm_kubernetes_cluster_extension\" \"azureml\"", "resource \"azapi_resource\"", "base64encode(var.ssl_cert_pem)", "identity_ids = ["},
		"arm":       {"PUT " + testClusterID[:strings.LastIndex(testClusterID, "/resourceGroups")], "\"disableLocalAccounts\": false", "\"loadBalancerSku\": \"standard\"", "\"20.42.0.0/24\"", "\"computeType\": \"Kubernetes\"", "\"namespace\": \"team-a\"", "\"configurationProtectedSettings\""},
	} {
		for _, w := range want {
			if !strings.Contains(create[name], w) {
				t.Errorf("%s export lacks %q:\n%s", name, w, create[name])
			}
		}
	}
	attach := k8sExports(t, k8sAttach(t), "eastus")
	if strings.Contains(attach["cli"], "az aks create") || strings.Contains(attach["terraform"], "resource \"azurerm_kubernetes_cluster\"") {
		t.Error("an attach export creates a cluster")
	}
	if !strings.Contains(attach["terraform"], "data \"azurerm_kubernetes_cluster\"") || !strings.Contains(attach["bicep"], "existing = {") {
		t.Errorf("an attach export does not refer to the existing cluster:\n%s\n%s", attach["terraform"], attach["bicep"])
	}
}

// TestKubernetesARMBodiesAreJSON checks each body of the ARM export parses
// and matches the request.
func TestKubernetesARMBodiesAreJSON(t *testing.T) {
	t.Parallel()
	out, err := KubernetesARMBodies(fullK8sCreate(t), "eastus", nil)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(out, "\nPUT ")
	if len(parts) != 3 {
		t.Fatalf("got %d requests, want cluster, extension and compute:\n%s", len(parts), out)
	}
	for i, p := range parts {
		_, body, ok := strings.Cut(p, "\n")
		if !ok || !json.Valid([]byte(body)) {
			t.Errorf("request %d is not PUT path + JSON:\n%s", i, p)
		}
	}
	var compute ARMKubernetesCompute
	_, body, _ := strings.Cut(parts[2], "\n")
	if err := json.Unmarshal([]byte(body), &compute); err != nil {
		t.Fatal(err)
	}
	if compute.Identity.Type != "UserAssigned" || len(compute.Identity.UserAssignedIdentities) != 1 || compute.Properties.Properties.Namespace != "team-a" || compute.Location != "eastus" {
		t.Errorf("compute body = %+v", compute)
	}
}

func TestKubernetesCLIHostileValuesStayLiteral(t *testing.T) {
	t.Parallel()
	r := fullK8sCreate(t)
	r.Description, r.Tags = hostile, map[string]string{hostile: hostile}
	r.Kubernetes.NodeSelector = map[string]string{hostile: hostile}
	r.Kubernetes.AuthorizedIPRanges = []string{hostile}
	r.TLS.CNAME = hostile
	r.VMSize = hostile
	r.Kubernetes.GPUPool = GPUPool{Name: hostile, VMSize: hostile, Count: 2}
	out := KubernetesAzCLI(r, "eastus")
	cmds, err := shellWords(out)
	if err != nil {
		t.Fatalf("unsafe shell: %v\n%s", err, out)
	}
	if len(cmds) != 4 { // aks create, aks nodepool add, k8s-extension create, ml compute attach
		t.Fatalf("got %d commands, want 4:\n%s", len(cmds), out)
	}
	var words []string
	for _, c := range cmds {
		words = append(words, c...)
	}
	for _, w := range []string{hostile, "sslCname=" + hostile, "nodeSelector." + hostile + "=" + hostile, hostile + "=" + hostile} {
		if !slices.Contains(words, w) {
			t.Errorf("the hostile value does not arrive whole as %q", w)
		}
	}
}

func TestBicepQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain":      "'plain'",
		"it's":       `'it\'s'`,
		`a\b`:        `'a\\b'`,
		"${x}":       `'\${x}'`,
		"$x":         "'$x'",
		"l1\nl2":     `'l1\nl2'`,
		"\x00\u2028": `'\u{0}\u{2028}'`,
	} {
		if got := BicepQuote(in); got != want {
			t.Errorf("BicepQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestKubernetesPythonCompiles compiles the Python export with python3 when
// it is on PATH (the strongest check here without the SDK installed).
func TestKubernetesPythonCompiles(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH")
	}
	r := fullK8sCreate(t)
	r.Description, r.Tags = hostile, map[string]string{hostile: hostile}
	for _, req := range []Request{r, k8sAttach(t)} {
		src := KubernetesPython(req, "eastus")
		cmd := exec.Command(py, "-c", "import ast, sys; ast.parse(sys.stdin.read())")
		cmd.Stdin = strings.NewReader(src)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("the Python export does not compile: %v\n%s\n%s", err, out, src)
		}
	}
}

// TestKubernetesShellParses runs bash -n over the CLI export when bash is on PATH.
func TestKubernetesShellParses(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not on PATH")
	}
	r := fullK8sCreate(t)
	r.TLS.CNAME = hostile
	cmd := exec.Command(sh, "-n")
	cmd.Stdin = strings.NewReader(KubernetesAzCLI(r, "eastus"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s", err, out)
	}
}

// TestBracesBalance is a structural check of Bicep and Terraform: every
// brace and bracket outside strings closes, in order.
func TestBracesBalance(t *testing.T) {
	t.Parallel()
	r := fullK8sCreate(t)
	r.Description, r.Tags = hostile, map[string]string{hostile: hostile}
	for _, req := range []Request{r, k8sAttach(t)} {
		ex := k8sExports(t, req, "eastus")
		for _, name := range []string{"bicep", "terraform"} {
			if err := balanced(ex[name], name == "bicep"); err != "" {
				t.Errorf("%s %s: %s\n%s", req.Mode, name, err, ex[name])
			}
		}
	}
}

func balanced(s string, singleQuoted bool) string {
	var stack []rune
	quote := '"'
	if singleQuoted {
		quote = '\''
	}
	in := false
	for i := 0; i < len(s); i++ {
		c := rune(s[i])
		switch {
		case in && c == '\\':
			i++
		case c == quote:
			in = !in
		case in:
		case c == '#' || (c == '/' && i+1 < len(s) && s[i+1] == '/'):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '{' || c == '[' || c == '(':
			stack = append(stack, c)
		case c == '}' || c == ']' || c == ')':
			open := map[rune]rune{'}': '{', ']': '[', ')': '('}[c]
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return "unbalanced " + string(c)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if in {
		return "unterminated string"
	}
	if len(stack) > 0 {
		return "unclosed " + string(stack)
	}
	return ""
}

// TestGPUPoolInEveryExport: every v2 export of a create carries the GPU
// pool (Python, which cannot create clusters, says where it is), and none
// of an attach or of a create without one does.
func TestGPUPoolInEveryExport(t *testing.T) {
	t.Parallel()
	withPool := k8sExports(t, withGPU(k8sCreate(t)), "eastus")
	for name, want := range map[string][]string{
		"cli": {"az aks nodepool add", "--cluster-name 'aks-prod'", "--name 'gpu'", "--mode User", "--node-vm-size 'Standard_NC6s_v3'", "--node-count 2",
			"'installNvidiaDevicePlugin=True'"},
		"python":    {"GPU pool gpu (2 nodes of Standard_NC6s_v3)"},
		"bicep":     {"name: 'gpu'", "mode: 'User'", "vmSize: 'Standard_NC6s_v3'", "count: 2"},
		"terraform": {`resource "azurerm_kubernetes_cluster_node_pool" "aks_prod_gpu"`, "kubernetes_cluster_id = azurerm_kubernetes_cluster.aks_prod.id", `mode                  = "User"`, `vm_size               = "Standard_NC6s_v3"`, "node_count            = 2"},
		"arm":       {`"name": "gpu"`, `"mode": "User"`, `"vmSize": "Standard_NC6s_v3"`, `"count": 2`},
	} {
		for _, w := range want {
			if !strings.Contains(withPool[name], w) {
				t.Errorf("%s export lacks %q:\n%s", name, w, withPool[name])
			}
		}
	}
	attach := withGPU(k8sAttach(t))
	for _, r := range []Request{k8sCreate(t), attach} {
		for name, out := range k8sExports(t, r, "eastus") {
			if strings.Contains(out, "Standard_NC6s_v3") || strings.Contains(out, "nodepool add") || strings.Contains(out, "azurerm_kubernetes_cluster_node_pool") {
				t.Errorf("%s export of a %s without a created GPU pool has one:\n%s", name, r.Mode, out)
			}
		}
	}
}
