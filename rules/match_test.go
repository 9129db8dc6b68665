package rules

import (
	"regexp"
	"strings"
	"testing"
)

// matchers are the hand-written matchers beside the patterns they replace.
var matchers = []struct {
	name    string
	pattern *regexp.Regexp
	match   func(string) bool
}{
	{"location", regexp.MustCompile(`^[a-z][a-z0-9]{1,39}$`), locationShaped},
	{"region name", regexp.MustCompile(`^[a-z][a-z0-9]*$`), regionNameShaped},
	{"VM size", regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`), vmSizeShaped},
	{"DNS label", regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`), func(s string) bool { return dnsLabelShaped(s, false) }},
	{"leaf label", regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`), func(s string) bool { return dnsLabelShaped(s, true) }},
	{"hostname", regexp.MustCompile(`^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`), hostnameShaped},
	{"service tag", regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)?$`), serviceTagShaped},
	{"DER run", regexp.MustCompile(`M[IHC][A-Za-z0-9+/]{60,}`), hasDERRun},
}

func matcherCorpus() []string {
	b64 := "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1234567890abcdefghijklmnopqrstuvwxyz+/"
	out := []string{"", "a", "A", "1", "-", "_", "*", ".", "*.", "*.a", "*.*.a", "a.", ".a", "a..b", "a-b", "-a", "a-", "a_b",
		"eastus", "westus2", "East US", "2eastus", "e", "eastus-2", "Standard_D4s_v3", "standard_d4s_v3", "_D4", "D",
		"ml.contoso.com", "ML.Contoso.COM", "*.contoso.com", "a.-b.c", "a.b-.c", "aks-prod", "Aks", "aks_prod", "é", "eastüs",
		strings.Repeat("a", 39), strings.Repeat("a", 40), strings.Repeat("a", 41), strings.Repeat("a", 63), strings.Repeat("a", 64),
		strings.Repeat("b", 62) + "1", "a" + strings.Repeat("-", 61) + "b", "a" + strings.Repeat("-", 62) + "b",
		strings.Repeat("x", 64), strings.Repeat("x", 65), strings.Repeat("a.", 20) + "b", strings.Repeat(strings.Repeat("a", 63)+".", 3) + "a",
		b64, "key " + b64 + " end", "MI" + strings.Repeat("A", 59), "MI" + strings.Repeat("A", 60), "MX" + strings.Repeat("A", 70),
		"MMC" + strings.Repeat("/", 60), "mI" + strings.Repeat("A", 61), "MI" + strings.Repeat("A", 30) + " " + strings.Repeat("A", 40),
		"xxMH" + strings.Repeat("+", 60) + "=", "MHMHMH" + strings.Repeat("9", 58),
	}
	return out
}

// TestMatchersAgreeWithTheirPatterns holds each hand-written matcher to the
// regular expression it replaced, on the edges of every bound and class.
func TestMatchersAgreeWithTheirPatterns(t *testing.T) {
	t.Parallel()
	for _, m := range matchers {
		for _, s := range matcherCorpus() {
			if got, want := m.match(s), m.pattern.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the pattern %s says %v", m.name, s, got, m.pattern, want)
			}
		}
	}
}

// FuzzMatchers: on any input, each matcher says what its pattern says.
func FuzzMatchers(f *testing.F) {
	for _, s := range matcherCorpus() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range matchers {
			if got, want := m.match(s), m.pattern.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the pattern %s says %v", m.name, s, got, m.pattern, want)
			}
		}
	})
}
