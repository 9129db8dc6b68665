package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DecodeRequest reads a request from JSON strictly: unknown fields, wrong
// types and trailing data are errors that name the field.
func DecodeRequest(data []byte) (Request, error) {
	var r Request
	return r, decodeStrict(data, &r)
}

// ParsePolicy reads the platform team's policy file (JSON) strictly and
// checks its values.
func ParsePolicy(data []byte) (*Policy, error) {
	var p Policy
	if err := decodeStrict(data, &p); err != nil {
		return nil, err
	}
	if p.MaxNodes < 0 || p.MaxVCPUs < 0 {
		return nil, Errorf(ErrInvalid, "maxNodes", "maxNodes and maxVcpus must be 0 (no cap) or more")
	}
	for _, pu := range p.Purposes {
		switch Purpose(pu) {
		case PurposeDevTest, PurposeFastProd, PurposeDenseProd:
		default:
			return nil, Errorf(ErrInvalid, "purposes", fmt.Sprintf("purpose %q is not DevTest, FastProd or DenseProd", pu))
		}
	}
	for _, s := range p.Subscriptions {
		if !isGUID(s) {
			return nil, Errorf(ErrInvalid, "subscriptions", fmt.Sprintf("%q is not a subscription ID", s))
		}
	}
	return &p, nil
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typ *json.UnmarshalTypeError
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &typ):
			return Errorf(ErrInvalid, typ.Field, fmt.Sprintf("%s must be %s, not a JSON %s", typ.Field, TypeWord(typ.Type), typ.Value))
		case errors.As(err, &syn):
			return Errorf(ErrInvalid, "", fmt.Sprintf("not valid JSON at byte %d", syn.Offset))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return Errorf(ErrInvalid, name, fmt.Sprintf("unknown field %q", name))
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			return Errorf(ErrInvalid, "", "empty or cut short")
		}
		return Errorf(ErrInvalid, "", "not valid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return Errorf(ErrInvalid, "", "data after the JSON value")
	}
	return nil
}
