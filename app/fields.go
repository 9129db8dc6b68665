// Field text helpers: the node count as typed, clipping, merging the page's findings
// with the rules', and tags as text.

package app

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/amlaks/amlaks/rules"
)

func nodeTextOK(t string) bool { _, ok := nodeTextFinding(t); return ok }

// nodeTextFinding checks the node count as typed: a whole number (the rules
// check its range), and not 0 (the rules refuse a given 0 too, and
// mergeFindings says it once). It reports ok when the text is such a number.
func nodeTextFinding(t string) (rules.Finding, bool) {
	n, err := strconv.Atoi(t)
	fd := rules.Finding{Code: rules.CodeNodeCount, Field: rules.FieldNodeCount, Severity: rules.SeverityError,
		Fix: fmt.Sprintf("Type a whole number from 1 to %d, such as 3, or clear the field for the default of %d.", rules.MaxPoolNodes, rules.DefaultNodeCount)}
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange):
		fd.Message = fmt.Sprintf("The node count %s is far more than AKS allows: at most %s in a node pool.", clipText(t), rules.Count(rules.MaxPoolNodes, "node"))
	case err != nil:
		fd.Message = fmt.Sprintf("The node count %q is not a whole number.", clipText(t))
	case n == 0:
		fd.Message = "The node count is 0; a cluster needs at least 1 node."
	default:
		return rules.Finding{}, true
	}
	return fd, false
}

func clipText(s string) string {
	if r := []rune(s); len(r) > 24 {
		return string(r[:24]) + "…"
	}
	return s
}

// mergeFindings puts the form's own findings before the rules', leaving out
// a form finding the rules also make on the same field with the same code,
// so one mistake is said once.
func mergeFindings(local, ruled rules.Findings) rules.Findings {
	out := rules.Findings{}
	for _, l := range local {
		dup := false
		for _, r := range ruled {
			dup = dup || (r.Code == l.Code && r.Field == l.Field && r.Severity == l.Severity && l.Field != rules.FieldTags)
		}
		if !dup {
			out = append(out, l)
		}
	}
	return append(out, ruled...)
}

// duplicateTags lists the tag names given on more than one line.
func duplicateTags(text string) []string {
	seen := map[string]int{}
	var dups []string
	for _, line := range strings.Split(text, "\n") {
		k, _, ok := strings.Cut(strings.TrimSpace(line), "=")
		if k = strings.TrimSpace(k); !ok || k == "" {
			continue
		}
		if seen[k]++; seen[k] == 2 {
			dups = append(dups, strconv.Quote(k))
		}
	}
	return dups
}

func parseTags(text string) (map[string]string, []string) {
	var tags map[string]string
	var bad []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			bad = append(bad, strconv.Quote(line))
			continue
		}
		if tags == nil {
			tags = map[string]string{}
		}
		tags[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return tags, bad
}

func tagsToText(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + tags[k] + "\n")
	}
	return b.String()
}
