// Package exportcheck holds the checks of amlaks's exports with the tools'
// own parsers (HashiCorp's HCL parser for Terraform), which rules itself
// may not import: rules uses the standard library only. It has no code
// outside its tests.
package exportcheck
