//go:build noexports

package rules

// ExportsAvailable reports whether this build writes the exports. This one,
// the page's (tag noexports), does not: the proxy writes them (ExportsFor,
// POST /api/exports) and the page shows its answer.
const ExportsAvailable = false
