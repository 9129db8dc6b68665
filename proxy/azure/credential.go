package azure

import (
	"context"
	"net"
	"os"
	"os/exec"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// armScope is the scope of an ARM token in the public cloud.
const armScope = armAudience + "/.default"

// availableTimeout bounds Available.
const availableTimeout = 3 * time.Second

// DefaultCredential returns azidentity's DefaultAzureCredential: environment
// variables, workload identity, managed identity, then the Azure CLI and the
// Azure Developer CLI.
func DefaultCredential() (azcore.TokenCredential, error) {
	return azidentity.NewDefaultAzureCredential(nil)
}

// Available looks for an Azure identity on this machine the way
// DefaultCredential does, and reports whether it can get an ARM token within
// three seconds; it returns the credential when it can. It gives up at once
// when nothing hints at an identity: no AZURE_* or managed-identity
// environment variables, no az or azd on the PATH, and no instance metadata
// endpoint answering. `serve --azure=auto` uses it to choose between Azure and
// the emulator.
func Available(ctx context.Context) (azcore.TokenCredential, bool) {
	ctx, cancel := context.WithTimeout(ctx, availableTimeout)
	defer cancel()
	// The instance metadata endpoint is only probed when asked
	// (AMLAKS_PROBE_IMDS=1, for a VM whose only identity is its managed
	// identity): elsewhere a connection to a link-local address is noise at
	// best, and on some networks it is flagged.
	var imds func(context.Context) bool
	if os.Getenv("AMLAKS_PROBE_IMDS") == "1" {
		imds = dialIMDS
	}
	if !identityHints(ctx, os.LookupEnv, exec.LookPath, imds) {
		return nil, false
	}
	cred, err := DefaultCredential()
	if err != nil {
		return nil, false
	}
	if !canGetToken(ctx, cred) {
		return nil, false
	}
	return cred, true
}

// identityEnv are the environment variables that point DefaultAzureCredential
// at an identity.
var identityEnv = []string{
	"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
	"AZURE_FEDERATED_TOKEN_FILE", "AZURE_USERNAME", "IDENTITY_ENDPOINT", "MSI_ENDPOINT",
}

// identityHints reports whether anything on the machine hints at an Azure
// identity: an environment variable, a CLI on the PATH, or the instance
// metadata endpoint of an Azure VM.
func identityHints(ctx context.Context, lookupEnv func(string) (string, bool),
	lookPath func(string) (string, error), imds func(context.Context) bool) bool {
	for _, name := range identityEnv {
		if v, ok := lookupEnv(name); ok && v != "" {
			return true
		}
	}
	for _, cli := range []string{"az", "azd"} {
		if _, err := lookPath(cli); err == nil {
			return true
		}
	}
	return imds != nil && imds(ctx)
}

// dialIMDS reports whether the Azure instance metadata endpoint accepts a
// connection within half a second.
func dialIMDS(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", "169.254.169.254:80")
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// canGetToken reports whether cred returns an ARM token before ctx ends. The
// credential runs in its own goroutine so that one which ignores ctx cannot
// hold the caller.
func canGetToken(ctx context.Context, cred azcore.TokenCredential) bool {
	done := make(chan error, 1)
	go func() {
		_, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{armScope}})
		done <- err
	}()
	select {
	case err := <-done:
		return err == nil
	case <-ctx.Done():
		return false
	}
}

// StaticCredential is a credential with a fixed fake token, for the ARM
// emulator, which accepts any bearer token. Never use it against Azure.
type StaticCredential struct{}

// StaticToken is the bearer token StaticCredential returns.
const StaticToken = "amlaks-emulator-token"

// GetToken returns StaticToken, valid for a day.
func (StaticCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: StaticToken, ExpiresOn: time.Now().Add(24 * time.Hour)}, nil
}
