package azure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/amlaks/amlaks/rules"
)

const sub = "11111111-2222-4333-8444-555555555555"

const (
	computePath = "/subscriptions/" + sub + "/resourceGroups/ml-rg/providers/Microsoft.MachineLearningServices/workspaces/ws-east/computes/aks-1"
	poolPath    = "/subscriptions/" + sub + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-healthy/agentPools/syspool"
	skusPath    = "/subscriptions/" + sub + "/providers/Microsoft.Compute/skus"
)

// mustResponseError builds the error the SDK returns for an ARM error answer.
func mustResponseError(tb testing.TB, method, path string, status int, headerCode, body string) error {
	tb.Helper()
	u, err := url.Parse("https://management.azure.com" + path + "?api-version=2024-04-01")
	if err != nil {
		tb.Fatal(err)
	}
	resp := &http.Response{
		StatusCode: status,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    &http.Request{Method: method, URL: u},
	}
	if headerCode != "" {
		resp.Header.Set("x-ms-error-code", headerCode)
	}
	return runtime.NewResponseError(resp)
}

// armBody is an ARM error body with a code and a message.
func armBody(code, message string) string {
	return fmt.Sprintf(`{"error":{"code":%q,"message":%q}}`, code, message)
}

func TestMapError(t *testing.T) {
	const authMsg = "The client 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' with object id 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' does not have authorization to perform action 'Microsoft.MachineLearningServices/workspaces/computes/write' over scope '" + computePath + "'"
	tests := []struct {
		name    string
		err     error
		field   string
		want    rules.ErrorCode
		wantARM string
		words   string // a part the message must contain
	}{
		{name: "authorization failed on write", err: mustResponseError(t, "PUT", computePath, 403, "", armBody("AuthorizationFailed", authMsg)),
			want: rules.ErrForbidden, wantARM: "AuthorizationFailed", words: "AzureML Compute Operator (or Contributor) on the workspace ws-east"},
		{name: "authorization failed on read", err: mustResponseError(t, "GET", computePath, 403, "AuthorizationFailed", armBody("AuthorizationFailed", authMsg)),
			want: rules.ErrForbidden, wantARM: "AuthorizationFailed", words: "role Reader (or AzureML Data Scientist) on the workspace ws-east"},
		{name: "403 on a pool", err: mustResponseError(t, "PUT", poolPath, 403, "", ""), field: "nodeCount",
			want: rules.ErrForbidden, words: "Azure Kubernetes Service Contributor Role on the AKS cluster aks-healthy"},
		{name: "403 on SKUs", err: mustResponseError(t, "GET", skusPath, 403, "", armBody("AuthorizationFailed", authMsg)),
			want: rules.ErrForbidden, wantARM: "AuthorizationFailed", words: "Reader on the subscription"},
		{name: "401", err: mustResponseError(t, "GET", computePath, 401, "", armBody("InvalidAuthenticationToken", "The access token is invalid.")),
			want: rules.ErrForbidden, wantARM: "InvalidAuthenticationToken", words: "did not accept the proxy's Azure identity"},
		{name: "resource not found", err: mustResponseError(t, "GET", computePath, 404, "", armBody("ResourceNotFound", "The Resource '"+computePath+"' was not found.")), field: "name",
			want: rules.ErrNotFound, wantARM: "ResourceNotFound", words: "The compute aks-1 does not exist"},
		{name: "resource group not found", err: mustResponseError(t, "GET", computePath, 404, "", armBody("ResourceGroupNotFound", "Resource group 'ml-rg' could not be found.")),
			want: rules.ErrNotFound, wantARM: "ResourceGroupNotFound", words: "The resource group ml-rg does not exist"},
		{name: "bare 404", err: mustResponseError(t, "GET", computePath, 404, "", ""),
			want: rules.ErrNotFound, words: "does not exist"},
		{name: "conflict", err: mustResponseError(t, "PUT", computePath, 409, "", armBody("Conflict", "Compute with name aks-1 already exists.")),
			want: rules.ErrConflict, wantARM: "Conflict", words: "conflict with the compute aks-1"},
		{name: "bare 409", err: mustResponseError(t, "PUT", computePath, 409, "", ""),
			want: rules.ErrConflict},
		{name: "quota exceeded", err: mustResponseError(t, "PUT", computePath, 400, "", armBody("QuotaExceeded", "Operation results in exceeding quota limits of Core. Maximum allowed: 10, Current in use: 8, Additional requested: 12.")),
			want: rules.ErrQuota, wantARM: "QuotaExceeded", words: "request a quota increase or pick a smaller size / fewer nodes"},
		{name: "operation not allowed by quota", err: mustResponseError(t, "PUT", computePath, 409, "", armBody("OperationNotAllowed", "Operation could not be completed as it results in exceeding approved Total Regional Cores quota.")),
			want: rules.ErrQuota, wantARM: "OperationNotAllowed", words: "quota increase"},
		{name: "operation not allowed otherwise", err: mustResponseError(t, "PUT", computePath, 409, "", armBody("OperationNotAllowed", "Another operation is in progress.")),
			want: rules.ErrConflict, wantARM: "OperationNotAllowed"},
		{name: "policy", err: mustResponseError(t, "PUT", computePath, 403, "", armBody("RequestDisallowedByPolicy", "Resource 'aks-1' was disallowed by policy. Policy identifiers: '[{\"policyAssignment\":{\"id\":\"/subscriptions/"+sub+"/providers/Microsoft.Authorization/policyAssignments/deny-pip\"}}]'.")),
			want: rules.ErrPolicy, wantARM: "RequestDisallowedByPolicy", words: policyExplanation},
		{name: "policy in details", err: mustResponseError(t, "PUT", computePath, 400, "",
			`{"error":{"code":"InvalidTemplateDeployment","message":"The template deployment failed.","details":[{"code":"RequestDisallowedByPolicy","message":"no public IPs"}]}}`),
			want: rules.ErrPolicy, wantARM: "RequestDisallowedByPolicy", words: "outboundType userDefinedRouting"},
		{name: "throttled", err: mustResponseError(t, "GET", skusPath, 429, "", armBody("TooManyRequests", "Rate limit exceeded.")),
			want: rules.ErrTooMany, wantARM: "TooManyRequests", words: "wait a minute"},
		{name: "500", err: mustResponseError(t, "GET", computePath, 500, "", armBody("InternalServerError", "Encountered internal server error. Diagnostic information: timestamp '20250101T000000Z', subscription id '"+sub+"'.")),
			want: rules.ErrUnavailable, wantARM: "InternalServerError", words: "HTTP 500"},
		{name: "502", err: mustResponseError(t, "GET", computePath, 502, "", ""), want: rules.ErrUnavailable, words: "try again"},
		{name: "503", err: mustResponseError(t, "GET", computePath, 503, "", armBody("ServiceUnavailable", "Try later.")),
			want: rules.ErrUnavailable, wantARM: "ServiceUnavailable"},
		{name: "unsupported version", err: mustResponseError(t, "PUT", computePath, 400, "", armBody("BadRequest", "Kubernetes version 1.20.1 is not supported in this region. See https://aka.ms/supported-version-list")),
			want: rules.ErrUnsupported, wantARM: "BadRequest", words: "Kubernetes version 1.20.1 is not supported in this region."},
		{name: "unsupported version code", err: mustResponseError(t, "PUT", poolPath, 400, "", armBody("AgentPoolK8sVersionNotSupported", "")),
			want: rules.ErrUnsupported, wantARM: "AgentPoolK8sVersionNotSupported", words: "(AgentPoolK8sVersionNotSupported)"},
		{name: "bad request keeps Azure's words", err: mustResponseError(t, "PUT", computePath, 400, "", armBody("BadArgument", "Compute name aks_1 is invalid: use letters, digits and hyphens.")), field: "name",
			want: rules.ErrInvalid, wantARM: "BadArgument", words: "Compute name aks_1 is invalid: use letters, digits and hyphens."},
		{name: "bad request loses URLs and IDs", err: mustResponseError(t, "PUT", computePath, 400, "", armBody("BadArgument", "Subnet "+computePath+" in subscription "+sub+" is full; see https://aka.ms/aks-subnet for sizing.")),
			want: rules.ErrInvalid, wantARM: "BadArgument", words: "is full; see […] for sizing."},
		{name: "bad request with nothing left", err: mustResponseError(t, "PUT", computePath, 400, "", armBody("BadArgument", "https://aka.ms/x")),
			want: rules.ErrInvalid, wantARM: "BadArgument", words: "Azure refused the request (BadArgument)."},
		{name: "header code wins", err: mustResponseError(t, "PUT", computePath, 409, "Conflict", armBody("Other", "x")),
			want: rules.ErrConflict, wantARM: "Conflict"},
		{name: "deadline", err: fmt.Errorf("get compute: %w", context.DeadlineExceeded), field: "name",
			want: rules.ErrUnavailable, words: "did not answer in time"},
		{name: "canceled", err: context.Canceled, want: rules.ErrUnavailable},
		{name: "transport", err: &url.Error{Op: "Get", URL: "https://management.azure.com" + computePath, Err: errors.New("dial tcp 10.0.0.1:443: connect: connection refused")},
			want: rules.ErrUnavailable, words: "could not be reached"},
		{name: "already ours", err: rules.Errorf(rules.ErrInvalid, "vmSize", "No."), field: "vmSize", want: rules.ErrInvalid, words: "No."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mapError(tt.err, tt.field)
			var re *rules.Error
			if !errors.As(err, &re) {
				t.Fatalf("mapError = %v (%T), want a *rules.Error", err, err)
			}
			if re.Code != tt.want || re.Field != tt.field || re.ARMCode != tt.wantARM {
				t.Errorf("mapError = {%s %q %q}, want {%s %q %q}", re.Code, re.Field, re.ARMCode, tt.want, tt.field, tt.wantARM)
			}
			if !strings.Contains(re.Message, tt.words) {
				t.Errorf("message = %q, want it to contain %q", re.Message, tt.words)
			}
			if strings.Contains(re.Message, "https://") || strings.Contains(re.Message, "http://") ||
				strings.Contains(re.Message, sub) || guidPattern.MatchString(re.Message) {
				t.Errorf("message shows a URL or an ID: %q", re.Message)
			}
		})
	}
	if mapError(nil, "x") != nil {
		t.Errorf("mapError(nil) != nil")
	}
}

