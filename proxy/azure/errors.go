package azure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/amlaks/amlaks/rules"
)

// policyExplanation is rule V5's explanation of a RequestDisallowedByPolicy refusal.
const policyExplanation = "An Azure Policy refused this request. A policy that forbids public IP addresses " +
	"makes AKS creation fail: AKS needs a public IP for egress unless outbound traffic goes through a " +
	"firewall with a user-defined route. Ask the policy owner for an exemption, or create the cluster " +
	"in AKS with outboundType userDefinedRouting and attach it."

// quotaExplanation is the advice for any quota refusal.
const quotaExplanation = "The subscription does not have enough quota for this in the region: " +
	"request a quota increase or pick a smaller size / fewer nodes."

// failure is what an ARM error answer says, read from a *azcore.ResponseError
// or from a compute's provisioning errors. Azure nests its reasons: Azure ML
// accepts a compute PUT and fails the operation later with
// BadRequest › details BadRequestFormat, or with a BadArgument whose message
// quotes the AKS template error ("Error code: 'QuotaExceeded'"); AKS wraps a
// policy refusal in PreconditionFailed whose message holds the details as
// JSON. Every code found at any depth is kept, with its message and depth.
type failure struct {
	status  int      // HTTP status; 0 for a provisioning error or a failed operation
	codes   []string // the ARM code first, then the codes of its details and messages, depth first
	message string   // Azure's own top message; shown only scrubbed
	method  string   // the request's method, when known
	path    string   // the request's URL path, when known
	nodes   []errNode
	// retryAfter is how long Azure asks the caller to wait, in seconds, from
	// the Retry-After header or ARM's "Please try again after 'N' seconds";
	// -1 when it says nothing.
	retryAfter int
}

// errNode is one code of a nested ARM error, with the message that came
// with it and how deep it sat (0 for the top).
type errNode struct {
	code, message string
	depth         int
}

// genericCodes are the wrapper codes that say only that something failed;
// the reason is a code nested below them.
var genericCodes = map[string]bool{
	"badrequest": true, "badargument": true, "invalidtemplatedeployment": true, "deploymentfailed": true,
	"resourcedeploymentfailure": true, "preconditionfailed": true, "failed": true, "usererror": true,
	"ok": true, "internalservererror": true, "internalerror": true, "conflict": true, "validationerror": true,
	"badrequestformat": false,
}

// deepest returns the deepest code that is not a mere wrapper (the last one
// found at the greatest depth), with its message; the top code (the
// x-ms-error-code header's first) when the reason is at the top or every
// code is a wrapper, with the deepest message then.
func (f failure) deepest() errNode {
	best, found := errNode{}, false
	for _, n := range f.nodes {
		if genericCodes[strings.ToLower(n.code)] {
			continue
		}
		if !found || n.depth >= best.depth {
			best, found = n, true
		}
	}
	if found && best.depth > 0 {
		return best
	}
	if found {
		return errNode{code: f.code(), message: f.message} // the top says it: the header's code first
	}
	if len(f.nodes) > 0 {
		// Every code wraps: the deepest message is the most specific.
		best = f.nodes[0]
		for _, n := range f.nodes {
			if n.depth > best.depth && n.message != "" {
				best = n
			}
		}
		return best
	}
	return errNode{code: f.code(), message: f.message}
}

// embeddedCode finds the codes that Azure quotes inside a message: "Error
// code: 'QuotaExceeded'", a JSON "code":"RequestDisallowedByPolicy" (escaped
// or not), "(QuotaExceeded)" as the CLI prints it.
var embeddedCode = regexp.MustCompile(`(?:[Ee]rror code: '([A-Za-z]+)'|code\\*"\s*:\s*\\*"([A-Za-z]+)|^\(([A-Za-z]+)\) )`)

// add records a code and its message at a depth, then the codes its message quotes.
func (f *failure) add(code, message string, depth int) {
	if code != "" {
		f.codes = append(f.codes, code)
		f.nodes = append(f.nodes, errNode{code: code, message: message, depth: depth})
	}
	for _, m := range embeddedCode.FindAllStringSubmatch(message, -1) {
		c := m[1] + m[2] + m[3]
		if c == "" || strings.EqualFold(c, code) && m[3] != "" {
			continue
		}
		f.codes = append(f.codes, c)
		f.nodes = append(f.nodes, errNode{code: c, message: quotedMessage(message, c), depth: depth + 1})
	}
}

