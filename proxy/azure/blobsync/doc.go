// Package blobsync lets the replicas of amlaks agree through one Azure Blob
// Storage container: write locks are blob leases (Lock), and small shared
// records, such as the per-person change limit, are blob metadata changed
// only under an ETag condition (Update). Both are Azure Storage's own
// guarantees, used through the official azblob client; nothing here keeps
// state of its own that another replica would need.
//
// A lease lasts Options.Lease (15 to 60 seconds) and is renewed while its
// holder runs, so a replica that is killed while holding one lets the others
// go on once it expires.
//
// The package is server-only: azblob does not build for js/wasm.
package blobsync
