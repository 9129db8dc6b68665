//go:build !(js && wasm)

package proxy_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
)

// hostileCase is one malformed or hostile request. Every one must get a 4xx
// with a message (and the field, when there is one), and none may write in
// Azure; those refused on their shape alone must not even read from it.
type hostileCase struct {
	name, method, path, body string
	header                   []string
	status                   int    // exact status; 0: any 4xx
	field                    string // the error's field, when there is one
	reads                    bool   // refusing it needs facts from Azure
	anonymous                bool   // sent without the trusted identity
}

// hostileBody is a valid create with one field, at a dotted path, set to raw JSON
// (or removed when raw is "").
func hostileBody(path, raw string) string {
	base := map[string]any{
		"mode":      "create",
		"workspace": map[string]any{"subscription": armemu.SubscriptionID, "resourceGroup": "ml-rg", "name": "ws-east"},
		"name":      "aks-hostile",
		"purpose":   "DevTest",
		"nodeCount": 1,
	}
	if path != "" {
		m := base
		keys := strings.Split(path, ".")
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		if raw == "" {
			delete(m, keys[len(keys)-1])
		} else {
			m[keys[len(keys)-1]] = "@@RAW@@"
		}
	}
	b, err := json.Marshal(base)
	if err != nil {
		panic(err)
	}
	// Raw text goes in after encoding, so it may be JSON no encoder writes.
	return strings.Replace(string(b), `"@@RAW@@"`, raw, 1)
}

// hostileAttach is a valid attach of aks-healthy with the target set to raw JSON.
func hostileAttach(target string) string {
	b := hostileBody("mode", `"attach"`)
	b = strings.Replace(b, `"nodeCount":1,`, "", 1)
	b = strings.Replace(b, `"purpose":"DevTest"`, `"purpose":"FastProd","target":`+target, 1)
	return b
}

