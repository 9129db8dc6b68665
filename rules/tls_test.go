package rules

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
)

// testNow is the clock the certificate tests check against.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// certSpec describes a self-signed certificate made for a test.
type certSpec struct {
	names      []string
	commonName string
	notBefore  time.Time
	notAfter   time.Time
	key        crypto.Signer
}

// mustCert returns a self-signed certificate in PEM for spec.
func mustCert(tb testing.TB, spec certSpec) string {
	tb.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: spec.commonName, Organization: []string{"amlaks test"}},
		DNSNames:     spec.names,
		NotBefore:    spec.notBefore,
		NotAfter:     spec.notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, spec.key.Public(), spec.key)
	if err != nil {
		tb.Fatalf("create certificate: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func mustECKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// mustPKCS8 encodes a key as "PRIVATE KEY".
func mustPKCS8(tb testing.TB, k any) string {
	tb.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// tlsMaterial is the certificates and keys of the TLS tests, made once.
type tlsMaterial struct {
	cert, key         string // valid for score.example.com and *.api.example.com, EC key in PKCS#8
	otherKey          string // an EC key that does not match cert
	ecKeySEC1         string // cert's key as "EC PRIVATE KEY"
	expired           string // expired certificate for score.example.com, key = key
	notYet            string // not valid before 2027
	otherCNAME        string // certificate for other.example.com, key = key
	cnOnly            string // names only a CommonName, no SAN
	rsaCert, rsaPKCS1 string // an RSA certificate and its "RSA PRIVATE KEY"
	encryptedKey      string
}

var (
	tlsOnce sync.Once
	tlsMat  tlsMaterial
)

func material(tb testing.TB) tlsMaterial {
	tb.Helper()
	tlsOnce.Do(func() {
		k, other := mustECKey(tb), mustECKey(tb)
		valid := certSpec{names: []string{"score.example.com", "*.api.example.com"}, commonName: "score.example.com",
			notBefore: testNow.AddDate(0, -1, 0), notAfter: testNow.AddDate(1, 0, 0), key: k}
		m := tlsMaterial{cert: mustCert(tb, valid), key: mustPKCS8(tb, k), otherKey: mustPKCS8(tb, other)}
		sec1, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			tb.Fatal(err)
		}
		m.ecKeySEC1 = string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}))
		exp := valid
		exp.notBefore, exp.notAfter = testNow.AddDate(-2, 0, 0), testNow.AddDate(0, 0, -1)
		m.expired = mustCert(tb, exp)
		yet := valid
		yet.notBefore, yet.notAfter = testNow.AddDate(1, 0, 0), testNow.AddDate(2, 0, 0)
		m.notYet = mustCert(tb, yet)
		oc := valid
		oc.names, oc.commonName = []string{"other.example.com"}, "other.example.com"
		m.otherCNAME = mustCert(tb, oc)
		cn := valid
		cn.names, cn.commonName = nil, "legacy.example.com"
		m.cnOnly = mustCert(tb, cn)
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			tb.Fatal(err)
		}
		rs := valid
		rs.key = rk
		m.rsaCert = mustCert(tb, rs)
		m.rsaPKCS1 = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}))
		m.encryptedKey = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n"
		tlsMat = m
	})
	return tlsMat
}

