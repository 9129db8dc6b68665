//go:build !noexports

package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// exports renders a request in the four formats, by golden-file suffix.
func exports(tb testing.TB, req Request, wsLocation string) map[string]string {
	tb.Helper()
	body, err := ARMBody(req, wsLocation)
	if err != nil {
		tb.Fatalf("ARMBody: %v", err)
	}
	return map[string]string{
		"azcli.sh": AzCLI(req),
		"sdk.py":   PythonSDK(req),
		"tf":       Terraform(req, wsLocation),
		"arm.json": "PUT " + ARMPath(req) + "\n" + string(body),
	}
}

func TestExportGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		req  Request
	}{
		{"create", fullCreate(t)},
		{"attach", fullAttach()},
		{"create-defaults", validCreate()},
		{"attach-by-id", validAttach()},
	} {
		for suffix, got := range exports(t, tc.req, "eastus") {
			t.Run(tc.name+"."+suffix, func(t *testing.T) {
				golden(t, "export/"+tc.name+"."+suffix+".golden", got)
			})
		}
	}
}

func TestExportsHaveNoSecrets(t *testing.T) {
	t.Parallel()
	m := material(t)
	for _, tc := range []struct {
		name string
		req  Request
	}{
		{"custom create", fullCreate(t)},
		{"custom attach", func() Request {
			r := validAttach()
			r.TLS = TLS{Mode: TLSCustom, CertPEM: m.rsaCert, KeyPEM: m.rsaPKCS1, CNAME: "score.example.com"}
			return r
		}()},
		{"microsoft with stray PEMs", func() Request {
			r := fullAttach()
			r.TLS.CertPEM, r.TLS.KeyPEM = m.cert, m.key
			return r
		}()},
		{"disabled with stray PEMs", func() Request {
			r := validCreate()
			r.TLS = TLS{CertPEM: m.cert, KeyPEM: m.ecKeySEC1}
			return r
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for format, out := range exports(t, tc.req, "eastus") {
				if strings.Contains(out, "BEGIN") || strings.Contains(out, "PRIVATE KEY-----") {
					t.Errorf("%s export holds PEM text:\n%s", format, out)
				}
				for _, secret := range []string{tc.req.TLS.CertPEM, tc.req.TLS.KeyPEM} {
					for _, line := range strings.Split(secret, "\n") {
						if len(line) >= 16 && strings.Contains(out, line) {
							t.Errorf("%s export holds PEM line %q", format, line)
						}
					}
				}
			}
		})
	}
}

func TestAzCLIHostileValuesStayLiteral(t *testing.T) {
	t.Parallel()
	for _, mode := range []Mode{ModeCreate, ModeAttach} {
		t.Run(string(mode), func(t *testing.T) {
			out := AzCLI(hostileRequest(mode))
			cmds, err := shellWords(out)
			if err != nil {
				t.Fatalf("unsafe shell: %v\n%s", err, out)
			}
			if len(cmds) == 0 {
				t.Fatalf("no command in:\n%s", out)
			}
			for _, words := range cmds {
				if len(words) >= 3 && strings.Join(words[:3], " ") == "az resource wait" {
					continue // checked by TestAzCLIAttachWaitsBeforeUpdate
				}
				if len(words) < 5 || strings.Join(words[:4], " ") != "az ml computetarget "+words[3] {
					t.Errorf("command does not start with az ml computetarget: %q", words)
				}
				// Every flag is followed by one value, and the hostile values arrive whole.
				for i := 5; i < len(words); i++ {
					w := words[i]
					if !strings.HasPrefix(w, "--") {
						t.Errorf("word %d %q is not a flag", i, w)
						continue
					}
					if w == "--ssl-overwrite-domain" {
						continue
					}
					i++
					if i == len(words) {
						t.Errorf("flag %s has no value", w)
						break
					}
					switch w {
					case "--name", "--workspace-name", "--location", "--vm-size", "--vnet-name", "--ssl-cname", "--ssl-leaf-domain-label", "--compute-resource-id":
						if words[i] != hostile {
							t.Errorf("%s = %q, want the hostile value whole", w, words[i])
						}
					}
				}
			}
		})
	}
}

