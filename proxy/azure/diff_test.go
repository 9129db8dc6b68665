package azure_test

import (
	"encoding/json"
	"reflect"
	"strings"
)

// diff returns "" when want and got are deeply equal, else a line diff of
// their JSON forms, "-" for want and "+" for got, like cmp.Diff.
func diff(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	a, b := jsonLines(want), jsonLines(got)
	// Longest common subsequence of lines.
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out.WriteString("  " + a[i] + "\n")
			i++
			j++
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			out.WriteString("+ " + b[j] + "\n")
			j++
		default:
			out.WriteString("- " + a[i] + "\n")
			i++
		}
	}
	if s := out.String(); strings.Contains(s, "\n- ") || strings.Contains(s, "\n+ ") ||
		strings.HasPrefix(s, "- ") || strings.HasPrefix(s, "+ ") {
		return s
	}
	return "values differ in a way JSON does not show (nil versus empty?)"
}

// jsonLines renders v as indented JSON lines.
func jsonLines(v any) []string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return []string{"<" + err.Error() + ">"}
	}
	return strings.Split(string(b), "\n")
}