func hostileCases() []hostileCase {
	var cs []hostileCase
	add := func(c hostileCase) {
		if c.method == "" {
			c.method = "POST"
		}
		if c.path == "" {
			c.path = "/api/computes"
		}
		cs = append(cs, c)
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }

	// Oversize bodies.
	add(hostileCase{name: "body over 64 KiB", body: hostileBody("description", q(strings.Repeat("a", 70<<10))), status: 413})
	add(hostileCase{name: "body of 4 MiB", body: `{"mode":"create","name":"` + strings.Repeat("x", 4<<20) + `"}`, status: 413})
	add(hostileCase{name: "many tags over the cap", body: hostileBody("tags", func() string {
		var b strings.Builder
		b.WriteString("{")
		for i := range 5000 {
			fmt.Fprintf(&b, `"t%d":"%s",`, i, strings.Repeat("v", 10))
		}
		return strings.TrimSuffix(b.String(), ",") + "}"
	}()), status: 413})
	add(hostileCase{name: "deep nesting", body: strings.Repeat("[", 20000) + strings.Repeat("]", 20000), status: 0})

	// Not JSON, or more than one JSON value.
	for name, body := range map[string]string{
		"empty body": "", "open brace": "{", "array": "[]", "string": `"create"`, "number": "42",
		"two values": hostileBody("", "") + "{}", "trailing garbage": hostileBody("", "") + "xyz",
		"NaN": `{"nodeCount":NaN}`, "comment": `{/* hi */"mode":"create"}`, "single quotes": `{'mode':'create'}`,
		"null byte": "{\"mode\":\"create\"\x00}", "BOM": "\uFEFF" + hostileBody("", ""), "invalid UTF-8 key": "{\"\xff\":1}",
		"null": "null",
	} {
		add(hostileCase{name: "not JSON: " + name, body: body, status: 400})
	}

	// Wrong types, each naming its field.
	for field, raw := range map[string]string{
		"mode": `1`, "workspace": `"ws-east"`, "workspace.subscription": `5`, "workspace.resourceGroup": `["ml-rg"]`,
		"workspace.name": `{"$ne":""}`, "name": `true`, "purpose": `0`, "location": `[]`, "vmSize": `{}`,
		"nodeCount": `"3"`, "network": `[]`, "network.serviceCidr": `10`, "loadBalancer": `"PublicIp"`, "loadBalancer.type": `3`,
		"tls": `"custom"`, "tls.certPem": `1`, "tls.overwriteExistingDomain": `"yes"`, "target": `"aks-healthy"`,
		"target.resourceId": `[]`, "description": `{}`, "tags": `["a=b"]`, "tags.owner": `1`,
	} {
		want := field
		if field == "tags.owner" {
			want = "tags" // encoding/json names the map, not the key
		}
		add(hostileCase{name: "wrong type: " + field, body: hostileBody(field, raw), status: 400, field: want})
	}

	// Huge and odd numbers.
	for name, raw := range map[string]string{
		"1e30": `1e30`, "2^63": `9223372036854775808`, "-2^63-1": `-9223372036854775809`, "1e400": `1e400`,
		"fraction": `3.5`, "exponent": `3e0`, "2^64": `18446744073709551616`, "hex": `0x10`, "leading zero": `03`,
	} {
		c := hostileCase{name: "nodeCount " + name, body: hostileBody("nodeCount", raw), status: 400, field: "nodeCount"}
		if name == "hex" || name == "leading zero" {
			c.field = "" // a syntax error has no field
		}
		add(c)
	}
	add(hostileCase{name: "nodeCount negative", body: hostileBody("nodeCount", `-1`), status: 400, field: "nodeCount"})
	add(hostileCase{name: "nodeCount min int", body: hostileBody("nodeCount", `-9223372036854775808`), status: 400, field: "nodeCount"})

	// Unknown fields, at every level.
	for field, raw := range map[string]string{
		"admin": `true`, "facts": `{"computes":[]}`, "policy": `{}`, "workspace.id": `"/subscriptions/x"`,
		"tls.pfx": `"MII..."`, "target.subscription": `"x"`, "network.vnetId": `"x"`, "__proto__": `{}`,
		"loadBalancer.sku": `"Standard"`, "identity": `{"type":"SystemAssigned"}`,
	} {
		add(hostileCase{name: "unknown field " + field, body: hostileBody(field, raw), status: 400, field: field[strings.LastIndex(field, ".")+1:]})
	}

	// Names: traversal, query injection, control characters, look-alikes.
	for name, v := range map[string]string{
		"../../x": "../../x", "..": "..", "slash": "aks/prod", "encoded slash": "aks%2Fprod", "query": "aks?api-version=2020-01-01",
		"fragment": "aks#prod", "backslash": `aks\prod`, "null byte": "aks\x00prod", "newline": "aks\nprod", "tab": "aks\tprod",
		"escape": "aks\x1b[2Jprod", "del": "aks\x7fprod", "Cyrillic a": "аks-prod", "Cyrillic o": "aks-prоd",
		"Greek omicron": "aks-prοd", "fullwidth": "ａｋｓ－ｐｒｏｄ", "unicode hyphen": "aks‐prod", "non-breaking hyphen": "aks‑prod",
		"zero-width joiner": "aks\u200dprod", "bidi override": "aks\u202eprod", "trailing space": "aks-prod ",
		"leading space": " aks-prod", "dot": "aks.prod", "percent": "aks%00", "reserved": "amlcompute",
		"too long": strings.Repeat("a", 25), "empty": "", "emoji": "aks-😀",
	} {
		add(hostileCase{name: "name " + name, body: hostileBody("name", q(v)), status: 400, field: "name"})
	}

	// The workspace: traversal and injection in each part.
	for part, vs := range map[string][]string{
		"subscription":  {"../x", armemu.SubscriptionID + "?api-version=1", armemu.SubscriptionID + "/resourceGroups/x", "00000000-0000-4000-8000-00000000000١"},
		"resourceGroup": {"..", "ml-rg/../aks-rg", "ml-rg%2F..", "ml-rg?x=1", "ml-rg\x00", "ml-rg\n", "ml-rg.", "мl-rg/x"},
		"name":          {"..", "ws-east/computes/x", "ws-east%2Fcomputes", "ws-east?api-version=1", "wѕ-east\x00", "ws-east#", "-ws"},
	} {
		for i, v := range vs {
			add(hostileCase{name: fmt.Sprintf("workspace.%s #%d", part, i+1), body: hostileBody("workspace."+part, q(v)), status: 400, field: "workspace." + part})
		}
	}

	// Attach targets: other providers, injection, both forms at once.
	sub := "/subscriptions/" + armemu.SubscriptionID
	for name, id := range map[string]string{
		"virtual machine":   sub + "/resourceGroups/aks-rg/providers/Microsoft.Compute/virtualMachines/vm1",
		"storage account":   sub + "/resourceGroups/aks-rg/providers/Microsoft.Storage/storageAccounts/st1",
		"query":             secClusterID("aks-healthy") + "?api-version=2020-01-01",
		"encoded slash":     sub + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-healthy%2F..%2Fx",
		"traversal":         sub + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/../../../x",
		"agent pool":        secClusterID("aks-healthy") + "/agentPools/nodepool1",
		"no subscription":   "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-healthy",
		"not an ID":         "aks-healthy",
		"URL":               "https://management.azure.com" + secClusterID("aks-healthy"),
		"null byte":         secClusterID("aks-healthy\x00"),
		"Cyrillic":          secClusterID("аks-healthy"),
		"fragment":          secClusterID("aks-healthy") + "#x",
		"double slash":      "//subscriptions/" + armemu.SubscriptionID + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-healthy",
		"bad subscription":  "/subscriptions/not-a-guid/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-healthy",
		"newline":           secClusterID("aks-healthy") + "\n",
		"managed identity":  sub + "/resourceGroups/aks-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1",
		"role assignment":   sub + "/providers/Microsoft.Authorization/roleAssignments/x",
		"resource group ID": sub + "/resourceGroups/aks-rg",
	} {
		add(hostileCase{name: "target " + name, body: hostileAttach(`{"resourceId":` + q(id) + `}`), status: 400, field: "target.resourceId"})
	}
	add(hostileCase{name: "target by both ID and name", body: hostileAttach(`{"resourceId":` + q(secClusterID("aks-healthy")) + `,"name":"aks-healthy","resourceGroup":"aks-rg"}`), status: 400, field: "target"})
	add(hostileCase{name: "target name traversal", body: hostileAttach(`{"resourceGroup":"aks-rg","name":"../aks-healthy"}`), status: 400, field: "target.name"})
	add(hostileCase{name: "target group traversal", body: hostileAttach(`{"resourceGroup":"../aks-rg","name":"aks-healthy"}`), status: 400, field: "target.resourceGroup"})
	add(hostileCase{name: "target missing", body: hostileAttach(`{}`), status: 400, field: "target"})
	add(hostileCase{name: "target that does not exist", body: hostileAttach(`{"resourceId":` + q(secClusterID("aks-nowhere")) + `}`), status: 400, field: "target.resourceId", reads: true})

	// Other fields.
	add(hostileCase{name: "mode unknown", body: hostileBody("mode", `"delete"`), status: 400, field: "mode"})
	add(hostileCase{name: "mode missing", body: hostileBody("mode", ""), status: 400, field: "mode"})
	add(hostileCase{name: "purpose unknown", body: hostileBody("purpose", `"Prod"`), status: 400, field: "purpose"})
	add(hostileCase{name: "description over 1024", body: hostileBody("description", q(strings.Repeat("d", 1025))), status: 400, field: "description"})
	add(hostileCase{name: "tag name with slash", body: hostileBody("tags", `{"a/b":"c"}`), status: 400, field: "tags"})
	add(hostileCase{name: "tag value with control", body: hostileBody("tags", `{"a":"b\u0000"}`), status: 400, field: "tags"})
	add(hostileCase{name: "tag name empty", body: hostileBody("tags", `{"":"x"}`), status: 400, field: "tags"})
	add(hostileCase{name: "network half given", body: hostileBody("network", `{"vnetName":"v"}`), status: 400})
	add(hostileCase{name: "network CIDR injection", body: hostileBody("network", `{"vnetResourceGroup":"net-rg","vnetName":"v","subnetName":"s","serviceCidr":"10.0.0.0/16; rm -rf /","dnsServiceIP":"10.0.0.10","dockerBridgeCidr":"172.17.0.1/16"}`), status: 400})
	add(hostileCase{name: "load balancer subnet without internal", body: hostileBody("loadBalancer", `{"type":"PublicIp","subnet":"s"}`), status: 400})
	add(hostileCase{name: "TLS custom without PEMs", body: hostileBody("tls", `{"mode":"custom","cname":"x.example.com"}`), status: 400})
	add(hostileCase{name: "TLS garbage PEM", body: hostileBody("tls", `{"mode":"custom","certPem":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----","keyPem":"k","cname":"x.example.com"}`), status: 400})
	add(hostileCase{name: "TLS mode unknown", body: hostileBody("tls", `{"mode":"letsencrypt"}`), status: 400})

	// Headers.
	add(hostileCase{name: "text/plain", body: hostileBody("", ""), header: []string{"Content-Type: text/plain"}, status: 400})
	add(hostileCase{name: "form encoded", body: "mode=create&name=x", header: []string{"Content-Type: application/x-www-form-urlencoded"}, status: 400})
	add(hostileCase{name: "multipart", body: "--x\r\n\r\n--x--", header: []string{"Content-Type: multipart/form-data; boundary=x"}, status: 400})

	// Scale and detach: the path's parts and the body.
	ws := "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east/computes/"
	for name, seg := range map[string]string{
		"encoded dot-dot": "%2e%2e", "encoded slash": "aks%2Fattached", "encoded query": "aks-attached%3Fapi-version=1",
		"encoded null": "aks%00", "encoded newline": "aks%0Aattached", "Cyrillic": url.PathEscape("аks-attached"), "reserved-ish": "a",
	} {
		add(hostileCase{name: "scale name " + name, path: ws + seg + "/scale", body: `{"nodeCount":4}`, status: 400, field: "name"})
		add(hostileCase{name: "detach name " + name, method: "DELETE", path: ws + seg, status: 400, field: "name"})
	}
	for name, body := range map[string]string{"string": `{"nodeCount":"4"}`, "1e30": `{"nodeCount":1e30}`, "2^63": `{"nodeCount":9223372036854775808}`, "fraction": `{"nodeCount":4.5}`} {
		add(hostileCase{name: "scale nodeCount " + name, path: ws + "aks-attached/scale", body: body, status: 400, field: "nodeCount"})
	}
	add(hostileCase{name: "scale unknown field", path: ws + "aks-attached/scale", body: `{"nodeCount":4,"force":true}`, status: 400, field: "force"})
	add(hostileCase{name: "scale negative", path: ws + "aks-attached/scale", body: `{"nodeCount":-4}`, status: 400, field: "nodeCount", reads: true})
	add(hostileCase{name: "scale changes the VM size", path: ws + "aks-attached/scale", body: `{"nodeCount":4,"vmSize":"Standard_NC6s_v3"}`, status: 400, field: "vmSize", reads: true})
	add(hostileCase{name: "scale oversize", path: ws + "aks-attached/scale", body: `{"nodeCount":4,"vmSize":"` + strings.Repeat("v", 70<<10) + `"}`, status: 413})
	for name, p := range map[string]string{
		"bad subscription":    "/api/workspaces/not-a-guid/ml-rg/ws-east/computes/aks-attached",
		"subscription query":  "/api/workspaces/" + armemu.SubscriptionID + "%3Fx=1/ml-rg/ws-east/computes/aks-attached",
		"group traversal":     "/api/workspaces/" + armemu.SubscriptionID + "/%2e%2e/ws-east/computes/aks-attached",
		"workspace slash":     "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east%2Fcomputes/computes/aks-attached",
		"workspace Cyrillic":  "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/" + url.PathEscape("wѕ-east") + "/computes/aks-attached",
		"not a compute route": "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east/computes/aks-attached/delete",
	} {
		add(hostileCase{name: "detach path " + name, method: "DELETE", path: p})
	}
	// Methods and routes that do not exist.
	add(hostileCase{name: "PUT computes", method: "PUT", body: hostileBody("", ""), status: 404})
	add(hostileCase{name: "PATCH compute", method: "PATCH", path: ws + "aks-attached", body: `{}`, status: 404})
	add(hostileCase{name: "POST to ARM-looking path", path: "/api/subscriptions/" + armemu.SubscriptionID + "/resourceGroups/ml-rg", body: `{}`, status: 404})

	// No identity, and identity headers a trusted proxy mangled.
	valid := hostileBody("", "")
	add(hostileCase{name: "no identity", body: valid, anonymous: true, status: 401})
	add(hostileCase{name: "no identity detach", method: "DELETE", path: ws + "aks-attached", anonymous: true, status: 401})
	add(hostileCase{name: "identity with newline", body: valid, anonymous: true, header: []string{"X-Forwarded-User: ada\u0085root"}, status: 401})
	add(hostileCase{name: "identity too long", body: valid, anonymous: true, header: []string{"X-Forwarded-Email: " + strings.Repeat("a", 300) + "@example.com"}, status: 401})
	add(hostileCase{name: "principal garbage", body: valid, anonymous: true, header: []string{"X-MS-CLIENT-PRINCIPAL: e30"}, status: 401})
	add(hostileCase{name: "principal bad base64", body: valid, anonymous: true, header: []string{"X-MS-CLIENT-PRINCIPAL: ?????"}, status: 401})
	return cs
}

