package rules

// SortSmall sorts s by cmp, keeping the order of equal elements, by
// insertion. What the rules and the page sort (findings, versions,
// locations) holds tens of elements, where insertion is as fast as any; and
// slices.SortFunc and SortStableFunc link their own pdqsort or merge, 10 to
// 25 KB of WebAssembly for each element type, into the page (issue 13).
func SortSmall[T any](s []T, cmp func(a, b T) int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && cmp(s[j], s[j-1]) < 0; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
