package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/google/go-cmp/cmp"

	"github.com/amlaks/amlaks/rules"
)

// recording is one real ARM answer from testdata/recorded (sources in its
// README): the request it answered, and the status, headers and body.
type recording struct {
	Request struct {
		Method string `json:"method"`
		Path   string `json:"path"`
	} `json:"request"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

func mustRecording(tb testing.TB, name string) recording {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "recorded", name))
	if err != nil {
		tb.Fatal(err)
	}
	var r recording
	if err := json.Unmarshal(raw, &r); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return r
}

// response replays the recording as the answer to req.
func (r recording) response(req *http.Request) *http.Response {
	h := http.Header{"Content-Type": {"application/json"}}
	for k, v := range r.Headers {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: r.Status, Header: h, Body: io.NopCloser(bytes.NewReader(r.Body)), Request: req}
}

// responseError is the SDK's error for a recorded error answer.
func (r recording) responseError(tb testing.TB) error {
	tb.Helper()
	u, err := url.Parse("https://management.azure.com" + r.Request.Path + "?api-version=2024-04-01")
	if err != nil {
		tb.Fatal(err)
	}
	return runtime.NewResponseError(r.response(&http.Request{Method: r.Request.Method, URL: u}))
}

// TestRecordedErrors decodes every recorded error answer through the
// adapter's mapping: the deepest meaningful code, the kind of refusal (the
// rule behind it: V5 for policy, quota) and plain words, with no URL or ID.
func TestRecordedErrors(t *testing.T) {
	tests := []struct {
		file    string
		want    rules.ErrorCode
		wantARM string
		words   string
	}{
		{file: "aks_create_policy_wrapped.json", want: rules.ErrPolicy, wantARM: "RequestDisallowedByPolicy", words: policyExplanation},
		{file: "aks_node_policy_flat.json", want: rules.ErrPolicy, wantARM: "RequestDisallowedByPolicy", words: policyExplanation},
		{file: "arm_throttled.json", want: rules.ErrTooMany, wantARM: "ResourceRequestsThrottled", words: "retry after 372 s"},
		{file: "arm_subscription_throttled.json", want: rules.ErrTooMany, wantARM: "SubscriptionRequestsThrottled", words: "Azure is throttling"},
		{file: "deployment_operation_failed.json", want: rules.ErrUnsupported, wantARM: "AgentPoolK8sVersionNotSupported", words: "Version 1.24.9 is not supported in this region."},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rec := mustRecording(t, tt.file)
			var re *rules.Error
			err := mapError(rec.responseError(t), "")
			re, _ = err.(*rules.Error)
			if re == nil {
				t.Fatalf("mapError = %v, want a *rules.Error", err)
			}
			if diff := cmp.Diff([2]string{string(tt.want), tt.wantARM}, [2]string{string(re.Code), re.ARMCode}); diff != "" {
				t.Errorf("kind and ARM code mismatch (-want +got):\n%s", diff)
			}
			if !strings.Contains(re.Message, tt.words) {
				t.Errorf("message = %q, want it to contain %q", re.Message, tt.words)
			}
			checkNoSecrets(t, re.Message)
		})
	}
}

func checkNoSecrets(tb testing.TB, msg string) {
	tb.Helper()
	if strings.Contains(msg, "://") || guidPattern.MatchString(msg) || strings.Contains(strings.ToLower(msg), "/subscriptions/") {
		tb.Errorf("message shows a URL or an ID: %q", msg)
	}
}

// replay answers each request with the recording whose method and path it
// matches, and 404 otherwise.
func replay(recs ...recording) policy.Transporter {
	return transportFunc(func(req *http.Request) (*http.Response, error) {
		for _, r := range recs {
			if r.Request.Method == req.Method && strings.EqualFold(r.Request.Path, req.URL.Path) {
				return r.response(req), nil
			}
		}
		body := `{"error":{"code":"ResourceNotFound","message":"not recorded"}}`
		return &http.Response{StatusCode: 404, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
	})
}

type transportFunc func(*http.Request) (*http.Response, error)

func (f transportFunc) Do(req *http.Request) (*http.Response, error) { return f(req) }

// TestRecordedComputes reads recorded computes that Azure ML accepted and
// failed later, through Client.Compute: the state is Failed and the reason,
// nested in details or quoted inside a BadArgument message, is in words.
func TestRecordedComputes(t *testing.T) {
	tests := []struct {
		file  string
		state string
		want  []string
	}{
		{file: "aml_attach_failed_version.json", state: "Failed",
			want: []string{"Azure does not support the requested version: Specified kubernetes version 1.12.4 is not supported. Supported versions are between 1.8 - 1.11 (BadRequestFormat)"}},
		{file: "aml_create_failed_quota.json", state: "Failed",
			want: []string{quotaExplanation + " (QuotaExceeded)"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rec := mustRecording(t, tt.file)
			c, err := New(&azfake.TokenCredential{}, Options{Transport: replay(rec), Retry: policy.RetryOptions{MaxRetries: -1}, NoFollow: true})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			parts := strings.Split(strings.Trim(rec.Request.Path, "/"), "/")
			ref := rules.WorkspaceRef{Subscription: parts[1], ResourceGroup: parts[3], Name: parts[7]}
			got, err := c.Compute(context.Background(), ref, parts[9])
			if err != nil {
				t.Fatalf("Compute: %v", err)
			}
			if got.State != tt.state {
				t.Errorf("state = %q, want %q", got.State, tt.state)
			}
			if diff := cmp.Diff(tt.want, got.Errors); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
			for _, m := range got.Errors {
				checkNoSecrets(t, m)
			}
		})
	}
}

// TestRecordedResourceGraph decodes Resource Graph's recorded objectArray
// answer through the adapter: every row, with its workspace-less ID and
// location.
func TestRecordedResourceGraph(t *testing.T) {
	rec := mustRecording(t, "resourcegraph_basic_query.json")
	var body struct {
		Data any `json:"data"`
	}
	if err := json.Unmarshal(rec.Body, &body); err != nil {
		t.Fatal(err)
	}
	hits, err := computeHits(body.Data)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hits {
		got = append(got, h.Name+"@"+h.Location)
	}
	if diff := cmp.Diff([]string{"myNetworkInterface@centralus", "myVnet@westus", "myPublicIp@westus"}, got); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
	// The table format carries the same rows as columns and rows.
	table := map[string]any{"columns": []any{map[string]any{"name": "name", "type": "string"}, map[string]any{"name": "location", "type": "string"}},
		"rows": []any{[]any{"a", "eastus"}}}
	if hits, err := computeHits(table); err != nil || len(hits) != 1 || hits[0].Name != "a" || hits[0].Location != "eastus" {
		t.Errorf("table = %+v, %v", hits, err)
	}
}