// forgedCases are identity headers from an address that is not a trusted proxy.
func forgedCases() []hostileCase {
	ws := "/api/workspaces/" + armemu.SubscriptionID + "/ml-rg/ws-east/computes/aks-attached"
	var cs []hostileCase
	for name, h := range map[string]string{
		"email": "X-Forwarded-Email: admin@example.com", "user": "X-Forwarded-User: admin",
		"principal":        "X-MS-CLIENT-PRINCIPAL: eyJhdXRoX3R5cCI6ImFhZCIsImNsYWltcyI6W3sidHlwIjoibmFtZSIsInZhbCI6ImFkbWluIn1dLCJuYW1lX3R5cCI6Im5hbWUiLCJyb2xlX3R5cCI6InJvbGVzIn0=",
		"lowercase header": "x-forwarded-email: admin@example.com", "forwarded-for spoof": "X-Forwarded-For: 10.0.0.1",
	} {
		hdr := []string{h}
		if name == "forwarded-for spoof" {
			hdr = append(hdr, "X-Forwarded-Email: admin@example.com", "X-Real-IP: 10.0.0.1")
		}
		cs = append(cs,
			hostileCase{name: "forged " + name + " create", method: "POST", path: "/api/computes", body: hostileBody("", ""), header: hdr, status: 401, anonymous: true},
			hostileCase{name: "forged " + name + " scale", method: "POST", path: ws + "/scale", body: `{"nodeCount":4}`, header: hdr, status: 401, anonymous: true},
			hostileCase{name: "forged " + name + " detach", method: "DELETE", path: ws, header: hdr, status: 401, anonymous: true},
		)
	}
	return cs
}

