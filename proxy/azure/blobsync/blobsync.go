//go:build !(js && wasm)

package blobsync

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/lease"

	"github.com/amlaks/amlaks/rules"
)

// Lease lengths Azure Storage allows for a finite lease.
const (
	MinLease     = 15 * time.Second
	MaxLease     = 60 * time.Second
	DefaultLease = 15 * time.Second
	// DefaultContainer is the container's name when none is given.
	DefaultContainer = "amlaks"
)

// Options tune a Store; the zero value is the default.
type Options struct {
	// Lease is how long a lock outlives a holder that stopped renewing it
	// (killed, cut off): MinLease to MaxLease; zero means DefaultLease.
	Lease time.Duration
	// MaxWait bounds how long Lock waits for a key another holder has, when
	// the caller's context allows longer; zero means two leases and 10 s, so
	// a lock left by a killed replica is always outwaited.
	MaxWait time.Duration
	// Retry is the mean wait between two attempts at a held lease (it is
	// jittered); zero means 250 ms.
	Retry time.Duration
	// Logger receives lost leases and failed releases; nil means slog.Default().
	Logger *slog.Logger
}

// Store is one container that the replicas share.
type Store struct {
	c   *container.Client
	opt Options
}

// CheckLease says, naming the flag, why d is not a lease length Azure takes.
func CheckLease(d time.Duration) error {
	if d != 0 && (d < MinLease || d > MaxLease || d%time.Second != 0) {
		return fmt.Errorf("--lock-lease %s: Azure Storage leases last 15s to 60s, in whole seconds; say for example --lock-lease 15s", d)
	}
	return nil
}

