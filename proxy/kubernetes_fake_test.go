//go:build !(js && wasm)

package proxy_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/rules"
)

// TestV2RulesRunBeforeEachWrite: the rules run again, with facts the proxy
// reads anew, before the extension's write. Between the attach's checks and
// the extension step the cluster's local accounts get disabled: the step
// fails with X2 and the extension is never sent.
func TestV2RulesRunBeforeEachWrite(t *testing.T) {
	f, _ := newFake()
	base := f.ClusterFn
	var reads atomic.Int32
	f.ClusterFn = func(ctx context.Context, id string) (rules.Cluster, error) {
		cl, err := base(ctx, id)
		if reads.Add(1) > 1 {
			cl.LocalAccountsDisabled = true // changed in Azure after the request's checks
		}
		return cl, err
	}
	f.ExtensionsFn = func(context.Context, rules.ClusterRef) ([]rules.Extension, error) { return nil, nil }
	f.InstallExtensionFn = func(context.Context, rules.ClusterRef, rules.ExtensionConfig) error { return nil }
	clock := newClock() // paces the driver: the test, not the wall clock, says when its next turn comes
	h := handler(proxy.Config{PollTimer: clock.After}, f)
	req := rules.Request{Mode: rules.ModeAttach, Kind: rules.KindKubernetes, Workspace: wsEast, Name: "k8s-a",
		Purpose: rules.PurposeFastProd, Target: rules.Target{ResourceID: fakeClusterID("aks-healthy")},
		Kubernetes: rules.Kubernetes{AllowInsecure: true}}
	if w := serve(t, h, "POST", "/api/computes", mustJSON(t, req)); w.Code != http.StatusAccepted {
		t.Fatalf("attach: %d %s", w.Code, w.Body)
	}
	var st rules.OperationState
	clock.drive(t, time.Second, func() bool {
		w := serve(t, h, "GET", "/api/operations/"+fakeSub+"/ml-rg/ws-east/k8s-a", "")
		if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		return st.Done
	})
	if st.FailedStep != rules.StepExtension || len(st.Errors) == 0 || st.Errors[0][:3] != "X2:" {
		t.Errorf("want the extension step Failed with X2: %+v", st)
	}
	if n := f.Count("InstallExtension"); n != 0 {
		t.Errorf("the extension was sent %d times after its rules failed", n)
	}
	if st.CanCleanup {
		t.Error("cleanup offered though amlaks made nothing")
	}
}
