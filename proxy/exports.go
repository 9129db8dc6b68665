//go:build !noexports

package proxy

import (
	"net/http"

	"github.com/amlaks/amlaks/rules"
)

// postExports serves POST /api/exports: the review's exports of a request
// (rules.ExportsFor), written here so that the page's app.wasm holds no
// writer (tag noexports, rules/export.go). The request is validated with the
// facts the proxy fetched itself, as a create would be, and one with an
// error gets its findings instead. The exports never carry the certificate
// or key (L5), so the page sends neither, and the findings on those two
// fields alone do not stop an export.
func (s *Server) postExports(w http.ResponseWriter, r *http.Request) error {
	req, facts, err := s.requestAndFacts(w, r)
	if err != nil {
		return err
	}
	var errs rules.Findings
	for _, f := range rules.Validate(req, facts).Errors() {
		if f.Field != rules.FieldTLSCert && f.Field != rules.FieldTLSKey {
			errs = append(errs, f)
		}
	}
	if len(errs) > 0 {
		return refusal(errs)
	}
	writeJSON(w, http.StatusOK, rules.ExportsFor(req, facts))
	return nil
}