// shellWords splits a script into commands of words the way a POSIX shell
// would, refusing anything the exports never need outside single quotes:
// expansions, redirections, separators, double quotes and other escapes.
func shellWords(s string) ([][]string, error) {
	var cmds [][]string
	var words []string
	var word strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			words = append(words, word.String())
			word.Reset()
			inWord = false
		}
	}
	endCmd := func() {
		endWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
			words = nil
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '$' && i+1 < len(s) && s[i+1] == '\'':
			// Dollar-single quotes: only the escapes ShellQuote writes.
			j := i + 2
			for ; j < len(s) && s[j] != '\''; j++ {
				if s[j] != '\\' {
					word.WriteByte(s[j])
					continue
				}
				if j+1 >= len(s) {
					return nil, errors.New("unterminated $' quote")
				}
				n := map[byte]int{'\\': 0, '\'': 0, 'x': 2, 'u': 4, 'U': 8}
				size, ok := n[s[j+1]]
				if !ok || j+2+size > len(s) {
					return nil, fmt.Errorf("escape %q in $' quote at %d", s[j:j+2], j)
				}
				if size == 0 {
					word.WriteByte(s[j+1])
					j++
					continue
				}
				v, err := strconv.ParseUint(s[j+2:j+2+size], 16, 32)
				if err != nil {
					return nil, fmt.Errorf("escape %q at %d", s[j:j+2+size], j)
				}
				if size == 2 {
					word.WriteByte(byte(v))
				} else {
					word.WriteRune(rune(v))
				}
				j += 1 + size
			}
			if j >= len(s) {
				return nil, errors.New("unterminated $' quote")
			}
			inWord = true
			i = j
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated single quote")
			}
			word.WriteString(s[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '\\':
			if i+1 < len(s) && s[i+1] == '\n' && !inWord {
				i++
				continue
			}
			if i+1 < len(s) && s[i+1] == '\'' && inWord {
				word.WriteByte('\'')
				i++
				continue
			}
			return nil, fmt.Errorf("backslash outside quotes at %d", i)
		case c == ' ' || c == '\t':
			endWord()
		case c == '\n':
			endCmd()
		case c == '#' && !inWord:
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			i += j - 1
		case strings.IndexByte("\"$`;&|<>(){}*?[]~!\r", c) >= 0:
			return nil, fmt.Errorf("unquoted %q at %d", c, i)
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	endCmd()
	return cmds, nil
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", "it's", "'", "''", hostile} {
		cmds, err := shellWords("echo " + ShellQuote(s))
		if err != nil || len(cmds) != 1 || len(cmds[0]) != 2 || cmds[0][1] != s {
			t.Errorf("ShellQuote(%q) = %s, parsed %q, %v", s, ShellQuote(s), cmds, err)
		}
	}
}

func TestPythonHostileValuesStayLiteral(t *testing.T) {
	t.Parallel()
	for _, mode := range []Mode{ModeCreate, ModeAttach} {
		t.Run(string(mode), func(t *testing.T) {
			out := PythonSDK(hostileRequest(mode))
			for i, line := range strings.Split(out, "\n") {
				if strings.ContainsAny(line, "\r\x00\u2028") {
					t.Errorf("line %d holds a raw control or separator character: %q", i, line)
				}
			}
			verb := "create"
			if mode == ModeAttach {
				verb = "attach"
			}
			prefix := "aks_target = ComputeTarget." + verb + "(ws, "
			i := strings.Index(out, prefix)
			if i < 0 {
				t.Fatalf("no %q in:\n%s", prefix, out)
			}
			lit, rest, err := parsePyString(out[i+len(prefix):])
			if err != nil {
				t.Fatalf("name literal: %v", err)
			}
			if lit != strings.ToValidUTF8(hostile, "\uFFFD") {
				t.Errorf("name literal decodes to %q, want %q", lit, hostile)
			}
			if !strings.HasPrefix(rest, ", config)\n") {
				t.Errorf("after the name: %q", rest)
			}
			// Every string literal in the snippet parses and closes on its line.
			for _, line := range strings.Split(out, "\n") {
				for j := strings.IndexByte(line, '\''); j >= 0; j = strings.IndexByte(line, '\'') {
					_, rest, err := parsePyString(line[j:])
					if err != nil {
						t.Fatalf("line %q: %v", line, err)
					}
					line = rest
				}
			}
		})
	}
}