func TestScrub(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "clean", in: "The name is taken.", want: "The name is taken."},
		{name: "url", in: "See https://aka.ms/x for more.", want: "See […] for more."},
		{name: "guid and resource id", in: "Subscription " + sub + " resource " + computePath + " failed.", want: "Subscription […] resource […] failed."},
		{name: "quoted guid", in: "client '" + sub + "' denied", want: "client […] denied"},
		{name: "only noise", in: "https://x.example " + sub, want: ""},
		{name: "long", in: strings.Repeat("a ", 300), want: strings.Repeat("a ", 200) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scrub(tt.in); got != tt.want {
				t.Errorf("scrub = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProvisioningErrors(t *testing.T) {
	errs := []*armmachinelearning.ErrorResponse{
		{Error: &armmachinelearning.ErrorDetail{Code: ptr("QuotaExceeded"), Message: ptr("Exceeds quota in " + sub)}},
		{Error: &armmachinelearning.ErrorDetail{Code: ptr("RequestDisallowedByPolicy"), Message: ptr("see https://aka.ms/policy")}},
		{Error: &armmachinelearning.ErrorDetail{Code: ptr("AuthorizationFailed"), Message: ptr("no")}},
		{Error: &armmachinelearning.ErrorDetail{Code: ptr("K8sVersionNotSupported"), Message: ptr("Version 1.20 is not supported.")}},
		{Error: &armmachinelearning.ErrorDetail{Code: ptr("InternalError"), Message: ptr("The AKS cluster could not be created: the node pool failed to start.")}},
		{Error: &armmachinelearning.ErrorDetail{Code: ptr("Failed"), Details: []*armmachinelearning.ErrorDetail{{Code: ptr("RequestDisallowedByPolicy")}}}},
		nil,
		{},
	}
	want := []string{
		quotaExplanation + " (QuotaExceeded)",
		policyExplanation + " (RequestDisallowedByPolicy)",
		"The proxy's Azure identity may not do this: ask the platform team for the role Reader on the subscription. (AuthorizationFailed)",
		"Azure does not support the requested version: Version 1.20 is not supported. (K8sVersionNotSupported)",
		"Azure reported an error: The AKS cluster could not be created: the node pool failed to start. (InternalError)",
		policyExplanation + " (RequestDisallowedByPolicy)",
	}
	got := provisioningErrors(errs)
	if len(got) != len(want) {
		t.Fatalf("provisioningErrors = %q, want %d messages", got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d mismatch (-want +got):\n- %s\n+ %s", i, want[i], got[i])
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name, path, typ, want string
	}{
		{name: "compute", path: computePath, want: "the compute aks-1"},
		{name: "its workspace", path: computePath, typ: "workspaces", want: "the workspace ws-east"},
		{name: "its resource group", path: computePath, typ: "resourceGroups", want: "the resource group ml-rg"},
		{name: "pool's cluster", path: poolPath, typ: "managedClusters", want: "the AKS cluster aks-healthy"},
		{name: "subscription-level", path: skusPath, want: "the subscription"},
		{name: "no path", path: "", typ: "workspaces", want: "the workspace"},
		{name: "garbage", path: "/nothing", want: "the resource"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describe(tt.path, tt.typ); got != tt.want {
				t.Errorf("describe = %q, want %q", got, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
