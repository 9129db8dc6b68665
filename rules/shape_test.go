package rules

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// unsafeSamples are characters that must never pass a text field (C1):
// controls (^C, newline, tab, DEL, C1 NEL and CSI), the line separators,
// bidi overrides and isolates, zero-width characters, the BOM, a soft hyphen,
// private use, a noncharacter, an unassigned code point and a byte that is
// not UTF-8.
var unsafeSamples = []string{"\x03", "\n", "\t", "\r", "\x00", "\x1b", "\x7f", "\u0085", "\u009b", "\u2028", "\u2029",
	"\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u00ad", "\ue000", "\U000f0000", "\ufffe", "\U000e0001", "\u0378", "\xff"}

func TestControlCharactersRefusedInEveryField(t *testing.T) {
	t.Parallel()
	for _, mode := range []Mode{ModeCreate, ModeAttach} {
		base := validCreate()
		if mode == ModeAttach {
			base = validAttach()
		}
		probe := base
		for i, f := range textFields(&probe) {
			for _, bad := range unsafeSamples {
				req := base.cloneTags()
				fields := textFields(&req)
				*fields[i].value = "ok" + bad + "x"
				fs := Validate(req, baseFacts())
				if !hasFinding(fs, "C1", f.field) {
					t.Errorf("%s: %s = %q: no C1 finding on it: %v", mode, f.field, *fields[i].value, fs.Codes())
				}
				for _, fd := range fs {
					if strings.Contains(fd.Message+fd.Fix, bad) && bad != "\n" {
						t.Errorf("%s: %s: a finding echoes %q raw: %s", mode, f.field, bad, fd.Message)
					}
					if strings.ContainsFunc(fd.Message+fd.Fix, func(r rune) bool { return r != '\uFFFD' && UnsafeRune(r) }) {
						t.Errorf("%s: %s: finding %s holds an unsafe character: %q", mode, f.field, fd.Code, fd.Message)
					}
				}
			}
		}
	}
	for _, bad := range unsafeSamples {
		for _, tags := range []map[string]string{{"k" + bad: "v"}, {"k": "v" + bad}} {
			req := validCreate()
			req.Tags = tags
			if fs := Validate(req, baseFacts()); !hasFinding(fs, "C1", FieldTags) {
				t.Errorf("tags %q: no C1 finding: %v", tags, fs.Codes())
			}
		}
	}
	// Visible text of any script passes.
	req := validCreate()
	req.Description, req.Tags = "Équipe données — 日本語 ✓ (prod)", map[string]string{"owner": "Zoë"}
	if fs := Validate(req, baseFacts()); hasFinding(fs, "C1", FieldDescription) || hasFinding(fs, "C1", FieldTags) {
		t.Errorf("visible text refused: %v", fs)
	}
}

func hasFinding(fs Findings, code, field string) bool {
	for _, f := range fs {
		if f.Code == code && f.Field == field && f.Severity == SeverityError {
			return true
		}
	}
	return false
}

// secretSamples look like keys or certificates pasted in the wrong place.
func secretSamples(tb testing.TB) []string {
	m := material(tb)
	der := strings.Join(strings.Split(strings.TrimSpace(m.key), "\n")[1:2], "")
	return []string{m.cert, m.key, m.ecKeySEC1, "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----",
		"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4", der + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"my key: -----BEGIN RSA PRIVATE KEY----- MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu"}
}