// parsePyString decodes the single-quoted Python literal at the start of s.
func parsePyString(s string) (string, string, error) {
	if !strings.HasPrefix(s, "'") {
		return "", s, errors.New("no opening quote")
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			return b.String(), s[i+1:], nil
		case c == '\n' || c >= 0x80:
			return "", s, fmt.Errorf("raw byte %q in literal", c)
		case c == '\\':
			i++
			if i >= len(s) {
				return "", s, errors.New("dangling backslash")
			}
			switch s[i] {
			case '\\', '\'':
				b.WriteByte(s[i])
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'x', 'u', 'U':
				n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[i]]
				if i+n >= len(s) {
					return "", s, errors.New("short escape")
				}
				v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
				if err != nil {
					return "", s, err
				}
				b.WriteRune(rune(v))
				i += n
			default:
				return "", s, fmt.Errorf("unknown escape \\%c", s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", s, errors.New("unterminated literal")
}

func TestTerraformHostileValuesStayLiteral(t *testing.T) {
	t.Parallel()
	for _, mode := range []Mode{ModeCreate, ModeAttach} {
		t.Run(string(mode), func(t *testing.T) {
			out := Terraform(hostileRequest(mode), "eastus")
			lines := strings.Split(out, "\n")
			for i, line := range lines {
				if strings.ContainsAny(line, "\r\x00") {
					t.Errorf("line %d holds a raw control character: %q", i, line)
				}
				trimmed := strings.TrimSpace(line)
				if strings.HasPrefix(trimmed, "#") {
					continue
				}
				// Every quoted string on a line parses and leaves no live template.
				for j := strings.IndexByte(line, '"'); j >= 0; j = strings.IndexByte(line, '"') {
					_, rest, err := parseHCLString(line[j:])
					if err != nil {
						t.Fatalf("line %q: %v", line, err)
					}
					line = rest
				}
			}
			var sawName, sawDesc bool
			for _, line := range lines {
				key, val, ok := strings.Cut(strings.TrimSpace(line), " = ")
				if !ok {
					continue
				}
				key = strings.TrimSpace(key)
				if val == `"nodepool1"` {
					continue // the node pool's own name
				}
				if key == "name" || key == "description" || strings.HasPrefix(key, `"x'`) {
					got, rest, err := parseHCLString(strings.TrimSpace(val))
					if err != nil || rest != "" || got != strings.ToValidUTF8(hostile, "\uFFFD") {
						t.Errorf("%s = %s decodes to %q (rest %q, %v)", key, val, got, rest, err)
					}
					sawName = sawName || key == "name"
					sawDesc = sawDesc || key == "description"
				}
			}
			if !sawName || !sawDesc {
				t.Errorf("name or description missing:\n%s", out)
			}
		})
	}
}

// parseHCLString decodes the quoted HCL string at the start of s, failing on
// a live ${ or %{ template sequence.
func parseHCLString(s string) (string, string, error) {
	if !strings.HasPrefix(s, `"`) {
		return "", s, errors.New("no opening quote")
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), s[i+1:], nil
		case c == '\n':
			return "", s, errors.New("raw newline in string")
		case (c == '$' || c == '%') && strings.HasPrefix(s[i+1:], string(c)+"{"):
			b.WriteString(string(c) + "{")
			i += 2
		case (c == '$' || c == '%') && strings.HasPrefix(s[i+1:], "{"):
			return "", s, fmt.Errorf("live template %c{ at %d", c, i)
		case c == '\\':
			i++
			if i >= len(s) {
				return "", s, errors.New("dangling backslash")
			}
			switch s[i] {
			case '\\', '"':
				b.WriteByte(s[i])
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				v, err := strconv.ParseUint(s[i+1:i+5], 16, 32)
				if err != nil {
					return "", s, err
				}
				b.WriteRune(rune(v))
				i += 4
			case 'U':
				v, err := strconv.ParseUint(s[i+1:i+9], 16, 32)
				if err != nil {
					return "", s, err
				}
				b.WriteRune(rune(v))
				i += 8
			default:
				return "", s, fmt.Errorf("unknown escape \\%c", s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", s, errors.New("unterminated string")
}

func TestHCLQuoteTemplates(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"${var}", "%{if}", "$${x}", "$$${x}", "$", "%", "a$b%c", "{${", "${${}}"} {
		got, rest, err := parseHCLString(HCLQuote(s))
		if err != nil || rest != "" || got != s {
			t.Errorf("HCLQuote(%q) = %s decodes to %q, %v", s, HCLQuote(s), got, err)
		}
	}
}

func TestARMBodyMatchesRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		req  Request
	}{
		{"full create", fullCreate(t)},
		{"full attach", fullAttach()},
		{"hostile create", hostileRequest(ModeCreate)},
		{"hostile attach", hostileRequest(ModeAttach)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := ARMBody(tc.req, "eastus")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(raw), "{\n  \"location\"") {
				t.Errorf("body is not indented with two spaces:\n%s", raw)
			}
			var body ARMCompute
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatalf("body does not unmarshal: %v\n%s", err, raw)
			}
			r := tc.req.Normalized("eastus")
			want := ARMCompute{Location: "eastus", Tags: r.Tags, Properties: ARMAKS{
				ComputeType: "AKS", Description: r.Description,
				Properties: ARMAKSProperties{ClusterPurpose: string(r.Purpose), LoadBalancerType: string(r.LoadBalancer.Type), LoadBalancerSubnet: r.LoadBalancer.Subnet},
			}}
			w := &want.Properties.Properties
			if r.Mode == ModeCreate {
				want.Properties.ComputeLocation = r.Location
				w.AgentCount, w.AgentVMSize = r.NodeCount, r.VMSize
				n := r.Network
				w.AKSNetworkingConfiguration = &ARMNetworking{
					SubnetID:    "/subscriptions/" + r.Workspace.Subscription + "/resourceGroups/" + n.VnetResourceGroup + "/providers/Microsoft.Network/virtualNetworks/" + n.VnetName + "/subnets/" + n.SubnetName,
					ServiceCIDR: n.ServiceCIDR, DNSServiceIP: n.DNSServiceIP, DockerBridgeCIDR: n.DockerBridgeCIDR,
				}
			} else {
				id, ok := r.TargetID()
				if !ok {
					id = r.Target.ResourceID
				}
				want.Properties.ResourceID = id
			}
			switch r.TLS.Mode {
			case TLSCustom:
				w.SSLConfiguration = ARMSSLConfig{Status: "Enabled", Cert: CertPEMPlaceholder, Key: KeyPEMPlaceholder, Cname: r.TLS.CNAME}
			case TLSMicrosoft:
				w.SSLConfiguration = ARMSSLConfig{Status: "Auto", LeafDomainLabel: r.TLS.LeafDomainLabel, OverwriteExistingDomain: r.TLS.OverwriteExistingDomain}
			default:
				w.SSLConfiguration = ARMSSLConfig{Status: "Disabled"}
			}
			if tc.name == "hostile create" || tc.name == "hostile attach" {
				// JSON carries invalid UTF-8 as U+FFFD; the hostile value has none.
				if body.Properties.Description != hostile {
					t.Errorf("description = %q", body.Properties.Description)
				}
			}
			if !reflect.DeepEqual(body, want) {
				t.Errorf("ARMBody mismatch:\n got %+v\nwant %+v", body, want)
			}
		})
	}
}

