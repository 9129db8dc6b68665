package azure

import (
	"context"
	"errors"
	"net/http"
	"os/exec"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

func TestIdentityHints(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	noPath := func(string) (string, error) { return "", exec.ErrNotFound }
	noIMDS := func(context.Context) bool { return false }
	tests := []struct {
		name     string
		env      map[string]string
		onPath   string
		imds     bool
		wantHint bool
	}{
		{name: "nothing"},
		{name: "empty variable", env: map[string]string{"AZURE_CLIENT_ID": ""}},
		{name: "service principal", env: map[string]string{"AZURE_CLIENT_ID": "x", "AZURE_TENANT_ID": "y"}, wantHint: true},
		{name: "workload identity", env: map[string]string{"AZURE_FEDERATED_TOKEN_FILE": "/var/run/token"}, wantHint: true},
		{name: "app service identity", env: map[string]string{"IDENTITY_ENDPOINT": "http://localhost:42"}, wantHint: true},
		{name: "cloud shell identity", env: map[string]string{"MSI_ENDPOINT": "http://localhost:50342"}, wantHint: true},
		{name: "az on the PATH", onPath: "az", wantHint: true},
		{name: "azd on the PATH", onPath: "azd", wantHint: true},
		{name: "VM metadata endpoint", imds: true, wantHint: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := noEnv
			if tt.env != nil {
				env = func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			}
			path := noPath
			if tt.onPath != "" {
				path = func(name string) (string, error) {
					if name == tt.onPath {
						return "/usr/bin/" + name, nil
					}
					return "", exec.ErrNotFound
				}
			}
			imds := noIMDS
			if tt.imds {
				imds = func(context.Context) bool { return true }
			}
			if got := identityHints(context.Background(), env, path, imds); got != tt.wantHint {
				t.Errorf("identityHints = %v, want %v", got, tt.wantHint)
			}
		})
	}
}

// credentialFunc adapts a function to azcore.TokenCredential.
type credentialFunc func(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error)

// GetToken implements azcore.TokenCredential.
func (f credentialFunc) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return f(ctx, o)
}

func TestCanGetToken(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	tests := []struct {
		name string
		cred azcore.TokenCredential
		want bool
	}{
		{name: "token", cred: StaticCredential{}, want: true},
		{name: "refused", cred: credentialFunc(func(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
			return azcore.AccessToken{}, errors.New("no identity")
		})},
		{name: "hangs and ignores the context", cred: credentialFunc(func(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
			<-block
			return azcore.AccessToken{}, nil
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			if got := canGetToken(ctx, tt.cred); got != tt.want {
				t.Errorf("canGetToken = %v, want %v", got, tt.want)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("canGetToken took %v", d)
			}
		})
	}
}

func TestCanGetTokenAsksForARM(t *testing.T) {
	var scopes []string
	canGetToken(context.Background(), credentialFunc(func(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
		scopes = o.Scopes
		return azcore.AccessToken{Token: "t"}, nil
	}))
	if len(scopes) != 1 || scopes[0] != "https://management.azure.com/.default" {
		t.Errorf("scopes = %q, want the ARM scope", scopes)
	}
}

func TestAvailableIsQuick(t *testing.T) {
	start := time.Now()
	Available(context.Background())
	if d := time.Since(start); d > availableTimeout+500*time.Millisecond {
		t.Errorf("Available took %v, want at most about %v", d, availableTimeout)
	}
}

func TestStaticCredential(t *testing.T) {
	tok, err := StaticCredential{}.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{armScope}})
	if err != nil || tok.Token != StaticToken || time.Until(tok.ExpiresOn) < time.Hour {
		t.Errorf("GetToken = %+v, %v; want the static token, valid for a while", tok, err)
	}
}

func TestForEndpoint(t *testing.T) {
	hc := &http.Client{}
	tests := []struct {
		name         string
		endpoint     string
		wantEndpoint string
		wantInsecure bool
	}{
		{name: "TLS", endpoint: "https://127.0.0.1:8443/", wantEndpoint: "https://127.0.0.1:8443"},
		{name: "plain HTTP", endpoint: "http://127.0.0.1:8080", wantEndpoint: "http://127.0.0.1:8080", wantInsecure: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ForEndpoint(tt.endpoint, hc)
			arm := o.Cloud.Services[cloud.ResourceManager]
			if arm.Endpoint != tt.wantEndpoint || arm.Audience != "https://management.azure.com" {
				t.Errorf("ResourceManager = %+v, want endpoint %q and the public audience", arm, tt.wantEndpoint)
			}
			if o.InsecureHTTP != tt.wantInsecure {
				t.Errorf("InsecureHTTP = %v, want %v", o.InsecureHTTP, tt.wantInsecure)
			}
			if o.Transport != hc {
				t.Errorf("Transport is not the given client")
			}
		})
	}
}