func TestSecretsInTheWrongFieldAreRefusedNeverEchoed(t *testing.T) {
	t.Parallel()
	for _, secret := range secretSamples(t) {
		if !LooksSecret(secret) {
			t.Fatalf("LooksSecret(%q) = false", secret)
		}
		marks := secretMarks(secret)
		for _, mode := range []Mode{ModeCreate, ModeAttach} {
			base := validCreate()
			if mode == ModeAttach {
				base = validAttach()
			}
			probe := base
			for i, f := range textFields(&probe) {
				req := base.cloneTags()
				*textFields(&req)[i].value = secret
				fs := Validate(req, baseFacts())
				if !hasFinding(fs, "C2", f.field) {
					t.Errorf("%s: a key in %s: no C2 finding: %v", mode, f.field, fs.Codes())
				}
				b, _ := json.Marshal(fs)
				out := map[string]string{"findings": string(b), "link": EncodeLink(req).Encode()}
				rb, _ := json.Marshal(req.Redacted())
				out["redacted"] = string(rb)
				for format, text := range exports(t, req, "eastus") {
					out[format] = text
				}
				for where, text := range out {
					for _, mark := range marks {
						if strings.Contains(text, mark) {
							t.Errorf("%s: a key in %s reaches the %s: %q", mode, f.field, where, mark)
						}
					}
				}
			}
		}
		// In a tag, too.
		req := validCreate()
		req.Tags = map[string]string{"note": secret}
		if fs := Validate(req, baseFacts()); !hasFinding(fs, "C2", FieldTags) {
			t.Errorf("a key in a tag: no C2: %v", fs.Codes())
		}
		for format, text := range exports(t, req, "eastus") {
			for _, mark := range marks {
				if strings.Contains(text, mark) {
					t.Errorf("a key in a tag reaches the %s export", format)
				}
			}
		}
		if strings.Contains(EncodeLink(req).Encode(), "BEGIN") {
			t.Error("a key in a tag reaches the link")
		}
	}
	// What is not a key is not refused: resource IDs, long names, base64-ish words.
	for _, fine := range []string{testClusterID, "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/" + strings.Repeat("abcdefghij", 6),
		"Team ML: inference for MIIRA project", strings.Repeat("Mix", 30)} {
		if LooksSecret(fine) {
			t.Errorf("LooksSecret(%q) = true", fine)
		}
	}
}

// secretMarks are pieces of a secret that no output may hold.
func secretMarks(secret string) []string {
	var out []string
	for _, line := range strings.Fields(secret) {
		if len(line) >= 16 {
			out = append(out, line[:16])
		}
	}
	return append(out, "BEGIN", "PRIVATE KEY")
}

func TestG6RefusesInvisibleValues(t *testing.T) {
	t.Parallel()
	p := &Policy{RequiredTags: []string{"owner"}}
	for _, v := range []string{"", " ", "\u200b", "\u3164", "\ufeff", "\u115f\u1160", "\uffa0", "\u2800", "\u00a0\u2003\u3000", "\u034f", "\u180e", "\u2060", " \u200b \u3164 "} {
		req := validCreate()
		req.Tags = map[string]string{"owner": v}
		if fs := Validate(req, Facts{Policy: p}); !hasFinding(fs, "G6", FieldTags) {
			t.Errorf("owner = %q: no G6: %v", v, fs.Codes())
		}
		if Visible(v) {
			t.Errorf("Visible(%q) = true", v)
		}
	}
	for _, v := range []string{"ada", "Zoë", "日本", "-", "42", " x "} {
		req := validCreate()
		req.Tags = map[string]string{"owner": v}
		if fs := Validate(req, Facts{Policy: p}); hasFinding(fs, "G6", FieldTags) {
			t.Errorf("owner = %q: G6 refused a visible value", v)
		}
	}
}

func TestNodeCountCannotOverflow(t *testing.T) {
	t.Parallel()
	p := &Policy{MaxVCPUs: 64}
	for _, n := range []int{MaxNodeCount + 1, 1 << 31, 1<<32 + 3, 1<<62 + 1, int(^uint(0) >> 1)} {
		req := validCreate()
		req.NodeCount = n
		fs := Validate(req, Facts{Policy: p})
		if !hasFinding(fs, "P5", FieldNodeCount) || !hasFinding(fs, "G4", FieldNodeCount) {
			t.Errorf("create with %d nodes: %v, want P5 and G4", n, fs.Codes())
		}
		fs = CheckScale(ScaleRequest{NodeCount: n}, Compute{VMSize: "Standard_D3_v2", Purpose: PurposeFastProd}, Facts{Policy: p})
		if !hasFinding(fs, "P5", FieldNodeCount) {
			t.Errorf("scale to %d nodes: %v, want P5", n, fs.Codes())
		}
	}
	req := validCreate()
	req.NodeCount = MaxNodeCount
	if fs := Validate(req, baseFacts()); hasFinding(fs, "P5", FieldNodeCount) {
		t.Errorf("%d nodes refused: %v", MaxNodeCount, fs)
	}
}

