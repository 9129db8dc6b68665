package rules

import (
	"strings"
)

// Severity says whether a finding blocks submission.
type Severity string

// Severities: an error blocks submission; a warning and an info do not.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Finding is the result of one rule on one field: a stable code (the rule's name
// in SPEC.md, such as "P2"), the request field it belongs to (a JSON path such as
// "nodeCount" or "network.dnsServiceIP"), a severity, a message a person
// understands and, where one exists, the fix.
type Finding struct {
	Code     string   `json:"code"`
	Field    string   `json:"field"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Fix      string   `json:"fix,omitempty"`
}

// Findings is a list of findings in a stable order.
type Findings []Finding

// HasErrors reports whether any finding is an error.
func (fs Findings) HasErrors() bool {
	for _, f := range fs {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Errors returns only the findings that block submission.
func (fs Findings) Errors() Findings {
	var out Findings
	for _, f := range fs {
		if f.Severity == SeverityError {
			out = append(out, f)
		}
	}
	return out
}

// For returns the findings that belong to field.
func (fs Findings) For(field string) Findings {
	var out Findings
	for _, f := range fs {
		if f.Field == field {
			out = append(out, f)
		}
	}
	return out
}

// Codes returns the codes of the findings, in order, without repeats.
func (fs Findings) Codes() []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range fs {
		if !seen[f.Code] {
			seen[f.Code] = true
			out = append(out, f.Code)
		}
	}
	return out
}

var severityRank = map[Severity]int{SeverityError: 0, SeverityWarning: 1, SeverityInfo: 2}

// sorted orders findings by severity, then by field, keeping the rules' order
// within a field, so the browser and the proxy list them the same way.
func (fs Findings) sorted() Findings {
	SortSmall(fs, func(x, y Finding) int {
		if a, b := severityRank[x.Severity], severityRank[y.Severity]; a != b {
			return a - b
		}
		return strings.Compare(x.Field, y.Field)
	})
	return fs
}