// quotedMessage is the part of a message that follows a code it quotes,
// cut at the next quoted code: the words that go with that code.
func quotedMessage(message, code string) string {
	i := strings.LastIndex(message, code)
	if i < 0 {
		return ""
	}
	rest := message[i+len(code):]
	if j := strings.Index(rest, "Message: "); j >= 0 && j < 40 {
		rest = rest[j+len("Message: "):]
	} else if j := strings.Index(rest, "message"); j >= 0 && j < 40 {
		rest = rest[j+len("message"):]
	}
	rest = strings.TrimLeft(rest, `\"':, .`)
	if j := strings.IndexAny(rest, "\n"); j >= 0 {
		rest = rest[:j]
	}
	if j := strings.Index(rest, `\"`); j >= 0 {
		rest = rest[:j]
	} else if j := strings.Index(rest, `"`); j >= 0 {
		rest = rest[:j]
	}
	return strings.TrimRight(strings.TrimSpace(rest), "'")
}

// code is the ARM error code of the failure.
func (f failure) code() string {
	if len(f.codes) == 0 {
		return ""
	}
	return f.codes[0]
}

// has reports whether any of the failure's codes equals one of names
// (case-insensitively).
func (f failure) has(names ...string) bool {
	for _, c := range f.codes {
		for _, n := range names {
			if strings.EqualFold(c, n) {
				return true
			}
		}
	}
	return false
}

// contains reports whether a code or a message, at any depth, contains word
// (case-insensitively).
func (f failure) contains(word string) bool {
	word = strings.ToLower(word)
	for _, c := range f.codes {
		if strings.Contains(strings.ToLower(c), word) {
			return true
		}
	}
	for _, n := range f.nodes {
		if strings.Contains(strings.ToLower(n.message), word) {
			return true
		}
	}
	return strings.Contains(strings.ToLower(f.message), word)
}

// mapError turns an error from the SDK into a *rules.Error with a plain
// message, the field when known, and the ARM code kept for support. It is the
// only place where Azure's answers become words; raw SDK text, which carries
// URLs and subscription IDs, never goes into the message. A *rules.Error is
// returned as it is, and nil stays nil.
func mapError(err error, field string) error {
	if err == nil {
		return nil
	}
	var re *rules.Error
	if errors.As(err, &re) {
		return re
	}
	var resp *azcore.ResponseError
	if errors.As(err, &resp) {
		f := fromResponse(resp)
		kind, msg := explain(f)
		return &rules.Error{Code: kind, Message: msg, Field: field, ARMCode: f.deepest().code}
	}
	var authErr *azidentity.AuthenticationFailedError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &rules.Error{Code: rules.ErrUnavailable, Field: field,
			Message: "Azure did not answer in time: try again in a few minutes."}
	case errors.Is(err, context.Canceled):
		return &rules.Error{Code: rules.ErrUnavailable, Field: field,
			Message: "The request was canceled before Azure answered."}
	case errors.As(err, &authErr):
		return &rules.Error{Code: rules.ErrUnavailable, Field: field,
			Message: "The proxy could not get an Azure token: ask the platform team to check the proxy's Azure identity."}
	}
	// Anything else is a transport failure: DNS, TLS, a dropped connection.
	return &rules.Error{Code: rules.ErrUnavailable, Field: field,
		Message: "Azure could not be reached: check the proxy's network, then try again."}
}

// fromResponse reads the status, the ARM codes and the messages of an error
// answer, at every depth. A failed operation's status resource answers 200:
// its status is then 0, as for a provisioning error.
func fromResponse(resp *azcore.ResponseError) failure {
	f := failure{status: resp.StatusCode, retryAfter: -1}
	if f.status < 300 {
		f.status = 0
	}
	defer func() {
		if f.retryAfter < 0 {
			if m := tryAgainAfter.FindStringSubmatch(f.message); m != nil {
				f.retryAfter, _ = strconv.Atoi(m[1])
			}
		}
	}()
	if raw := resp.RawResponse; raw != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(raw.Header.Get("Retry-After"))); err == nil && n >= 0 {
			f.retryAfter = n
		}
		if raw.Request != nil && raw.Request.URL != nil {
			f.method, f.path = raw.Request.Method, raw.Request.URL.Path
		}
		if body, err := runtime.Payload(raw); err == nil && len(body) > 0 {
			if e, ok := parseARMError(body); ok {
				if resp.ErrorCode != "" && !strings.EqualFold(resp.ErrorCode, e.Code) {
					f.add(resp.ErrorCode, "", 0)
				}
				f.walk(e, 0)
				f.message = e.Message
				return f
			}
		}
	}
	f.add(resp.ErrorCode, "", 0)
	return f
}

// tryAgainAfter is ARM's throttling message: "Please try again after '372' seconds."
var tryAgainAfter = regexp.MustCompile(`try again after '?(\d+)'? seconds`)

// armErrorBody is ARM's error shape: {"error":{"code","message","details":[...]}}.
type armErrorBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details []armErrorBody `json:"details"`
}

