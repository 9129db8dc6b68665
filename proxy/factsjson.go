package proxy

import (
	"encoding/json"
	"sync"

	"github.com/amlaks/amlaks/rules"
)

// factsBody is the answer of POST /api/facts: the facts as rules.Facts
// encodes them, with the VM sizes of the location (the longest list, some
// hundreds in an Azure region) encoded once per kept list rather than for
// each request. The outer field hides the embedded one of the same name.
type factsBody struct {
	rules.Facts
	VMSizes json.RawMessage `json:"vmSizes"` // null: not known
}

// sizesMemo keeps the JSON of the VM size lists the facts cache holds, by
// the list's first element: a read's facts hand the kept list itself
// (cachedAzure.share), so the same list is the same key while it is kept,
// and a list the cache replaced is a new key. Holding the key keeps the old
// array alive, so a key is never reused for another list; the memo is
// emptied when it grows past sizesMemoMax lists.
type sizesMemo struct {
	mu sync.Mutex
	m  map[*rules.VMSize]memoJSON
}

type memoJSON struct {
	n    int
	json json.RawMessage
}

const sizesMemoMax = 128

func (s *sizesMemo) encode(sizes []rules.VMSize) json.RawMessage {
	switch {
	case sizes == nil:
		return nil // encoded as null, "not known"
	case len(sizes) == 0:
		return json.RawMessage("[]")
	}
	key := &sizes[0]
	s.mu.Lock()
	e, ok := s.m[key]
	s.mu.Unlock()
	if ok && e.n == len(sizes) {
		return e.json
	}
	b, err := json.Marshal(sizes)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	if s.m == nil || len(s.m) >= sizesMemoMax {
		s.m = map[*rules.VMSize]memoJSON{}
	}
	s.m[key] = memoJSON{n: len(sizes), json: b}
	s.mu.Unlock()
	return b
}