func TestARMPath(t *testing.T) {
	t.Parallel()
	want := "/subscriptions/" + testSub + "/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-prod/computes/aks-prod?api-version=2024-04-01"
	if got := ARMPath(validCreate()); got != want {
		t.Errorf("ARMPath = %q, want %q", got, want)
	}
	r := validCreate()
	r.Name = "a/../b?x=1"
	if got := ARMPath(r); !strings.HasSuffix(got, "/computes/a%2F..%2Fb%3Fx=1?api-version="+ARMAPIVersion) {
		t.Errorf("ARMPath does not escape the name: %q", got)
	}
}

func TestHCLLabel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"aks-prod": "aks_prod", "1aks": "aks_1aks", "": "aks_", "é": "aks__", "Aks_1": "Aks_1"} {
		if got := hclLabel(in); got != want {
			t.Errorf("hclLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestARMBodyMicrosoftCertificateIsAuto: a Microsoft certificate goes to
// Azure as SSL status "Auto" with the leaf label, as the SDK v1
// (AksCompute.attach_configuration/provisioning_configuration with a leaf
// domain label) and Terraform's azurerm_machine_learning_inference_cluster
// send it; "Enabled" is for a certificate of your own (L4).
func TestARMBodyMicrosoftCertificateIsAuto(t *testing.T) {
	t.Parallel()
	for _, mode := range []Mode{ModeCreate, ModeAttach} {
		req := Request{Mode: mode, Workspace: WorkspaceRef{Subscription: "00000000-0000-0000-0000-000000000001", ResourceGroup: "rg", Name: "ws"},
			Name: "aks-tls", Target: Target{ResourceGroup: "rg", Name: "aks"},
			TLS: TLS{Mode: TLSMicrosoft, LeafDomainLabel: "scoring"}}
		if mode == ModeCreate {
			req.Target = Target{}
		}
		b, err := ARMBody(req, "eastus")
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Properties struct {
				Properties struct {
					SSLConfiguration map[string]any `json:"sslConfiguration"`
				} `json:"properties"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		ssl := body.Properties.Properties.SSLConfiguration
		if ssl["status"] != "Auto" || ssl["leafDomainLabel"] != "scoring" {
			t.Errorf("%s: sslConfiguration = %v, want status Auto with leafDomainLabel scoring", mode, ssl)
		}
	}
}

// TestTerraformCreateDeclaresTheCluster: a create's Terraform declares the
// azurerm_kubernetes_cluster it attaches (in the request's location), and
// the inference cluster is in the workspace's location; without the
// workspace's location, a data source reads it.
func TestTerraformCreateDeclaresTheCluster(t *testing.T) {
	t.Parallel()
	req := fullCreate(t)
	req.Location = "westeurope"
	out := Terraform(req, "eastus")
	label := hclLabel(req.Name)
	decl := `resource "azurerm_kubernetes_cluster" "` + label + `" {`
	if strings.Count(out, decl) != 1 || !strings.Contains(out, "azurerm_kubernetes_cluster."+label+".id") {
		t.Fatalf("the cluster referred to is not declared once:\n%s", out)
	}
	cluster, inference, _ := strings.Cut(out[strings.Index(out, decl):], `resource "azurerm_machine_learning_inference_cluster"`)
	for _, want := range []string{`location            = "westeurope"`, `node_count     = 4`, `vm_size        = "Standard_D4_v2"`, `resource_group_name = "rg-ml"`, `load_balancer_sku = "standard"`, `vnet_subnet_id`} {
		if !strings.Contains(cluster, want) {
			t.Errorf("the cluster lacks %s:\n%s", want, cluster)
		}
	}
	if !strings.Contains(inference, `location                      = "eastus"`) || strings.Contains(inference, "westeurope") {
		t.Errorf("the inference cluster is not in the workspace's location:\n%s", inference)
	}

	out = Terraform(req, "")
	data := `data "azurerm_machine_learning_workspace" "` + label + `" {`
	ref := "data.azurerm_machine_learning_workspace." + label + ".location"
	if strings.Count(out, data) != 1 || !strings.Contains(out, "location                      = "+ref) {
		t.Errorf("without the workspace's location, no data source gives it:\n%s", out)
	}
	if out := Terraform(validAttach(), "eastus"); strings.Contains(out, "azurerm_kubernetes_cluster") {
		t.Errorf("an attach declares a cluster:\n%s", out)
	}
}

// TestAzCLIAttachWaitsBeforeUpdate: the CLI's attach returns before Azure
// ML has finished, so the update that sets TLS or the load balancer comes
// only after a wait for the compute's Succeeded state.
func TestAzCLIAttachWaitsBeforeUpdate(t *testing.T) {
	t.Parallel()
	req := fullAttach() // Microsoft certificate: an update follows
	cmds, err := shellWords(AzCLI(req))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, words := range cmds {
		order = append(order, strings.Join(words[:3], " "))
		if strings.Join(words[:3], " ") == "az resource wait" {
			want := []string{"az", "resource", "wait", "--ids", req.Workspace.ID() + "/computes/" + req.Name, "--api-version", ARMAPIVersion, "--custom", "properties.provisioningState=='Succeeded'"}
			if !reflect.DeepEqual(words, want) {
				t.Errorf("wait = %q, want %q", words, want)
			}
		}
	}
	if want := []string{"az ml computetarget", "az resource wait", "az ml computetarget"}; !reflect.DeepEqual(order, want) {
		t.Errorf("commands = %q, want attach, wait, update", order)
	}
	if out := AzCLI(validAttach()); strings.Contains(out, "az resource wait") {
		t.Errorf("an attach with nothing to update waits:\n%s", out)
	}
}

// TestV1ExportsAreMarkedLegacy: the CLI v1 and SDK v1 exports say they are
// out of support (CLI v1 since 30 September 2025, SDK v1 since 30 June
// 2026) and point to the Kubernetes compute.
func TestV1ExportsAreMarkedLegacy(t *testing.T) {
	t.Parallel()
	for _, req := range []Request{validCreate(), validAttach()} {
		cli, sdk := AzCLI(req), PythonSDK(req)
		if !strings.HasPrefix(cli, "# Legacy: Azure ML CLI v1") || !strings.Contains(cli, "30 September 2025") || !strings.Contains(cli, "az ml compute attach --type Kubernetes") {
			t.Errorf("%s CLI export is not marked legacy:\n%s", req.Mode, cli)
		}
		if !strings.HasPrefix(sdk, "# Legacy: the Azure ML SDK v1") || !strings.Contains(sdk, "30 June 2026") || !strings.Contains(sdk, "KubernetesCompute") {
			t.Errorf("%s SDK export is not marked legacy:\n%s", req.Mode, sdk)
		}
	}
}

// FuzzExports: whatever a request holds, every export is safe to paste: no
// character UnsafeRune refuses (only the line breaks of the layout), the
// shell command parses into words with every value whole, the ARM body is
// JSON, and no secret-looking value is in any of them.
func FuzzExports(f *testing.F) {
	f.Add("aks'; rm -rf ~\x03\n", "eastus\u202e", "Standard_D3_v2", "sub\r\nnet", "desc \u2028 `id` $(x)", "k\x00", "v\u200b", "-----BEGIN PRIVATE KEY-----", true)
	f.Add(hostile, hostile, hostile, hostile, hostile, hostile, hostile, hostile, false)
	f.Add("\xff\xfe", "\U000e0041", "\u0085", "\x1b[31m", "\ufeff", "${x}", "%{y}", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4xyz", true)
	f.Fuzz(func(t *testing.T, name, location, size, subnet, desc, tagK, tagV, cname string, attach bool) {
		req := Request{Mode: ModeCreate, Workspace: WorkspaceRef{Subscription: name, ResourceGroup: location, Name: size}, Name: name,
			Location: location, VMSize: size, NodeCount: 3, LoadBalancer: LoadBalancer{Type: LoadBalancerInternal, Subnet: subnet},
			Network:     Network{VnetResourceGroup: subnet, VnetName: desc, SubnetName: tagK, ServiceCIDR: tagV, DNSServiceIP: cname, DockerBridgeCIDR: name},
			TLS:         TLS{Mode: TLSCustom, CNAME: cname, CertPEM: "-----BEGIN CERTIFICATE-----", KeyPEM: "-----BEGIN PRIVATE KEY-----"},
			Description: desc, Tags: map[string]string{tagK: tagV}}
		if attach {
			req.Mode, req.Target = ModeAttach, Target{ResourceID: subnet}
			req.TLS = TLS{Mode: TLSMicrosoft, LeafDomainLabel: cname}
		}
		out := exports(t, req, location)
		for format, text := range out {
			for i, r := range text {
				if r != '\n' && UnsafeRune(r) {
					t.Fatalf("%s export holds U+%04X at %d:\n%s", format, r, i, text)
				}
			}
			if !utf8.ValidString(text) {
				t.Fatalf("%s export is not UTF-8", format)
			}
			bare := strings.NewReplacer(KeyPEMPlaceholder, "", CertPEMPlaceholder, "").Replace(text)
			if strings.Contains(bare, "-----BEGIN") || strings.Contains(strings.ToUpper(bare), "PRIVATE KEY") {
				t.Fatalf("%s export holds PEM text", format)
			}
		}
		cmds, err := shellWords(out["azcli.sh"])
		if err != nil {
			t.Fatalf("the CLI export does not parse: %v\n%s", err, out["azcli.sh"])
		}
		exp := exportable(req)
		for _, words := range cmds {
			for i := 0; i+1 < len(words); i++ {
				if words[i] == "--name" && words[i+1] != strings.ToValidUTF8(exp.Name, "\uFFFD") {
					t.Fatalf("--name = %q, want %q", words[i+1], exp.Name)
				}
			}
		}
		body := strings.SplitN(out["arm.json"], "\n", 2)[1]
		var arm ARMCompute
		if err := json.Unmarshal([]byte(body), &arm); err != nil {
			t.Fatalf("ARM body is not JSON: %v", err)
		}
		var want string // encoding/json's reading of invalid UTF-8: U+FFFD a byte
		b, _ := json.Marshal(exp.Description)
		_ = json.Unmarshal(b, &want)
		if arm.Properties.Description != want {
			t.Fatalf("ARM description %q, want %q", arm.Properties.Description, want)
		}
	})
}

// TestExportsForEveryTab: the proxy's answer to POST /api/exports holds one
// export per tab of the request's kind, in tab order, each the text its
// writer gives for the request as the workspace's location normalizes it.
func TestExportsForEveryTab(t *testing.T) {
	t.Parallel()
	facts := Facts{WorkspaceLocation: "eastus", AMLRanges: []string{"20.0.0.0/24"}}
	v1 := fullCreate(t)
	norm := v1.Normalized("eastus")
	body, err := ARMBody(norm, "eastus")
	if err != nil {
		t.Fatal(err)
	}
	v2 := k8sCreate(t)
	norm2 := v2.Normalized("eastus")
	arm2, err := KubernetesARMBodies(norm2, "eastus", facts.AMLRanges)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		req  Request
		want map[string]string
	}{
		{v1, map[string]string{"cli": AzCLI(norm), "python": PythonSDK(norm), "terraform": Terraform(norm, "eastus"),
			"arm": "PUT " + ARMPath(norm) + "\n\n" + string(body)}},
		{v2, map[string]string{"cli": KubernetesAzCLI(norm2, "eastus"), "python": KubernetesPython(norm2, "eastus"),
			"bicep": KubernetesBicep(norm2, "eastus"), "terraform": KubernetesTerraform(norm2, "eastus"), "arm": arm2}},
	} {
		got := ExportsFor(tc.req, facts)
		kinds := ExportKinds(tc.req.Kind)
		if len(got.Exports) != len(kinds) || len(kinds) != len(tc.want) {
			t.Fatalf("%s: %d exports for %d tabs, want %d", tc.req.Kind, len(got.Exports), len(kinds), len(tc.want))
		}
		for i, e := range got.Exports {
			if e.ID != kinds[i].ID || e.Label != kinds[i].Label {
				t.Errorf("%s: export %d is %s %q, want the tab %s %q", tc.req.Kind, i, e.ID, e.Label, kinds[i].ID, kinds[i].Label)
			}
			if e.Text == "" || e.Text != tc.want[e.ID] {
				t.Errorf("%s: the %s export is not its writer's text:\n%s", tc.req.Kind, e.ID, e.Text)
			}
			if text, ok := got.Text(e.ID); !ok || text != e.Text {
				t.Errorf("%s: Text(%q) = %q, %v", tc.req.Kind, e.ID, text, ok)
			}
		}
		if _, ok := got.Text("nope"); ok {
			t.Error("Text of a tab that is not there")
		}
	}
	if ExportsFor(v2, facts).Exports[0].Text == ExportsFor(v1, facts).Exports[0].Text {
		t.Error("a Kubernetes compute's CLI export is the AKS compute's")
	}
}
