//go:build !(js && wasm)

package blobsync_test

import (
	"context"
	"sync"
	"testing"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/azure/blobsync"
)

// The Store is the proxy's shared V2Store.
var _ proxy.V2Store = (*blobsync.Store)(nil)

// TestRecordsAreConditional: against Azurite, a record is created once
// (If-None-Match *), replaced only under the ETag last read (If-Match), and
// of two replicas that read the same version and write at once exactly one
// stores; Running lists the unfinished records only, across clients.
func TestRecordsAreConditional(t *testing.T) {
	ctx := context.Background()
	a := mustStore(t, "records", blobsync.Options{})
	b := mustStore(t, "records", blobsync.Options{})
	if data, v, err := a.Load(ctx, "op-1"); err != nil || data != nil || v != "" {
		t.Fatalf("a missing record: %q %q %v", data, v, err)
	}
	v1, ok, err := a.Save(ctx, "op-1", []byte(`{"n":1}`), "", true)
	if err != nil || !ok || v1 == "" {
		t.Fatalf("first save: %q %v %v", v1, ok, err)
	}
	if _, ok, err := b.Save(ctx, "op-1", []byte(`{"n":"again"}`), "", true); err != nil || ok {
		t.Fatalf("a second create of one record was stored: %v %v", ok, err)
	}
	data, v, err := b.Load(ctx, "op-1")
	if err != nil || string(data) != `{"n":1}` || v != v1 {
		t.Fatalf("load from the other client: %q %q %v", data, v, err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored := 0
	for i, s := range []*blobsync.Store{a, b, a, b} {
		wg.Go(func() {
			_, ok, err := s.Save(ctx, "op-1", []byte(`{"writer":`+string(rune('0'+i))+`}`), v1, i%2 == 0)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				stored++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if stored != 1 {
		t.Fatalf("%d of 4 writers of one version stored; want exactly 1", stored)
	}
	if _, ok, _ := a.Save(ctx, "op-1", []byte(`{}`), v1, true); ok {
		t.Fatal("a save under an old ETag was stored")
	}
	_, cur, _ := a.Load(ctx, "op-1")
	if _, ok, err := a.Save(ctx, "op-1", []byte(`{"done":true}`), cur, false); err != nil || !ok {
		t.Fatalf("a save under the current ETag: %v %v", ok, err)
	}
	if _, ok, err := a.Save(ctx, "op-2", []byte(`{}`), "", true); err != nil || !ok {
		t.Fatalf("op-2: %v %v", ok, err)
	}
	keys, err := b.Running(ctx)
	if err != nil || len(keys) != 1 || keys[0] != "op-2" {
		t.Fatalf("running records %q %v, want [op-2]", keys, err)
	}
}
