//go:build noexports

package proxy

import (
	"net/http"

	"github.com/amlaks/amlaks/rules"
)

// postExports, in a build with the page's tag noexports (which leaves the
// export writers out of rules), says that this build writes none. The
// proxy is built without the tag (the Makefile's amlaks target); this file
// only lets every package compile with the page's tags (make lint).
func (s *Server) postExports(w http.ResponseWriter, r *http.Request) error {
	return rules.Errorf(rules.ErrUnsupported, "", "This build of amlaks writes no exports (it was built with the page's tag noexports).")
}
