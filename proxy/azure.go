package proxy

import (
	"context"

	"github.com/amlaks/amlaks/rules"
)

// Azure is everything the proxy needs from Azure, in domain terms. The real
// implementation is proxy/azure (the official SDK), pointed either at Azure or
// at the built-in emulator (proxy/armemu). Every error it returns is a
// *rules.Error with plain words; raw SDK text never leaves it.
type Azure interface {
	// Workspaces lists the Azure ML workspaces the identity can see.
	Workspaces(ctx context.Context) ([]rules.Workspace, error)
	// Workspace reads one workspace, with its location.
	Workspace(ctx context.Context, ref rules.WorkspaceRef) (rules.Workspace, error)
	// Computes lists a workspace's computes of every type.
	Computes(ctx context.Context, ref rules.WorkspaceRef) ([]rules.Compute, error)
	// Compute reads one compute: its provisioning state, errors and times.
	// A compute that does not exist is a rules.ErrNotFound.
	Compute(ctx context.Context, ref rules.WorkspaceRef, name string) (rules.Compute, error)
	// Locations lists the regions of a subscription, with their pairs.
	Locations(ctx context.Context, subscription string) ([]rules.Location, error)
	// VMSizes lists the VM sizes available in a location, with cores and accelerators.
	VMSizes(ctx context.Context, subscription, location string) ([]rules.VMSize, error)
	// Quotas lists the subscription's vCPU quotas in a location, the
	// regional total and one per VM family, with what is in use (Q1).
	Quotas(ctx context.Context, subscription, location string) ([]rules.Quota, error)
	// KubernetesVersions lists the AKS versions of a location (K4).
	KubernetesVersions(ctx context.Context, subscription, location string) ([]rules.KubernetesVersion, error)
	// Clusters lists the AKS managed clusters of a subscription, with their pools.
	Clusters(ctx context.Context, subscription string) ([]rules.Cluster, error)
	// Cluster reads one managed cluster by resource ID.
	Cluster(ctx context.Context, id string) (rules.Cluster, error)
	// AMLRanges returns the AzureMachineLearning service-tag prefixes of a
	// region and of its paired region, and the name of the paired region.
	AMLRanges(ctx context.Context, subscription, location string) (ranges []string, paired string, err error)
	// SearchComputes finds, with one Azure Resource Graph query over every
	// visible subscription, the AKS and Kubernetes computes of every workspace
	// in location or whose resourceId is clusterID ("" for none) (N6, T4).
	SearchComputes(ctx context.Context, location, clusterID string) ([]rules.ComputeHit, error)
	// SubnetPrefixes reads the address prefixes of a create request's subnet
	// (V2). A subnet that does not exist is a rules.ErrNotFound.
	SubnetPrefixes(ctx context.Context, subscription, resourceGroup, vnet, subnet string) ([]string, error)
	// Provision sends the create or attach (a PUT of the compute) and returns
	// once Azure has accepted it; the operation goes on in Azure and is followed
	// with Compute. req is normalized and checked; for an attach its Target has
	// a full ResourceID.
	Provision(ctx context.Context, req rules.Request) error
	// Scale changes the node count of the compute's cluster (S1).
	Scale(ctx context.Context, ref rules.WorkspaceRef, name string, nodes int) error
	// Detach removes the compute from the workspace and keeps the cluster (O3).
	Detach(ctx context.Context, ref rules.WorkspaceRef, name string) error
	// Delete removes the compute and what Azure ML created for it. The proxy
	// asks it only to clean up after a create that failed.
	Delete(ctx context.Context, ref rules.WorkspaceRef, name string) error

	// The Azure ML v2 path (Kubernetes compute), kubernetes.go.

	// Extensions lists the cluster extensions of a cluster (X10).
	Extensions(ctx context.Context, cluster rules.ClusterRef) ([]rules.Extension, error)
	// Extension reads one extension of a cluster, with Azure's words when
	// it failed; one that does not exist is a rules.ErrNotFound.
	Extension(ctx context.Context, cluster rules.ClusterRef, name string) (rules.Extension, error)
	// InstallExtension sends the PUT of the Azure ML extension and returns
	// once Azure has accepted it. cfg.Protected goes to Azure only.
	InstallExtension(ctx context.Context, cluster rules.ClusterRef, cfg rules.ExtensionConfig) error
	// DeleteExtension sends the DELETE of an extension (cleanup).
	DeleteExtension(ctx context.Context, cluster rules.ClusterRef, name string) error
	// CreateCluster sends the PUT that creates an AKS cluster; a cluster of
	// that name that exists already is a rules.ErrConflict.
	CreateCluster(ctx context.Context, cluster rules.ClusterRef, body rules.ARMManagedCluster) error
	// DeleteCluster sends the DELETE of an AKS cluster (cleanup of a create).
	DeleteCluster(ctx context.Context, cluster rules.ClusterRef) error
	// ClusterFailure returns Azure's words on how the last create of the
	// cluster through this adapter failed, if it did; the managed cluster
	// itself says only "Failed".
	ClusterFailure(cluster rules.ClusterRef) []string
	// AttachKubernetes sends the PUT that attaches a cluster whose Azure ML
	// extension has Succeeded as a Kubernetes compute.
	AttachKubernetes(ctx context.Context, req rules.Request) error
	// RemoveLegacyFrontend removes a v1 AKS compute's azureml-fe from the
	// cluster (an AKS run command) and waits for it; the text is what the
	// command printed.
	RemoveLegacyFrontend(ctx context.Context, cluster rules.ClusterRef) (string, error)
}
