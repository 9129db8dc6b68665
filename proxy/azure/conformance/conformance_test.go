// Package conformance checks that azure.Client implements the proxy's Azure
// interface. It sits apart from proxy/azure's own tests so that those build
// without package proxy, which proxy/azure must not depend on.
package conformance_test

import (
	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/azure"
)

var _ proxy.Azure = (*azure.Client)(nil)