// parseARMError reads an ARM error body, or an operation status with its error.
func parseARMError(body []byte) (armErrorBody, bool) {
	var wrapped struct {
		Error *armErrorBody `json:"error"`
		armErrorBody
	}
	if json.Unmarshal(body, &wrapped) != nil {
		return armErrorBody{}, false
	}
	e := wrapped.armErrorBody
	if wrapped.Error != nil {
		e = *wrapped.Error
	}
	return e, e.Code != "" || e.Message != "" || len(e.Details) > 0
}

// walk records e and its details, depth first.
func (f *failure) walk(e armErrorBody, depth int) {
	f.add(e.Code, e.Message, depth)
	for _, d := range e.Details {
		f.walk(d, depth+1)
	}
}

// explain maps a failure to an error kind and plain words. The order matters:
// a policy refusal comes with 403, and a quota refusal with 400 or 409.
func explain(f failure) (rules.ErrorCode, string) {
	switch {
	case f.has("RequestDisallowedByPolicy"):
		return rules.ErrPolicy, policyExplanation
	case f.has("InvalidAuthenticationToken", "InvalidAuthenticationTokenTenant", "ExpiredAuthenticationToken", "AuthenticationFailed") ||
		f.status == http.StatusUnauthorized:
		return rules.ErrForbidden, "Azure did not accept the proxy's Azure identity: ask the platform team to check the proxy's credential and tenant."
	case f.has("LinkedAuthorizationFailed"):
		return rules.ErrForbidden, "The proxy's Azure identity may not do this: ask the platform team for the role " +
			"Azure Kubernetes Service Contributor Role on the target AKS cluster."
	case f.has("AuthorizationFailed", "Forbidden") || f.status == http.StatusForbidden:
		role, scope := roleFor(f)
		return rules.ErrForbidden, "The proxy's Azure identity may not do this: ask the platform team for the role " +
			role + " on " + scope + "."
	case f.has("QuotaExceeded") || f.contains("quota"):
		return rules.ErrQuota, quotaExplanation
	case f.has("ResourceGroupNotFound"):
		return rules.ErrNotFound, capitalize(describe(f.path, "resourceGroups")) + " does not exist, or the proxy's Azure identity cannot see it."
	case f.has("ResourceNotFound", "NotFound", "ParentResourceNotFound") || f.status == http.StatusNotFound:
		return rules.ErrNotFound, capitalize(describe(f.path, "")) + " does not exist, or the proxy's Azure identity cannot see it."
	case f.has("Conflict", "AnotherOperationInProgress", "OperationNotAllowed") || f.status == http.StatusConflict:
		return rules.ErrConflict, "Azure refused because of a conflict with " + describe(f.path, "") +
			": the name is taken, or another operation on it is still running. Wait for it to finish, or pick another name."
	case f.has("TooManyRequests", "Throttled", "SubscriptionRequestsThrottled", "ResourceRequestsThrottled") || f.status == http.StatusTooManyRequests:
		if f.retryAfter > 0 {
			return rules.ErrTooMany, fmt.Sprintf("Azure is throttling the proxy's requests, retry after %d s.", f.retryAfter)
		}
		return rules.ErrTooMany, "Azure is throttling the proxy's requests: wait a minute and try again."
	case f.status >= 500:
		return rules.ErrUnavailable, fmt.Sprintf("Azure could not complete the request (HTTP %d): try again in a few minutes.", f.status)
	case f.has("LocationNotAvailableForResourceType", "NoRegisteredProviderFound", "LocationNotAvailableForResourceGroup"):
		// Before the "version" guess: these messages name api-versions and
		// resource types such as kubernetesVersions.
		return rules.ErrUnsupported, withAzureWords("Azure does not offer this in the location", f)
	case (f.status == http.StatusBadRequest || f.status == 0) && f.contains("version"):
		return rules.ErrUnsupported, withAzureWords("Azure does not support the requested version", f)
	case f.status == 0:
		return rules.ErrInvalid, withAzureWords("Azure reported an error", f)
	default:
		return rules.ErrInvalid, withAzureWords("Azure refused the request", f)
	}
}

// withAzureWords appends Azure's own message, scrubbed, to lead, or the ARM code
// when the message says nothing once scrubbed.
func withAzureWords(lead string, f failure) string {
	d := f.deepest()
	if msg := scrub(d.message); msg != "" {
		return lead + ": " + msg
	}
	if msg := scrub(f.message); msg != "" {
		return lead + ": " + msg
	}
	if c := d.code; c != "" {
		return lead + " (" + c + ")."
	}
	return lead + "."
}

