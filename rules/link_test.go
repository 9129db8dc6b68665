package rules

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// fullCreate sets every field of a create request, secrets included.
func fullCreate(tb testing.TB) Request {
	m := material(tb)
	return Request{
		Mode:         ModeCreate,
		Workspace:    WorkspaceRef{Subscription: testSub, ResourceGroup: "rg-ml", Name: "ws-prod"},
		Name:         "aks-prod",
		Purpose:      PurposeDenseProd,
		Location:     "westeurope",
		VMSize:       "Standard_D4_v2",
		NodeCount:    4,
		Network:      validNetwork(),
		LoadBalancer: LoadBalancer{Type: LoadBalancerInternal, Subnet: "aks-lb"},
		TLS:          TLS{Mode: TLSCustom, CertPEM: m.cert, KeyPEM: m.key, CNAME: "score.example.com"},
		Description:  "Scoring for team A & B: \"prod\" 100%",
		Tags:         map[string]string{"cost-center": "cc-42", "owner": "team a", "empty": "", "a=b": "c=d"},
	}
}

// fullAttach sets every attach field, and a Microsoft certificate.
func fullAttach() Request {
	return Request{
		Mode:         ModeAttach,
		Workspace:    WorkspaceRef{Subscription: testSub, ResourceGroup: "rg-ml", Name: "ws-prod"},
		Name:         "aks-attached",
		Purpose:      PurposeDevTest,
		LoadBalancer: LoadBalancer{Type: LoadBalancerPublicIP},
		TLS:          TLS{Mode: TLSMicrosoft, LeafDomainLabel: "scoring", OverwriteExistingDomain: true},
		Target:       Target{ResourceGroup: "rg-aks", Name: "aks1"},
		Description:  "Attached cluster",
		Tags:         map[string]string{"cost-center": "cc-42"},
	}
}

func TestLinkRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		req  Request
	}{
		{"full create", fullCreate(t)},
		{"full attach", fullAttach()},
		{"attach by ID", validAttach()},
		{"empty", Request{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			link := EncodeLink(tc.req)
			// Through a real URL, as the page does.
			u, err := url.Parse("https://amlaks.example.com/new?" + link.Encode())
			if err != nil {
				t.Fatal(err)
			}
			got, fs := DecodeLink(u.Query())
			if len(fs) > 0 {
				t.Errorf("DecodeLink findings:\n%s", dumpFindings(fs))
			}
			want := tc.req.Redacted()
			if len(want.Tags) == 0 {
				want.Tags = nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip mismatch:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestEncodeLinkHasNoSecrets(t *testing.T) {
	t.Parallel()
	req := fullCreate(t)
	enc := EncodeLink(req).Encode()
	for _, k := range []string{"certPem", "keyPem", "cert=", "key="} {
		if strings.Contains(enc, k) {
			t.Errorf("link holds %q: %s", k, enc)
		}
	}
	dec, _ := url.QueryUnescape(enc)
	for _, secret := range []string{req.TLS.CertPEM, req.TLS.KeyPEM} {
		for _, line := range strings.Split(secret, "\n") {
			if len(line) > 8 && (strings.Contains(enc, line) || strings.Contains(dec, line)) {
				t.Errorf("link holds PEM text %q", line)
			}
		}
	}
	if strings.Contains(dec, "BEGIN") {
		t.Errorf("link holds PEM text: %s", dec)
	}
}

func TestEncodeLinkKeys(t *testing.T) {
	t.Parallel()
	got := EncodeLink(fullAttach())
	want := url.Values{
		"mode": {"attach"}, "sub": {testSub}, "rg": {"rg-ml"}, "ws": {"ws-prod"}, "name": {"aks-attached"},
		"purpose": {"DevTest"}, "lb": {"PublicIp"}, "tls": {"microsoft"}, "leaf": {"scoring"}, "overwrite": {"1"},
		"targetRg": {"rg-aks"}, "target": {"aks1"}, "desc": {"Attached cluster"}, "tag": {"cost-center=cc-42"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EncodeLink mismatch:\n got %v\nwant %v", got, want)
	}
}

func TestDecodeLinkBadValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		want  []string
		check func(*testing.T, Request)
	}{
		{name: "nodes not a number", query: "name=aks-prod&nodes=abc&vmSize=Standard_D3_v2",
			want: []string{"P5 nodeCount error"},
			check: func(t *testing.T, r Request) {
				if r.NodeCount != 0 || r.Name != "aks-prod" || r.VMSize != "Standard_D3_v2" {
					t.Errorf("request = %+v", r)
				}
			}},
		{name: "nodes zero", query: "nodes=0&ws=ws-prod", want: []string{"P5 nodeCount error"},
			check: func(t *testing.T, r Request) {
				if r.NodeCount != 0 || r.Workspace.Name != "ws-prod" {
					t.Errorf("request = %+v", r)
				}
			}},
		{name: "nodes negative", query: "nodes=-2", want: []string{"P5 nodeCount error"}},
		{name: "overwrite maybe", query: "overwrite=maybe&leaf=svc&tls=microsoft", want: []string{"U2 tls.overwriteExistingDomain error"},
			check: func(t *testing.T, r Request) {
				if r.TLS != (TLS{Mode: TLSMicrosoft, LeafDomainLabel: "svc"}) {
					t.Errorf("TLS = %+v", r.TLS)
				}
			}},
		{name: "overwrite spellings", query: "overwrite=Yes",
			check: func(t *testing.T, r Request) {
				if !r.TLS.OverwriteExistingDomain {
					t.Error("overwrite=Yes not read as true")
				}
			}},
		{name: "tag without =", query: "tag=team&tag=owner%3Dme", want: []string{"U2 tags error"},
			check: func(t *testing.T, r Request) {
				if !reflect.DeepEqual(r.Tags, map[string]string{"owner": "me"}) {
					t.Errorf("tags = %v", r.Tags)
				}
			}},
		{name: "tag with empty name", query: "tag=%3Dvalue", want: []string{"U2 tags error"}},
		{name: "unknown key", query: "name=aks-prod&colour=blue", want: []string{"U1 link warning"},
			check: func(t *testing.T, r Request) {
				if r.Name != "aks-prod" {
					t.Errorf("name = %q", r.Name)
				}
			}},
		{name: "repeated key", query: "name=first&name=second&location=eastus", want: []string{"U2 name error"},
			check: func(t *testing.T, r Request) {
				if r.Name != "first" || r.Location != "eastus" {
					t.Errorf("request = %+v", r)
				}
			}},
		{name: "certPem", query: "certPem=-----BEGIN+CERTIFICATE-----&cname=score.example.com", want: []string{"L5 tls.certPem error"},
			check: func(t *testing.T, r Request) {
				if r.TLS.CertPEM != "" || r.TLS.CNAME != "score.example.com" {
					t.Errorf("TLS = %+v", r.TLS)
				}
			}},
		{name: "keyPem and key", query: "keyPem=x&key=y", want: []string{"L5 tls.keyPem error", "L5 tls.keyPem error"},
			check: func(t *testing.T, r Request) {
				if r.TLS.KeyPEM != "" {
					t.Errorf("TLS = %+v", r.TLS)
				}
			}},
		{name: "everything at once", query: "nodes=abc&overwrite=maybe&tag=x&colour=blue&purpose=DevTest&purpose=FastProd&certPem=z&name=aks-ok",
			want: []string{"P5 nodeCount error", "U2 tls.overwriteExistingDomain error", "U2 tags error", "U1 link warning", "U2 purpose error", "L5 tls.certPem error"},
			check: func(t *testing.T, r Request) {
				if r.Name != "aks-ok" || r.Purpose != PurposeDevTest {
					t.Errorf("request = %+v", r)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			r, fs := DecodeLink(v)
			assertFindings(t, fs, tt.want)
			assertWellFormed(t, fs)
			for _, f := range fs {
				if strings.Contains(f.Message, "BEGIN") {
					t.Errorf("finding quotes the secret: %+v", f)
				}
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestDecodeLinkIgnoresPageKeys(t *testing.T) {
	t.Parallel()
	v, _ := url.ParseQuery("name=aks-prod&embed=1&Theme=dark")
	r, fs := DecodeLink(v, "embed", "theme")
	if len(fs) > 0 || r.Name != "aks-prod" {
		t.Errorf("DecodeLink = %+v, %v", r, fs)
	}
}

func TestDecodeLinkClipsLongValues(t *testing.T) {
	t.Parallel()
	v := url.Values{"nodes": {strings.Repeat("9", 500)}}
	_, fs := DecodeLink(v)
	if len(fs) != 1 || len(fs[0].Message) > 200 {
		t.Errorf("long value not clipped: %v", fs)
	}
}