func TestHostileRequests(t *testing.T) {
	trusted := newSecStack(t, secOptions{noRate: true, cfg: proxy.Config{AuthMode: proxy.AuthHeader, TrustedProxies: secPrefixes(t, "127.0.0.0/8")}})
	untrusted := newSecStack(t, secOptions{noRate: true, cfg: proxy.Config{AuthMode: proxy.AuthHeader, TrustedProxies: secPrefixes(t, "10.0.0.0/8")}})
	run := func(st *secStack, cases []hostileCase) int {
		writes := st.emu.Writes()
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				header := c.header
				if !c.anonymous {
					header = append([]string{"X-Forwarded-Email: tester@example.com"}, header...)
				}
				reads := st.emu.Requests()
				a := st.do(t, c.method, c.path, c.body, header...)
				e := a.apiErr()
				switch {
				case c.status != 0 && a.status != c.status:
					t.Errorf("got %d %.300s, want %d", a.status, a.body, c.status)
				case a.status < 400 || a.status > 499:
					t.Errorf("got %d %.300s, want a 4xx", a.status, a.body)
				}
				if e.Message == "" || e.Code == "" || e.RequestID == "" {
					t.Errorf("answer %.300s lacks a code, a message or a request ID", a.body)
				}
				if c.field != "" && e.Field != c.field {
					t.Errorf("field %q (%s), want %q", e.Field, e.Message, c.field)
				}
				if !c.reads && st.emu.Requests() != reads {
					t.Errorf("refusing it made %d Azure calls; it needs no facts", st.emu.Requests()-reads)
				}
				if strings.Contains(a.body, "\x00") || strings.Contains(a.body, "\x1b") {
					t.Errorf("the answer echoes raw control characters: %q", a.body)
				}
			})
		}
		if got := st.emu.Writes() - writes; got != 0 {
			t.Errorf("hostile requests made %d writes in Azure, want 0", got)
		}
		return len(cases)
	}
	n := run(trusted, hostileCases()) + run(untrusted, forgedCases())
	t.Logf("hostile requests tried: %d; Azure writes: %d; Azure calls: %d", n, trusted.emu.Writes()+untrusted.emu.Writes(), trusted.emu.Requests()+untrusted.emu.Requests())
	if n < 100 {
		t.Errorf("only %d hostile requests; the corpus should hold at least 100", n)
	}
	// Every attempt that reached a change route is in the audit log, and none holds raw control characters.
	for _, out := range []string{trusted.audit.String(), untrusted.audit.String()} {
		if strings.ContainsAny(out, "\x00\x1b\x7f") {
			t.Error("the audit log holds raw control characters")
		}
		secAuditLines(t, out)
	}
}
