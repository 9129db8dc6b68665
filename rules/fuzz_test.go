package rules

import (
	"encoding/json"
	"net/url"
	"reflect"
	"testing"
)

// fuzzFacts are rich facts, so the fuzzer reaches the rules that need them.
func fuzzFacts() Facts {
	f := attachFacts()
	f.Computes = []Compute{{Name: "aks-first", Type: "AKS", ClusterID: testClusterID}}
	f.RegionNames = []string{"shared-aks"}
	f.SubnetPrefix = "10.240.0.0/16"
	f.Policy = testPolicy()
	f.Now = testNow
	f.Cluster.AuthorizedIPRanges = []string{"20.42.0.0/24", "10.0.0.0/8"}
	return f
}

func FuzzValidate(f *testing.F) {
	m := material(f)
	seeds := []Request{validCreate(), validAttach(), fullCreate(f), fullAttach(), hostileRequest(ModeCreate), hostileRequest(ModeAttach), {}}
	custom := validCreate()
	custom.TLS = TLS{Mode: TLSCustom, CertPEM: m.cert, KeyPEM: m.otherKey, CNAME: "score.example.com"}
	seeds = append(seeds, custom)
	for _, s := range seeds {
		b, err := json.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"mode":"create","name":"-","nodeCount":-9223372036854775808,"vmSize":"x","network":{"serviceCidr":"0.0.0.0/0","dnsServiceIP":"0.0.0.1","dockerBridgeCidr":"255.255.255.255/32"}}`))
	f.Add([]byte(`{"mode":"create","nodeCount":9223372036854775807,"vmSize":"Standard_PB6s","network":{"serviceCidr":"10.0.0.0/32","dnsServiceIP":"10.0.0.0"}}`))
	f.Add([]byte(`{"mode":"attach","name":"\u00e9","target":{"resourceId":"/subscriptions//resourceGroups//providers/x/y/"}}`))
	f.Add([]byte(`{"mode":"attach","tls":{"mode":"custom","certPem":"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----","keyPem":"x","cname":"*"}}`))
	f.Add([]byte(`{"mode":"create","tls":{"mode":"custom","certPem":"CERTIFICATE-----","keyPem":"0","cname":"0"}}`))
	f.Add([]byte(`{"mode":"create","workspace":{"subscription":"-----BEGIN"}}`))
	f.Add([]byte(`not json`))
	facts := fuzzFacts()
	f.Fuzz(func(t *testing.T, data []byte) {
		var req Request
		if json.Unmarshal(data, &req) != nil {
			return
		}
		first := Validate(req, facts)
		if again := Validate(req, facts); !reflect.DeepEqual(first, again) {
			t.Fatalf("Validate is not deterministic:\n%s\nthen\n%s", dumpFindings(first), dumpFindings(again))
		}
		assertWellFormed(t, first)
		assertNoPEM(t, first, req.TLS)
		// The same request without facts must not panic either.
		assertWellFormed(t, Validate(req, Facts{}))
	})
}

func FuzzDecodeLink(f *testing.F) {
	f.Add(EncodeLink(fullCreate(f)).Encode())
	f.Add(EncodeLink(fullAttach()).Encode())
	f.Add("nodes=abc&overwrite=maybe&tag=x&colour=blue&purpose=DevTest&purpose=FastProd&certPem=z")
	f.Add("tag=a%253Db%3Dc&tag=%3D&tag=a=b=c&tag=a=d")
	f.Add("nodes=%2B5&nodes=-0&overwrite=&name=&mode=delete")
	f.Add("%zz&;&==&tag")
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil && len(v) == 0 {
			return
		}
		r1, fs := DecodeLink(v)
		assertWellFormed(t, fs)
		if r1.TLS.CertPEM != "" || r1.TLS.KeyPEM != "" {
			t.Fatalf("DecodeLink read a secret: %+v", r1.TLS)
		}
		enc := EncodeLink(r1)
		r2, fs2 := DecodeLink(enc)
		if len(fs2) > 0 {
			t.Fatalf("re-decoding %q gave findings:\n%s", enc.Encode(), dumpFindings(fs2))
		}
		if !reflect.DeepEqual(r1, r2) {
			t.Fatalf("link does not round-trip:\n first %+v\nsecond %+v\n  link %s", r1, r2, enc.Encode())
		}
		// Through the text of a URL too.
		v3, err := url.ParseQuery(enc.Encode())
		if err != nil {
			t.Fatal(err)
		}
		if r3, _ := DecodeLink(v3); !reflect.DeepEqual(r1, r3) {
			t.Fatalf("link text does not round-trip:\n first %+v\n third %+v", r1, r3)
		}
	})
}

func FuzzParseClusterID(f *testing.F) {
	f.Add(testClusterID)
	f.Add("/SUBSCRIPTIONS/" + testSub + "/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/aks1/")
	f.Add("/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1")
	f.Add("")
	f.Add("/")
	f.Add("//////////")
	f.Fuzz(func(t *testing.T, id string) {
		ref, err := ParseClusterID(id)
		if err != nil {
			if ref != (ClusterRef{}) {
				t.Fatalf("error with a non-zero ref: %+v", ref)
			}
			return
		}
		if ref.Subscription == "" || ref.ResourceGroup == "" || ref.Name == "" {
			t.Fatalf("ParseClusterID(%q) = %+v with an empty part", id, ref)
		}
		again, err := ParseClusterID(ref.ID())
		if err != nil || again != ref {
			t.Fatalf("ID() %q does not parse back: %+v, %v", ref.ID(), again, err)
		}
	})
}
