//go:build !(js && wasm)

package proxy_test

import (
	"context"
	"testing"

	"github.com/amlaks/amlaks/proxy"
)

// TestMemoryV2StoreIsConditional: the in-process store keeps the shared
// store's contract: a record is created once, replaced only under the
// version last read, and Running lists the unfinished ones.
func TestMemoryV2StoreIsConditional(t *testing.T) {
	ctx := context.Background()
	s := proxy.NewMemoryV2Store()
	if data, v, err := s.Load(ctx, "k"); data != nil || v != "" || err != nil {
		t.Fatalf("missing: %q %q %v", data, v, err)
	}
	v1, ok, err := s.Save(ctx, "k", []byte("one"), "", true)
	if !ok || err != nil {
		t.Fatalf("create: %v %v", ok, err)
	}
	if _, ok, _ := s.Save(ctx, "k", []byte("two"), "", true); ok {
		t.Fatal("a second create was stored")
	}
	v2, ok, _ := s.Save(ctx, "k", []byte("two"), v1, false)
	if !ok || v2 == v1 {
		t.Fatalf("update under the version read: %v %q", ok, v2)
	}
	if _, ok, _ := s.Save(ctx, "k", []byte("three"), v1, true); ok {
		t.Fatal("an update under an old version was stored")
	}
	if data, v, _ := s.Load(ctx, "k"); string(data) != "two" || v != v2 {
		t.Fatalf("load: %q %q", data, v)
	}
	s.Save(ctx, "r", []byte("x"), "", true)
	if keys, _ := s.Running(ctx); len(keys) != 1 || keys[0] != "r" {
		t.Fatalf("running: %q", keys)
	}
}
