package azure

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// observePolicy is the pipeline policy of Options.Observe: one call per HTTP
// try, retries included, so 429s and 5xx answers the SDK retried are counted.
type observePolicy struct {
	observe func(operation string, status int, took time.Duration)
}

// Do implements policy.Policy.
func (p observePolicy) Do(req *policy.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := req.Next()
	status := 0
	if err == nil && resp != nil {
		status = resp.StatusCode
	}
	p.observe(Operation(req.Raw().Method, req.Raw().URL.Path), status, time.Since(start))
	return resp, err
}

// typeSegment is what a resource provider namespace or type looks like.
var typeSegment = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9.]{0,63}$`)

// Operation names an ARM request by its method and resource type path, with
// every name and ID left out: "PUT microsoft.machinelearningservices/workspaces/computes" (lower case),
// "GET subscriptions/locations". A path of any other shape is "other", so a
// value from a request can never become a metrics label.
func Operation(method, path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var kind []string
	if i := indexFold(segs, "providers"); i >= 0 {
		rest := segs[i+1:]
		if len(rest) == 0 || !strings.HasPrefix(strings.ToLower(rest[0]), "microsoft.") {
			return method + " other"
		}
		kind = append(kind, rest[0])
		for j := 1; j < len(rest); j += 2 { // type, name, type, name, ...
			kind = append(kind, rest[j])
		}
	} else {
		// /subscriptions[/{id}[/locations|resourceGroups...]]
		for j := 0; j < len(segs); j += 2 {
			kind = append(kind, segs[j])
		}
	}
	if len(kind) == 0 || len(kind) > 6 {
		return method + " other"
	}
	for _, k := range kind {
		if !typeSegment.MatchString(k) {
			return method + " other"
		}
	}
	return method + " " + strings.ToLower(strings.Join(kind, "/"))
}

func indexFold(segs []string, s string) int {
	for i, seg := range segs {
		if strings.EqualFold(seg, s) {
			return i
		}
	}
	return -1
}
