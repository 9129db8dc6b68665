package rules

import (
	"bytes"
	"encoding/json"
)

// A node count of 0 is not "no node count": only an absent field means the
// default of 3 nodes (rule P5). Request keeps NodeCount an int, so that no
// package changes how it reads it, and records beside it whether 0 was
// given: when JSON is decoded, when the page reads its form (WithNodeCount)
// and when a share link is read.

// WithNodeCount returns the request with the node count n as given by a
// person: 0 stays 0, which Validate refuses, instead of becoming the default.
func (r Request) WithNodeCount(n int) Request {
	r.NodeCount, r.zeroNodes = n, n == 0
	return r
}

// WithoutNodeCount returns the request with no node count given, which
// means the default of 3 for a create.
func (r Request) WithoutNodeCount() Request {
	r.NodeCount, r.zeroNodes = 0, false
	return r
}

// NodeCountGiven reports whether the request gives a node count, 0 included.
func (r Request) NodeCountGiven() bool { return r.NodeCount != 0 || r.zeroNodes }

// requestFields is Request without its methods, for the JSON codec.
type requestFields Request

// requestWire is the JSON shape of a request: the node count is a pointer,
// so that "nodeCount": 0 and no nodeCount differ.
type requestWire struct {
	*requestFields
	NodeCount *int `json:"nodeCount,omitempty"`
}

// MarshalJSON writes the request; a node count given as 0 is written as 0.
func (r Request) MarshalJSON() ([]byte, error) {
	w := requestWire{requestFields: (*requestFields)(&r)}
	if r.NodeCountGiven() {
		n := r.NodeCount
		w.NodeCount = &n
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a request strictly (unknown fields are errors, as
// DecodeRequest and the proxy want), and records a node count given as 0.
// The fields are decoded as they are, so an error names the field by its
// path ("workspace.name"); a second, small pass looks for the node count.
func (r *Request) UnmarshalJSON(data []byte) error {
	var fields requestFields
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fields); err != nil {
		return err
	}
	*r = Request(fields)
	r.zeroNodes = false
	if r.NodeCount == 0 {
		var probe struct {
			NodeCount *int `json:"nodeCount"`
		}
		if json.Unmarshal(data, &probe) == nil && probe.NodeCount != nil {
			r.zeroNodes = true
		}
	}
	return nil
}