func TestValidateTLS(t *testing.T) {
	t.Parallel()
	m := material(t)
	custom := func(cert, key, cname string) TLS {
		return TLS{Mode: TLSCustom, CertPEM: cert, KeyPEM: key, CNAME: cname}
	}
	garbageCert := "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
	tests := []struct {
		name  string
		mode  Mode
		lb    LoadBalancerType
		tls   TLS
		noNow bool
		want  []string
	}{
		{name: "disabled", tls: TLS{}},
		{name: "disabled explicitly", tls: TLS{Mode: TLSDisabled}},
		{name: "custom valid", tls: custom(m.cert, m.key, "score.example.com")},
		{name: "custom valid wildcard", tls: custom(m.cert, m.key, "v1.api.example.com")},
		{name: "custom valid EC key in SEC 1", tls: custom(m.cert, m.ecKeySEC1, "score.example.com")},
		{name: "custom valid RSA key in PKCS#1", tls: custom(m.rsaCert, m.rsaPKCS1, "score.example.com")},
		{name: "custom valid on attach", mode: ModeAttach, tls: custom(m.cert, m.key, "score.example.com")},
		{name: "custom with internal load balancer", lb: LoadBalancerInternal, tls: custom(m.cert, m.key, "score.example.com")},
		{name: "microsoft valid", tls: TLS{Mode: TLSMicrosoft, LeafDomainLabel: "myservice"}},
		{name: "microsoft with overwrite", tls: TLS{Mode: TLSMicrosoft, LeafDomainLabel: "my-service-1", OverwriteExistingDomain: true}},

		// L1: one of three choices, each complete.
		{name: "L1 unknown mode", tls: TLS{Mode: "letsencrypt"}, want: []string{"L1 tls.mode error"}},
		{name: "L1 disabled with settings", tls: TLS{Mode: TLSDisabled, CNAME: "score.example.com"}, want: []string{"L1 tls.mode warning"}},
		{name: "L1 default mode with a leaf label", tls: TLS{LeafDomainLabel: "x"}, want: []string{"L1 tls.mode warning"}},
		{name: "L1 custom with nothing", tls: TLS{Mode: TLSCustom},
			want: []string{"L1 tls.certPem error", "L1 tls.keyPem error", "L1 tls.cname error"}},
		{name: "L1 custom missing key", tls: custom(m.cert, "", "score.example.com"), want: []string{"L1 tls.keyPem error"}},
		{name: "L1 custom blank cname", tls: custom(m.cert, m.key, "  "), want: []string{"L1 tls.cname error"}},
		{name: "L1 custom with a leaf label", tls: TLS{Mode: TLSCustom, CertPEM: m.cert, KeyPEM: m.key, CNAME: "score.example.com", LeafDomainLabel: "x"},
			want: []string{"L1 tls.leafDomainLabel warning"}},
		{name: "L1 microsoft without label", tls: TLS{Mode: TLSMicrosoft}, want: []string{"L1 tls.leafDomainLabel error"}},
		{name: "L1 microsoft bad label upper case", tls: TLS{Mode: TLSMicrosoft, LeafDomainLabel: "MyService"}, want: []string{"L1 tls.leafDomainLabel error"}},
		{name: "L1 microsoft bad label hyphen", tls: TLS{Mode: TLSMicrosoft, LeafDomainLabel: "-svc"}, want: []string{"L1 tls.leafDomainLabel error"}},
		{name: "L4 microsoft label too long", tls: TLS{Mode: TLSMicrosoft, LeafDomainLabel: strings.Repeat("a", 64)}, want: []string{"L4 tls.leafDomainLabel error"}},
		{name: "L4 microsoft label of 58 characters", tls: TLS{Mode: TLSMicrosoft, LeafDomainLabel: strings.Repeat("a", 58)}, want: []string{"L4 tls.leafDomainLabel error"}},
		{name: "L4 microsoft label of 57 characters", tls: TLS{Mode: TLSMicrosoft, LeafDomainLabel: strings.Repeat("a", 57)}},
		{name: "L1 microsoft with a certificate", tls: TLS{Mode: TLSMicrosoft, LeafDomainLabel: "svc", CertPEM: m.cert}, want: []string{"L1 tls.mode warning"}},

		// L2: overwrite only with a leaf domain label.
		{name: "L2 overwrite with custom", tls: TLS{Mode: TLSCustom, CertPEM: m.cert, KeyPEM: m.key, CNAME: "score.example.com", OverwriteExistingDomain: true},
			want: []string{"L2 tls.overwriteExistingDomain error"}},
		{name: "L2 overwrite with microsoft but no label", tls: TLS{Mode: TLSMicrosoft, OverwriteExistingDomain: true},
			want: []string{"L2 tls.overwriteExistingDomain error", "L1 tls.leafDomainLabel error"}},
		{name: "L2 overwrite with TLS disabled", tls: TLS{OverwriteExistingDomain: true},
			want: []string{"L2 tls.overwriteExistingDomain error"}},

		// L3: no Microsoft certificate behind an internal load balancer.
		{name: "L3 microsoft with internal load balancer", lb: LoadBalancerInternal, tls: TLS{Mode: TLSMicrosoft, LeafDomainLabel: "svc"},
			want: []string{"L3 tls.mode error"}},
		{name: "L3 on attach too", mode: ModeAttach, lb: LoadBalancerInternal, tls: TLS{Mode: TLSMicrosoft, LeafDomainLabel: "svc"},
			want: []string{"L3 tls.mode error"}},

		// L4: the certificate parses, matches its key, is valid now and names the CNAME.
		{name: "L4 certificate not PEM", tls: custom("hello", m.key, "score.example.com"), want: []string{"L4 tls.certPem error"}},
		{name: "L4 a key given as the certificate", tls: custom(m.key, m.key, "score.example.com"), want: []string{"L4 tls.certPem error"}},
		{name: "L4 certificate does not parse", tls: custom(garbageCert, m.key, "score.example.com"), want: []string{"L4 tls.certPem error"}},
		{name: "L4 expired", tls: custom(m.expired, m.key, "score.example.com"), want: []string{"L4 tls.certPem error"}},
		{name: "L4 expired but no clock given", tls: custom(m.expired, m.key, "score.example.com"), noNow: true},
		{name: "L4 not yet valid", tls: custom(m.notYet, m.key, "score.example.com"), want: []string{"L4 tls.certPem error"}},
		{name: "L4 names another CNAME", tls: custom(m.otherCNAME, m.key, "score.example.com"), want: []string{"L4 tls.cname error"}},
		{name: "L4 wildcard covers one label only", tls: custom(m.cert, m.key, "a.b.api.example.com"), want: []string{"L4 tls.cname error"}},
		{name: "L4 common name only", tls: custom(m.cnOnly, m.key, "legacy.example.com"), want: []string{"L4 tls.cname error"}},
		{name: "L4 key does not match", tls: custom(m.cert, m.otherKey, "score.example.com"), want: []string{"L4 tls.keyPem error"}},
		{name: "L4 RSA key with EC certificate", tls: custom(m.cert, m.rsaPKCS1, "score.example.com"), want: []string{"L4 tls.keyPem error"}},
		{name: "L4 key not PEM", tls: custom(m.cert, "secret", "score.example.com"), want: []string{"L4 tls.keyPem error"}},
		{name: "L4 certificate given as the key", tls: custom(m.cert, m.cert, "score.example.com"), want: []string{"L4 tls.keyPem error"}},
		{name: "L4 encrypted key", tls: custom(m.cert, m.encryptedKey, "score.example.com"), want: []string{"L4 tls.keyPem error"}},
		{name: "L4 everything wrong at once", tls: custom(m.expired, m.otherKey, "nope.example.org"),
			want: []string{"L4 tls.certPem error", "L4 tls.cname error", "L4 tls.keyPem error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validCreate()
			if tt.mode == ModeAttach {
				req = validAttach()
			}
			req.LoadBalancer.Type = tt.lb
			if tt.lb == LoadBalancerInternal {
				req.LoadBalancer.Subnet = "aks-lb" // V3: an internal load balancer needs its subnet
			}
			req.TLS = tt.tls
			facts := baseFacts()
			if !tt.noNow {
				facts.Now = testNow
			}
			fs := Validate(req, facts)
			assertFindings(t, fs, tt.want, "V4")
			assertWellFormed(t, fs)
			assertNoPEM(t, fs, tt.tls)
		})
	}
}

