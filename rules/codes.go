package rules

import "strings"

// Needs says what a rule needs to know beyond the request itself.
type Needs int

// What a rule needs.
const (
	// NeedsNothing: the rule looks at the request alone, so Validate finds
	// it alike with or without facts, and the proxy can refuse it before it
	// asks Azure anything.
	NeedsNothing Needs = iota
	// NeedsPolicy: the rule reads the platform team's policy, which the
	// proxy has without asking Azure.
	NeedsPolicy
	// NeedsAzure: the rule reads facts from Azure (sizes, versions,
	// computes, the target cluster, service tags).
	NeedsAzure
)

// Rule is what amlaks knows about one finding code, in one table that the
// proxy and the page ask instead of keeping their own lists.
type Rule struct {
	// Code is the stable code of SPEC.md, such as "P2".
	Code string
	// Title says in a few words what the rule is about.
	Title string
	// Needs says whether the rule can run before Azure is asked.
	Needs Needs
	// Refusal is the kind of error the proxy answers when the rule blocks a
	// request.
	Refusal ErrorCode
	// Kind is the compute kind the rule is for: KindAKS (v1, legacy),
	// KindKubernetes (v2), or "" for both.
	Kind Kind
}

// Rules is every finding code Validate, the link codec and the scale check
// emit (V5 is the explanation of an Azure refusal, not a finding).
var Rules = []Rule{
	{Code: "M1", Title: "mode and kind", Refusal: ErrInvalid},
	{Code: "M2", Title: "a field the mode or kind does not use", Refusal: ErrInvalid},
	{Code: "W1", Title: "workspace reference", Refusal: ErrInvalid},
	{Code: "W2", Title: "location offered by Azure", Needs: NeedsAzure, Refusal: ErrInvalid},
	{Code: "N1", Title: "name length", Refusal: ErrInvalid},
	{Code: "N2", Title: "name starts with a letter", Refusal: ErrInvalid},
	{Code: "N3", Title: "name characters", Refusal: ErrInvalid},
	{Code: "N4", Title: "name ends with a letter or digit", Refusal: ErrInvalid},
	{Code: "N5", Title: "name unique in the workspace", Needs: NeedsAzure, Refusal: ErrConflict},
	{Code: "N6", Title: "name unique in the region", Needs: NeedsAzure, Refusal: ErrConflict},
	{Code: "N7", Title: "reserved names", Refusal: ErrInvalid},
	{Code: "P1", Title: "cluster purpose", Refusal: ErrInvalid},
	{Code: "P2", Title: "production vCPUs", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindAKS},
	{Code: "P3", Title: "dev/test vCPUs", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindAKS},
	{Code: "P4", Title: "dev/test is not for production", Refusal: ErrInvalid},
	{Code: "P5", Title: "node count", Refusal: ErrInvalid},
	{Code: "P6", Title: "VM size offered in the location", Needs: NeedsAzure, Refusal: ErrInvalid},
	{Code: "Q1", Title: "vCPU quota of the family and the region", Needs: NeedsAzure, Refusal: ErrQuota},
	{Code: "P7", Title: "GPU and FPGA sizes", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindAKS},
	{Code: "S1", Title: "scaling keeps the VM size", Needs: NeedsAzure, Refusal: ErrInvalid},
	{Code: "V1", Title: "virtual network settings together", Refusal: ErrInvalid},
	{Code: "V2", Title: "network ranges", Refusal: ErrInvalid},
	{Code: "V6", Title: "the subnet exists", Needs: NeedsAzure, Refusal: ErrInvalid},
	{Code: "V3", Title: "load balancer type and subnet", Refusal: ErrInvalid},
	{Code: "V4", Title: "Basic load balancer retired", Refusal: ErrInvalid, Kind: KindAKS},
	{Code: "A1", Title: "authorized IP ranges hold Azure ML's", Needs: NeedsAzure, Refusal: ErrInvalid},
	{Code: "A2", Title: "authorized ranges need a Standard load balancer", Needs: NeedsAzure, Refusal: ErrInvalid},
	{Code: "A3", Title: "private clusters", Needs: NeedsAzure, Refusal: ErrInvalid},
	{Code: "K1", Title: "create uses the default version", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindAKS},
	{Code: "K2", Title: "attached version supported", Needs: NeedsAzure, Refusal: ErrInvalid},
	{Code: "K3", Title: "preview versions", Needs: NeedsAzure, Refusal: ErrInvalid},
	{Code: "T1", Title: "target by ID or by name", Refusal: ErrInvalid},
	{Code: "T2", Title: "target resource ID", Refusal: ErrInvalid},
	{Code: "T3", Title: "cluster in another region", Needs: NeedsAzure, Refusal: ErrInvalid},
	{Code: "T4", Title: "never attach a cluster twice", Needs: NeedsAzure, Refusal: ErrConflict, Kind: KindAKS},
	{Code: "T5", Title: "attached cluster's vCPUs", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindAKS},
	{Code: "L1", Title: "TLS choice", Refusal: ErrInvalid},
	{Code: "L2", Title: "overwrite existing domain", Refusal: ErrInvalid},
	{Code: "L3", Title: "internal load balancer and Microsoft certificate", Refusal: ErrInvalid},
	{Code: "L4", Title: "certificate, key and CNAME", Refusal: ErrInvalid},
	{Code: "L5", Title: "secrets stay secret", Refusal: ErrInvalid},
	{Code: "D1", Title: "description", Refusal: ErrInvalid},
	{Code: "D2", Title: "tags", Refusal: ErrInvalid},
	{Code: "C1", Title: "text holds only visible characters", Refusal: ErrInvalid},
	{Code: "C2", Title: "no secret outside the certificate and key", Refusal: ErrInvalid},
	{Code: "C3", Title: "the shape of values that go into Azure URLs", Refusal: ErrInvalid},
	{Code: "U1", Title: "unknown share-link setting", Refusal: ErrInvalid},
	{Code: "U2", Title: "share-link value", Refusal: ErrInvalid},
	{Code: "G1", Title: "policy scope", Needs: NeedsPolicy, Refusal: ErrForbidden},
	{Code: "G2", Title: "policy VM sizes", Needs: NeedsPolicy, Refusal: ErrForbidden},
	{Code: "G3", Title: "policy node cap", Needs: NeedsPolicy, Refusal: ErrForbidden},
	{Code: "G4", Title: "policy vCPU cap", Needs: NeedsPolicy, Refusal: ErrForbidden},
	{Code: "G5", Title: "policy purposes", Needs: NeedsPolicy, Refusal: ErrForbidden},
	{Code: "G6", Title: "policy required tags", Needs: NeedsPolicy, Refusal: ErrForbidden},
	{Code: "X1", Title: "managed identity", Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X2", Title: "local accounts", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X3", Title: "pod identity", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X4", Title: "HTTPS or HTTP", Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X5", Title: "router replicas need three nodes", Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X6", Title: "extension's node resources", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X7", Title: "version in the support window", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X8", Title: "API server ranges", Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X9", Title: "cluster in the workspace's subscription", Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X10", Title: "the extension: its region and state", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X11", Title: "namespace", Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X12", Title: "router service type and node selector", Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X13", Title: "NVIDIA device plugin for GPUs", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X14", Title: "a v1 front end left on the cluster", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X15", Title: "a cluster shared by computes", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindKubernetes},
	{Code: "X16", Title: "GPU node pool of a created cluster", Needs: NeedsAzure, Refusal: ErrInvalid, Kind: KindKubernetes},
}

// The codes the page raises or singles out itself, named so it need not
// spell them (TestCodeNamesAreInTheTable).
const (
	CodePurpose      = "P1"  // cluster purpose; its note says no purpose means production
	CodeNodeCount    = "P5"  // node count, which the page checks as typed
	CodeTags         = "D2"  // tags, which the page parses from its text area
	CodeNodeSelector = "X12" // router service type and node selector, parsed by the page
)

var rulesByCode = func() map[string]Rule {
	m := make(map[string]Rule, len(Rules))
	for _, r := range Rules {
		m[r.Code] = r
	}
	return m
}()

// RuleOf returns the rule of a code.
func RuleOf(code string) (Rule, bool) {
	r, ok := rulesByCode[code]
	return r, ok
}

// Shape returns the errors among fs that need nothing but the request
// (NeedsNothing), which Validate finds alike with or without facts.
func (fs Findings) Shape() Findings {
	return fs.errorsThat(func(r Rule) bool { return r.Needs == NeedsNothing })
}

// Policy returns the errors among fs that the policy raised (NeedsPolicy).
func (fs Findings) Policy() Findings {
	return fs.errorsThat(func(r Rule) bool { return r.Needs == NeedsPolicy })
}

func (fs Findings) errorsThat(keep func(Rule) bool) Findings {
	var out Findings
	for _, f := range fs.Errors() {
		if r, ok := RuleOf(f.Code); ok && keep(r) {
			out = append(out, f)
		}
	}
	return out
}

// Refusal turns error findings into the error the proxy answers. Its kind
// is the gravest of the findings' rules, in this order: a conflict (the
// name or cluster is taken), a policy refusal, a lack of quota, and
// otherwise an invalid request. The message is the first
// finding of that kind, with how many more problems there are. It returns
// nil when there are no errors.
func Refusal(fs Findings) *Error {
	errs := fs.Errors()
	if len(errs) == 0 {
		return nil
	}
	rank := map[ErrorCode]int{ErrConflict: 3, ErrForbidden: 2, ErrQuota: 1}
	first := errs[0]
	best := -1
	for _, f := range errs {
		r, _ := RuleOf(f.Code)
		if n := rank[r.Refusal]; n > best {
			best, first = n, f
		}
	}
	code := ErrInvalid
	if r, ok := RuleOf(first.Code); ok && best > 0 {
		code = r.Refusal
	}
	msg := first.Message
	if len(errs) > 1 {
		msg += " (and " + Count(len(errs)-1, "more problem") + ")"
	}
	return &Error{Code: code, Field: first.Field, Message: msg, Findings: errs}
}

// IsCode reports whether a finding has one of the codes; the page uses it
// instead of comparing strings of its own.
func (f Finding) IsCode(codes ...string) bool {
	for _, c := range codes {
		if strings.EqualFold(f.Code, c) {
			return true
		}
	}
	return false
}