// provisioningErrors turns a compute's provisioning errors into plain words,
// with the same mapping as mapError at every depth, keeping the deepest
// meaningful ARM code for support.
func provisioningErrors(errs []*armmachinelearning.ErrorResponse) []string {
	var out []string
	for _, e := range errs {
		if e == nil || e.Error == nil {
			continue
		}
		var f failure
		f.walk(errorDetail(e.Error), 0)
		f.message = deref(e.Error.Message)
		_, msg := explain(f)
		if c := f.deepest().code; c != "" && !strings.Contains(msg, "("+c+")") {
			msg += " (" + c + ")"
		}
		out = append(out, msg)
	}
	return out
}

// errorDetail reads the SDK's error detail into ARM's error shape.
func errorDetail(d *armmachinelearning.ErrorDetail) armErrorBody {
	e := armErrorBody{Code: deref(d.Code), Message: deref(d.Message)}
	for _, c := range d.Details {
		if c != nil {
			e.Details = append(e.Details, errorDetail(c))
		}
	}
	return e
}

// roleFor names the role the identity lacks and where, from the refused request.
func roleFor(f failure) (role, scope string) {
	write := f.method != "" && f.method != http.MethodGet && f.method != http.MethodHead
	path := strings.ToLower(f.path)
	switch {
	case strings.Contains(path, "/microsoft.machinelearningservices/"):
		scope = describe(f.path, "workspaces")
		if write {
			return "AzureML Compute Operator (or Contributor)", scope
		}
		return "Reader (or AzureML Data Scientist)", scope
	case strings.Contains(path, "/microsoft.containerservice/managedclusters/"):
		scope = describe(f.path, "managedClusters")
		if write {
			return "Azure Kubernetes Service Contributor Role", scope
		}
		return "Reader", scope
	}
	return "Reader", "the subscription"
}

// resourceWords names resource types in plain words.
var resourceWords = map[string]string{
	"workspaces":      "the workspace",
	"computes":        "the compute",
	"managedclusters": "the AKS cluster",
	"agentpools":      "the node pool",
	"resourcegroups":  "the resource group",
	"subscriptions":   "the subscription",
}

// describe names the resource a request path is about, in plain words and
// without the subscription ID: "the compute aks-1", "the workspace ws-east".
// typ picks an ancestor of that type ("" for the resource itself).
func describe(path, typ string) string {
	if path == "" {
		if w, ok := resourceWords[strings.ToLower(typ)]; ok {
			return w
		}
		return "the resource"
	}
	id, err := arm.ParseResourceID(path)
	if err != nil {
		if strings.HasPrefix(strings.ToLower(path), "/subscriptions/") {
			return "the subscription" // a subscription-level list, like the SKUs
		}
		return "the resource"
	}
	for r := id; r != nil; r = r.Parent {
		t := r.ResourceType.String()
		last := t
		if types := r.ResourceType.Types; len(types) > 0 {
			last = types[len(types)-1]
		}
		if strings.EqualFold(t, "Microsoft.Resources/resourceGroups") {
			last = "resourceGroups"
		}
		if strings.EqualFold(t, "Microsoft.Resources/subscriptions") {
			return "the subscription"
		}
		if typ != "" && !strings.EqualFold(last, typ) {
			continue
		}
		words, ok := resourceWords[strings.ToLower(last)]
		if !ok {
			if r.Name == "" {
				continue // a provider-level collection: name its parent
			}
			words = "the resource"
		}
		if r.Name == "" || looksSecret(r.Name) {
			return words
		}
		return words + " " + r.Name
	}
	if w, ok := resourceWords[strings.ToLower(typ)]; ok {
		return w
	}
	return "the resource"
}

var (
	guidPattern = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	urlPattern  = regexp.MustCompile(`(?i)[a-z][a-z0-9+.-]*://`)
)

// looksSecret reports whether a piece of text holds a URL, a GUID (a
// subscription or tenant ID) or a resource ID.
func looksSecret(s string) bool {
	return urlPattern.MatchString(s) || guidPattern.MatchString(s) ||
		strings.Contains(strings.ToLower(s), "/subscriptions/")
}

// scrub removes URLs, GUIDs and resource IDs from Azure's message, word by
// word, and bounds its length. It returns "" when nothing useful is left.
func scrub(msg string) string {
	var kept []string
	dropped := false
	for _, w := range strings.Fields(msg) {
		if looksSecret(w) {
			if !dropped {
				kept = append(kept, "[…]")
			}
			dropped = true
			continue
		}
		dropped = false
		kept = append(kept, w)
	}
	out := strings.Join(kept, " ")
	if strings.Trim(out, "[…]. ") == "" {
		return ""
	}
	const max = 400
	if r := []rune(out); len(r) > max {
		out = string(r[:max]) + "…"
	}
	return out
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
