//go:build !(js && wasm)

package serve

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

// env returns a getenv over a map.
func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseConfigDefaultsFlagsAndEnvironment(t *testing.T) {
	c, err := ParseConfig(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.Azure != "auto" || c.Audit != "-" || c.RateLimit != 10 || c.RateBurst != 5 || c.EmulatorCreate != 20*time.Second || c.Web != "" {
		t.Errorf("defaults: %+v", c)
	}
	c, err = ParseConfig([]string{"--rate-limit", "3"}, env(map[string]string{"AMLAKS_RATE_LIMIT": "7", "AMLAKS_RATE_BURST": "2", "AMLAKS_EMULATOR_CREATE": "1m"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.RateLimit != 3 || c.RateBurst != 2 || c.EmulatorCreate != time.Minute {
		t.Errorf("a flag wins over its variable, a variable over the default: %+v", c)
	}
	if _, err := ParseConfig([]string{"-h"}, env(nil), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

// TestParseConfigRefusesBadValues: every bad value stops the start with an
// error naming the flag (or the variable and its flag) and what it must be.
func TestParseConfigRefusesBadValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want []string // all in the error
	}{
		{"bad duration flag", []string{"--emulator-create", "20"}, nil, []string{"--emulator-create", `"20"`, "duration, such as 20s"}},
		{"bad duration env", nil, map[string]string{"AMLAKS_EMULATOR_ATTACH": "soon"}, []string{"AMLAKS_EMULATOR_ATTACH", "--emulator-attach", "duration"}},
		{"negative duration", []string{"--emulator-update", "-5s"}, nil, []string{"--emulator-update", "positive duration"}},
		{"unknown azure", []string{"--azure", "cloud"}, nil, []string{"--azure", "auto, emulator or azure"}},
		{"unknown azure env", nil, map[string]string{"AMLAKS_AZURE": "prod"}, []string{"AMLAKS_AZURE", "--azure", "auto, emulator or azure"}},
		{"unknown auth", []string{"--auth", "oauth"}, nil, []string{"--auth", "none or header"}},
		{"unknown identity header", []string{"--identity-header", "x-user"}, nil, []string{"--identity-header", "oauth2-proxy or app-service"}},
		{"bad number", []string{"--rate-limit", "ten"}, nil, []string{"--rate-limit", "number"}},
		{"bad number env", nil, map[string]string{"AMLAKS_READ_LIMIT": "lots"}, []string{"AMLAKS_READ_LIMIT", "--read-limit", "number"}},
		{"negative rate", []string{"--rate-limit", "-1"}, nil, []string{"--rate-limit", "0 or more"}},
		{"zero burst", []string{"--rate-burst", "0"}, nil, []string{"--rate-burst", "1 or more"}},
		{"fractional burst", []string{"--read-burst", "2.5"}, nil, []string{"--read-burst", "whole number"}},
		{"bad addr", []string{"--addr", "8080"}, nil, []string{"--addr", "host:port"}},
		{"bad subscription", []string{"--subscription", "my-sub"}, nil, []string{"--subscription", "GUID"}},
		{"origin with path", []string{"--frame-ancestors", "https://portal.example.com/x"}, nil, []string{"--frame-ancestors", "path"}},
		{"origin env", nil, map[string]string{"AMLAKS_FRAME_ANCESTORS": "portal.example.com"}, []string{"AMLAKS_FRAME_ANCESTORS", "https://"}},
		{"bad trusted proxy", []string{"--trusted-proxies", "10.0.0.0/33"}, nil, []string{"--trusted-proxies", "CIDR"}},
		{"emulator url http", []string{"--emulator-url", "http://127.0.0.1:8443"}, nil, []string{"--emulator-url", "https://host:port"}},
		{"emulator url path", []string{"--emulator-url", "https://127.0.0.1:8443/arm"}, nil, []string{"--emulator-url", "https://host:port"}},
		{"emulator url without ca", []string{"--emulator-url", "https://127.0.0.1:8443"}, nil, []string{"--emulator-ca"}},
		{"emulator url with azure", []string{"--azure", "azure", "--emulator-url", "https://127.0.0.1:8443", "--emulator-ca", "x.pem"}, nil, []string{"--emulator-url", "--azure emulator"}},
		{"ca alone", []string{"--emulator-ca", "x.pem"}, nil, []string{"--emulator-ca", "--emulator-url"}},
		{"auth none off loopback", []string{"--addr", "0.0.0.0:8080"}, nil, []string{"--auth none", "loopback"}},
		{"header without proxies", []string{"--auth", "header", "--identity-header", "oauth2-proxy"}, nil, []string{"--trusted-proxies"}},
		{"empty audit", []string{"--audit", ""}, nil, []string{"--audit", "file name"}},
		{"unknown flag", []string{"--colour", "blue"}, nil, []string{"colour", "amlaks serve -h"}},
		{"argument", []string{"extra"}, nil, []string{"flags only"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig(tc.args, env(tc.env), io.Discard)
			if err == nil {
				t.Fatalf("ParseConfig(%q, %v) accepted it", tc.args, tc.env)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestParseOrigins holds issue 9's bug: a user, a query, a fragment, a
// path or an empty host made an "origin" that went into frame-ancestors.
func TestParseOrigins(t *testing.T) {
	for _, o := range []string{
		"https://user@portal.example.com", "https://user:pw@portal.example.com", "https://portal.example.com?x",
		"https://portal.example.com?", "https://portal.example.com#f", "http://", "https://", "https://:443",
		"https://portal.example.com/", "https://portal.example.com/x", "ftp://portal.example.com", "portal.example.com",
		"https://*.example.com", "https://portal.example.com:", "https://portal.example.com:99999", "https:portal.example.com",
	} {
		if got, err := parseOrigins(o); err == nil {
			t.Errorf("parseOrigins(%q) = %v, want an error", o, got)
		}
	}
	got, err := parseOrigins("https://portal.example.com http://localhost:3000 https://[::1]:8443")
	if err != nil || len(got) != 3 {
		t.Errorf("good origins: %v, %v", got, err)
	}
}

// TestAcceptsEncoding holds issue 9's bug: "br;q=0.8" contains "q=0" and
// was taken as a refusal.
func TestAcceptsEncoding(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"br", true},
		{"gzip, br", true},
		{"br;q=0.8", true},
		{"br; q=0.5, gzip", true},
		{"BR;Q=0.05", true},
		{"br;q=1", true},
		{"br;q=1.000", true},
		{"br;q=0.001", true},
		{"br;q=0", false},
		{"br;q=0.0", false},
		{"br;q=0.000", false},
		{"br ; q=0", false},
		{"br;q=2", false},
		{"br;q=abc", false},
		{"gzip", false},
		{"brotli", false},
		{"", false},
	} {
		if got := acceptsEncoding(tc.header, "br"); got != tc.want {
			t.Errorf("acceptsEncoding(%q, br) = %v, want %v", tc.header, got, tc.want)
		}
	}
}