// assertNoPEM checks rule L5 for findings: no message or fix quotes any
// line of the certificate or key.
func assertNoPEM(tb testing.TB, fs Findings, t TLS) {
	tb.Helper()
	for _, secret := range []string{t.CertPEM, t.KeyPEM} {
		for _, line := range strings.Split(secret, "\n") {
			// The armour lines are public text; the base64 body is the secret.
			if len(line) < 16 || strings.Contains(line, "-----") {
				continue
			}
			for _, f := range fs {
				if strings.Contains(f.Message, line) || strings.Contains(f.Fix, line) {
					tb.Errorf("finding %s quotes PEM text %q (L5)", f.Code, line)
				}
			}
		}
	}
}

func TestL4Messages(t *testing.T) {
	t.Parallel()
	m := material(t)
	req := validCreate()
	req.TLS = TLS{Mode: TLSCustom, CertPEM: m.expired, KeyPEM: m.key, CNAME: "x.example.org"}
	fs := Validate(req, Facts{WorkspaceLocation: "eastus", Now: testNow})
	var expired, cname bool
	for _, f := range fs {
		if f.Code == "L4" && f.Field == FieldTLSCert && strings.Contains(f.Message, "expired on 2026-02-28") {
			expired = true
		}
		if f.Code == "L4" && f.Field == FieldTLSCNAME && strings.Contains(f.Message, "score.example.com, *.api.example.com") {
			cname = true
		}
	}
	if !expired || !cname {
		t.Errorf("want the expiry date and the certificate's names:\n%s", dumpFindings(fs))
	}
}
