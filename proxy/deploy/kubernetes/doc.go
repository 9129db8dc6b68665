// Package kubernetes holds amlaks's Kubernetes manifests: a kustomize base
// and the dev and production overlays. Its test renders them as kustomize
// does and decodes every object strictly into the k8s.io/api types.
package kubernetes
