package rules

// The exports show a request four ways on the review step: an Azure ML CLI v1
// command, a Python SDK v1 snippet, a Terraform block and the ARM request
// body (five for a Kubernetes compute: Azure CLI, Python SDK v2, Bicep,
// Terraform, the ARM requests). They never carry the certificate or key
// (rule L5): those are left as placeholders. Every value a person typed is
// quoted for its language so that a hostile name or description stays one
// inert literal.
//
// The proxy writes them (ExportsFor, POST /api/exports); the page's build
// (tag noexports) leaves the writers out of app.wasm, where they were a
// fifth of what amlaks adds to go-app (`make size`), and fetches the texts
// when the review opens. What is here is shared by both builds: the tabs,
// the answer's shape and what a redacted request leaves out.

// ExportKind is one of the review's exports: the tab's id and label.
type ExportKind struct{ ID, Label string }

// exportKinds are the exports of an AKS compute (v1), kubernetesExportKinds
// those of a Kubernetes compute (v2).
var (
	exportKinds = []ExportKind{
		{"cli", "Azure CLI v1 (legacy)"},
		{"python", "Python SDK v1 (legacy)"},
		{"terraform", "Terraform"},
		{"arm", "ARM request"},
	}
	kubernetesExportKinds = []ExportKind{
		{"cli", "Azure CLI"},
		{"python", "Python SDK v2"},
		{"bicep", "Bicep"},
		{"terraform", "Terraform"},
		{"arm", "ARM requests"},
	}
)

// ExportKinds are the exports of a compute of kind k, in tab order.
func ExportKinds(k Kind) []ExportKind {
	if k == KindKubernetes {
		return kubernetesExportKinds
	}
	return exportKinds
}

// Export is one export of a request: its tab and its text.
type Export struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Text  string `json:"text"`
}

// ExportsBody is the answer of POST /api/exports: every export of the
// request's kind, in tab order.
type ExportsBody struct {
	Exports []Export `json:"exports"`
}

// Text is the text of the export of tab id, or false.
func (b ExportsBody) Text(id string) (string, bool) {
	for _, e := range b.Exports {
		if e.ID == id {
			return e.Text, true
		}
	}
	return "", false
}

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