// New returns the Store of container c, creating the container when it is
// missing (a replica without the right to create it needs it to exist).
func New(ctx context.Context, c *container.Client, opt Options) (*Store, error) {
	if err := CheckLease(opt.Lease); err != nil {
		return nil, err
	}
	if opt.Lease == 0 {
		opt.Lease = DefaultLease
	}
	if opt.MaxWait == 0 {
		opt.MaxWait = 2*opt.Lease + 10*time.Second
	}
	if opt.Retry == 0 {
		opt.Retry = 250 * time.Millisecond
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if _, err := c.Create(ctx, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		if _, perr := c.GetProperties(ctx, nil); perr != nil {
			return nil, fmt.Errorf("lock container %s: could neither create nor read it: %w", c.URL(), err)
		}
	}
	return &Store{c: c, opt: opt}, nil
}

// NewFromConnectionString is New for a storage connection string, such as
// Azurite's (development and tests).
func NewFromConnectionString(ctx context.Context, conn, containerName string, opt Options) (*Store, error) {
	c, err := container.NewClientFromConnectionString(conn, orDefault(containerName), nil)
	if err != nil {
		return nil, fmt.Errorf("--lock-connection-string: %w", err)
	}
	return New(ctx, c, opt)
}

// NewFromAccount is New for an account URL (https://ACCOUNT.blob.core.windows.net)
// and a credential, such as workload identity's; the identity needs the
// Storage Blob Data Contributor role on the container.
func NewFromAccount(ctx context.Context, accountURL, containerName string, cred azcore.TokenCredential, opt Options) (*Store, error) {
	if !strings.HasPrefix(accountURL, "https://") {
		return nil, fmt.Errorf("--lock-account %q: give the storage account's blob endpoint, such as https://ACCOUNT.blob.core.windows.net", accountURL)
	}
	c, err := container.NewClient(strings.TrimSuffix(accountURL, "/")+"/"+orDefault(containerName), cred, nil)
	if err != nil {
		return nil, fmt.Errorf("--lock-account: %w", err)
	}
	return New(ctx, c, opt)
}

// Settings say where the replicas' shared container is: an account URL
// (its credential is DefaultAzureCredential: workload identity in a pod, a
// managed identity on a VM, the Azure CLI on a laptop) or a connection string
// (Azurite). Neither: no shared store.
type Settings struct {
	Account          string // --lock-account
	ConnectionString string // --lock-connection-string
	Container        string // --lock-container; empty is DefaultContainer
	Options
}

// Check says, naming the flag, what is wrong with s before anything opens.
func (s Settings) Check() error {
	if s.Account != "" && s.ConnectionString != "" {
		return errors.New("--lock-account and --lock-connection-string name the lock storage twice: keep one")
	}
	if s.Account != "" && !strings.HasPrefix(s.Account, "https://") {
		return fmt.Errorf("--lock-account %q: give the storage account's blob endpoint, such as https://ACCOUNT.blob.core.windows.net", s.Account)
	}
	if s.Container != "" && !validContainer.MatchString(s.Container) {
		return fmt.Errorf("--lock-container %q: 3 to 63 lower-case letters, digits and single hyphens, starting with a letter or digit", s.Container)
	}
	return CheckLease(s.Lease)
}

var validContainer = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9]|-[a-z0-9]){2,62}$`)

// Open returns the Store s names, or nil (and no error) when it names none.
func Open(ctx context.Context, s Settings) (*Store, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	switch {
	case s.ConnectionString != "":
		return NewFromConnectionString(ctx, s.ConnectionString, s.Container, s.Options)
	case s.Account != "":
		cred, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, fmt.Errorf("--lock-account: no Azure credential for the lock storage: %w", err)
		}
		return NewFromAccount(ctx, s.Account, s.Container, cred, s.Options)
	}
	return nil, nil
}

func orDefault(name string) string {
	if name == "" {
		return DefaultContainer
	}
	return name
}

// URL is the container's address (no secret: a connection string's key is
// not in it), for the log.
func (s *Store) URL() string { return s.c.URL() }

// Ready says whether the container answers, for a readiness probe: a
// replica that cannot reach its locks cannot change anything.
func (s *Store) Ready(ctx context.Context) error {
	if _, err := s.c.GetProperties(ctx, nil); err != nil {
		return errors.New("the lock storage does not answer")
	}
	return nil
}

// blobName is where key lives: a hash, so that any key (it holds resource
// IDs, or a person's name) is a valid blob name and shows nothing.
func blobName(kind, key string) string {
	sum := sha256.Sum256([]byte(key))
	return kind + "/" + hex.EncodeToString(sum[:])
}

// errBusy is what a caller gets when another holder kept a key all along
// (a new value each time: callers may annotate their error).
func errBusy() error {
	return rules.Errorf(rules.ErrConflict, "", "Another change to this compute or cluster is still running (perhaps on another amlaks replica). Nothing was sent to Azure; wait for it to finish, then look at the list again before you retry.")
}

// Lock takes the lease of every key, in a fixed order so two holders of
// overlapping keys cannot wait on each other, and renews them until unlock.
// While another holder has a key it waits, at most Options.MaxWait, and then
// answers a conflict (a *rules.Error). held ends when ctx does, or when a
// lease is lost (it could not be renewed in time): the holder must stop.
func (s *Store) Lock(ctx context.Context, keys ...string) (held context.Context, unlock func(), err error) {
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	wait, cancelWait := s.waitContext(ctx)
	defer cancelWait()
	var leases []*lease.BlobClient
	release := func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		for _, l := range slices.Backward(leases) {
			if _, err := l.ReleaseLease(rctx, nil); err != nil {
				s.opt.Logger.Warn("lock lease not released; it expires on its own", "err", err)
			}
		}
	}
	for _, key := range keys {
		l, err := s.acquire(ctx, wait, key)
		if err != nil {
			release()
			return nil, nil, err
		}
		leases = append(leases, l)
	}
	held, lost := context.WithCancelCause(ctx)
	stop := make(chan struct{})
	var done sync.WaitGroup
	done.Go(func() { s.renew(held, lost, stop, leases) })
	return held, sync.OnceFunc(func() {
		close(stop)
		done.Wait()
		release()
		lost(nil)
	}), nil
}

// waitContext is ctx bounded by MaxWait and, when ctx has a deadline, by
// three seconds before it, so that a caller who waited in vain still gets a
// conflict in words before its own time runs out.
func (s *Store) waitContext(ctx context.Context) (context.Context, context.CancelFunc) {
	until := time.Now().Add(s.opt.MaxWait)
	if d, ok := ctx.Deadline(); ok && d.Add(-3*time.Second).Before(until) {
		until = d.Add(-3 * time.Second)
	}
	return context.WithDeadline(ctx, until)
}

// acquire takes key's lease, creating its blob on first use, and retries
// while another holder has it until wait ends.
func (s *Store) acquire(ctx, wait context.Context, key string) (*lease.BlobClient, error) {
	b := s.c.NewBlockBlobClient(blobName("locks", key))
	id := newID()
	l, err := lease.NewBlobClient(b, &lease.BlobClientOptions{LeaseID: &id})
	if err != nil {
		return nil, err
	}
	for {
		_, err := l.AcquireLease(ctx, int32(s.opt.Lease/time.Second), nil)
		switch {
		case err == nil:
			return l, nil
		case bloberror.HasCode(err, bloberror.BlobNotFound):
			if err := s.create(ctx, b, nil); err != nil {
				return nil, err
			}
			continue
		case !bloberror.HasCode(err, bloberror.LeaseAlreadyPresent):
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("lock lease: %w", err)
		}
		select {
		case <-time.After(jitter(s.opt.Retry)):
		case <-wait.Done():
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, errBusy()
		}
	}
}

// create makes an empty blob with metadata md unless one exists already
// (another replica may create it at the same moment; either one will do).
func (s *Store) create(ctx context.Context, b *blockblob.Client, md map[string]*string) error {
	_, err := b.Upload(ctx, streaming.NopCloser(bytes.NewReader(nil)), &blockblob.UploadOptions{
		Metadata:         md,
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: new(azcore.ETagAny)}},
	})
	if err != nil && !bloberror.HasCode(err, bloberror.BlobAlreadyExists, bloberror.ConditionNotMet, bloberror.LeaseIDMissing) {
		return fmt.Errorf("lock blob: %w", err)
	}
	return nil
}

// renew renews every lease a third of a lease apart until stop closes. If a
// lease is refused (lost to a break or to expiry) or cannot be renewed for
// as long as it lasts, held is cancelled.
func (s *Store) renew(held context.Context, lost context.CancelCauseFunc, stop <-chan struct{}, leases []*lease.BlobClient) {
	every := s.opt.Lease / 3
	last := time.Now()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-held.Done():
			return
		case <-t.C:
		}
		ok := true
		for _, l := range leases {
			rctx, cancel := context.WithTimeout(held, every)
			_, err := l.RenewLease(rctx, nil)
			cancel()
			if err == nil {
				continue
			}
			ok = false
			var re *azcore.ResponseError
			if errors.As(err, &re) && re.StatusCode < 500 && re.StatusCode != 408 && re.StatusCode != 429 {
				s.opt.Logger.Error("lock lease lost; stopping the change that held it", "err", err)
				lost(fmt.Errorf("lock lease lost: %w", err))
				return
			}
		}
		if ok {
			last = time.Now()
		} else if time.Since(last) >= s.opt.Lease-every/2 {
			s.opt.Logger.Error("lock lease not renewed in time; stopping the change that held it")
			lost(errors.New("lock lease not renewed in time"))
			return
		}
	}
}

// Update reads key's record, calls change and stores its answer under the
// ETag it read (If-None-Match * for a new record); when another replica
// stored first it reads again and calls change again.
func (s *Store) Update(ctx context.Context, key string, change func(old map[string]string) (map[string]string, error)) error {
	b := s.c.NewBlockBlobClient(blobName("state", key))
	for range 50 {
		var old map[string]string
		var etag *azcore.ETag
		props, err := b.GetProperties(ctx, nil)
		switch {
		case err == nil:
			etag = props.ETag
			old = map[string]string{}
			for k, v := range props.Metadata {
				if v != nil {
					old[strings.ToLower(k)] = *v
				}
			}
		case bloberror.HasCode(err, bloberror.BlobNotFound):
		default:
			return fmt.Errorf("shared record: %w", err)
		}
		next, err := change(old)
		if err != nil {
			return err
		}
		md := map[string]*string{}
		for k, v := range next {
			md[k] = &v
		}
		if etag == nil {
			_, err = b.Upload(ctx, streaming.NopCloser(bytes.NewReader(nil)), &blockblob.UploadOptions{
				Metadata:         md,
				AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: new(azcore.ETagAny)}},
			})
		} else {
			_, err = b.SetMetadata(ctx, md, &blob.SetMetadataOptions{
				AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: etag}},
			})
		}
		switch {
		case err == nil:
			return nil
		case bloberror.HasCode(err, bloberror.ConditionNotMet, bloberror.BlobAlreadyExists):
			select { // someone stored first: read their record
			case <-time.After(jitter(20 * time.Millisecond)):
			case <-ctx.Done():
				return ctx.Err()
			}
		default:
			return fmt.Errorf("shared record: %w", err)
		}
	}
	return errors.New("shared record: too many replicas wrote it at once")
}

// jitter is a wait between d/2 and 3d/2.
func jitter(d time.Duration) time.Duration {
	n, _ := rand.Int(rand.Reader, big.NewInt(int64(d)+1))
	return d/2 + time.Duration(n.Int64())
}

// newID is a random lease ID in the GUID form Azure wants.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// The records of the Azure ML v2 operations (proxy.V2Store): one JSON blob
// an operation, under v2ops/, written only under an ETag condition (If-Match
// the version last read, If-None-Match * for a new one), so two replicas
// never overwrite each other. The blob's metadata says whether the
// operation is unfinished, so that a starting replica lists those without
// reading every record. The records hold no secret: the proxy stores the
// request redacted, without the TLS certificate and key.

// Load returns key's record and its ETag; data is nil when there is none.
func (s *Store) Load(ctx context.Context, key string) ([]byte, string, error) {
	b := s.c.NewBlockBlobClient(blobName("v2ops", key))
	resp, err := b.DownloadStream(ctx, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("operation record: %w", err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return nil, "", fmt.Errorf("operation record: %w", err)
	}
	if resp.ETag == nil {
		return nil, "", errors.New("operation record: the storage gave no ETag")
	}
	return buf.Bytes(), string(*resp.ETag), nil
}

// Save stores data under key if its ETag is still version ("" when there
// is no record yet); saved is false when another replica stored first.
func (s *Store) Save(ctx context.Context, key string, data []byte, version string, running bool) (string, bool, error) {
	b := s.c.NewBlockBlobClient(blobName("v2ops", key))
	cond := &blob.ModifiedAccessConditions{IfNoneMatch: new(azcore.ETagAny)}
	if version != "" {
		etag := azcore.ETag(version)
		cond = &blob.ModifiedAccessConditions{IfMatch: &etag}
	}
	run := strconv.FormatBool(running)
	resp, err := b.Upload(ctx, streaming.NopCloser(bytes.NewReader(data)), &blockblob.UploadOptions{
		Metadata:         map[string]*string{"opkey": &key, "running": &run},
		HTTPHeaders:      &blob.HTTPHeaders{BlobContentType: new("application/json")},
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: cond},
	})
	switch {
	case bloberror.HasCode(err, bloberror.ConditionNotMet, bloberror.BlobAlreadyExists):
		return "", false, nil
	case err != nil:
		var re *azcore.ResponseError
		if errors.As(err, &re) && (re.StatusCode == 412 || re.StatusCode == 409) {
			return "", false, nil
		}
		return "", false, fmt.Errorf("operation record: %w", err)
	case resp.ETag == nil:
		return "", false, errors.New("operation record: the storage gave no ETag")
	}
	return string(*resp.ETag), true, nil
}

// Running returns the keys of the unfinished operations' records.
func (s *Store) Running(ctx context.Context) ([]string, error) {
	var out []string
	pager := s.c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: new("v2ops/"), Include: container.ListBlobsInclude{Metadata: true}})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("operation records: %w", err)
		}
		for _, it := range page.Segment.BlobItems {
			var key, running string
			for k, v := range it.Metadata {
				if v == nil {
					continue
				}
				switch strings.ToLower(k) {
				case "opkey":
					key = *v
				case "running":
					running = *v
				}
			}
			if key != "" && running == "true" {
				out = append(out, key)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}
