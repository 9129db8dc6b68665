package rules

import (
	"strings"
)

// The exports show a request four ways on the review step: an Azure ML CLI v1
// command, a Python SDK v1 snippet, a Terraform block and the ARM request
// body. They never carry the certificate or key (rule L5): those are left as
// placeholders. Every value a person typed is quoted for its language so that
// a hostile name or description stays one inert literal.

// ARMAPIVersion is the Microsoft.MachineLearningServices API version of the
// ARM PUT, the one armmachinelearning v4.0.0 (used by the proxy) speaks.
const ARMAPIVersion = "2024-04-01"

// Placeholders that stand for secrets in the exports.
const (
	CertFilePlaceholder = "cert.pem"
	KeyFilePlaceholder  = "key.pem"
	CertPEMPlaceholder  = "<certificate PEM>"
	KeyPEMPlaceholder   = "<private key PEM>"
)

// commentSafe keeps a value on one comment line.
func commentSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if UnsafeRune(r) {
			return ' '
		}
		return r
	}, s)
}

// exportable is the request an export shows: a value that looks like a
// secret outside the certificate and key fields (C2) is left out, so an
// export never carries one.
func exportable(req Request) Request {
	req = req.cloneTags()
	for _, f := range textFields(&req) {
		if LooksSecret(*f.value) {
			*f.value = ""
		}
	}
	for k, v := range req.Tags {
		if LooksSecret(k) {
			delete(req.Tags, k)
		} else if LooksSecret(v) {
			req.Tags[k] = ""
		}
	}
	req.TLS.CertPEM, req.TLS.KeyPEM = "", ""
	return req
}