func TestShapesOfURLValues(t *testing.T) {
	t.Parallel()
	for _, loc := range []string{"..", "east\tus", "east'us", "east%2Fus", "east/us", "eastus/../x", "éast", "East US", "EastUS2", "e", strings.Repeat("a", 41)} {
		req := validCreate()
		req.Location = loc
		if fs := Validate(req, baseFacts()); !hasFinding(fs, "C3", FieldLocation) && !hasFinding(fs, "C1", FieldLocation) {
			t.Errorf("location %q: %v, want C3", loc, fs.Codes())
		}
		if ValidLocation(loc) {
			t.Errorf("ValidLocation(%q) = true", loc)
		}
	}
	for _, size := range []string{"..", "Standard D3", "Standard_D3'", "a/b", "Standard_D3%2F"} {
		req := validCreate()
		req.VMSize = size
		if fs := Validate(req, baseFacts()); !hasFinding(fs, "C3", FieldVMSize) {
			t.Errorf("vmSize %q: %v, want C3", size, fs.Codes())
		}
	}
	req := validCreate()
	req.LoadBalancer = LoadBalancer{Type: LoadBalancerInternal, Subnet: "a b;c"}
	// V3 says what is wrong with an internal load balancer's subnet; C3
	// covers a subnet no other rule reads.
	if fs := Validate(req, baseFacts()); !hasFinding(fs, "V3", FieldLBSubnet) {
		t.Errorf("load balancer subnet: %v, want V3", fs.Codes())
	}
	req.LoadBalancer.Type = "Other"
	if fs := Validate(req, baseFacts()); !hasFinding(fs, "C3", FieldLBSubnet) {
		t.Errorf("load balancer subnet of an unknown type: %v, want C3", fs.Codes())
	}
	for _, ok := range []string{"eastus", "westeurope", "southcentralus", "eastus2"} {
		if !ValidLocation(ok) {
			t.Errorf("ValidLocation(%q) = false", ok)
		}
	}
}

// TestEveryTextFieldRefusesControlCharacters walks every string the request
// type holds (fields, named string types, lists and maps, at any depth), so a
// field added later cannot miss the C1 check: each, set to a value holding ^C
// and a newline, must get a C1 error. The certificate and key are the only
// exceptions: they are PEM, checked by L2 as certificates.
func TestEveryTextFieldRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	const hostile = "ok\x03\nrm -rf ~"
	exempt := map[string]bool{"TLS.CertPEM": true, "TLS.KeyPEM": true}
	var walk func(path string, v reflect.Value)
	seen := 0
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if !v.Type().Field(i).IsExported() {
					continue
				}
				p := v.Type().Field(i).Name
				if path != "" {
					p = path + "." + p
				}
				walk(p, v.Field(i))
			}
			return
		case reflect.String, reflect.Slice, reflect.Map:
		default:
			return
		}
		if exempt[path] {
			return
		}
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() != reflect.String {
			return
		}
		if v.Kind() == reflect.Map && (v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String) {
			return
		}
		seen++
		t.Run(path, func(t *testing.T) {
			req := validCreate()
			req.Kind = KindKubernetes
			f := reflect.ValueOf(&req).Elem().FieldByName(strings.Split(path, ".")[0])
			for _, name := range strings.Split(path, ".")[1:] {
				f = f.FieldByName(name)
			}
			switch f.Kind() {
			case reflect.String:
				f.SetString(hostile)
			case reflect.Slice:
				f.Set(reflect.Append(reflect.MakeSlice(f.Type(), 0, 1), reflect.ValueOf(hostile).Convert(f.Type().Elem())))
			case reflect.Map:
				m := reflect.MakeMap(f.Type())
				m.SetMapIndex(reflect.ValueOf("k").Convert(f.Type().Key()), reflect.ValueOf(hostile).Convert(f.Type().Elem()))
				f.Set(m)
			}
			if _, ok := findCode(Validate(req, Facts{}), "C1"); !ok {
				t.Errorf("%s holding control characters has no C1 finding", path)
			}
		})
	}
	walk("", reflect.ValueOf(Request{}))
	if seen < 30 {
		t.Fatalf("walked %d text fields, the request has more", seen)
	}
}
