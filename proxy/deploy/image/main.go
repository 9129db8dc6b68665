//go:build !(js && wasm)

// Command image builds amlaks's container image without a Docker daemon:
// the static amlaks binary (the page embedded) on an empty base, with the
// machine's CA certificates and an /etc/passwd naming the non-root user
// 65532, run as that user, its entrypoint `amlaks serve`. It writes one
// tarball that is both an OCI image layout (oci-layout, index.json,
// blobs/sha256/…: what registries, crane, skopeo and podman read) and a
// Docker archive (manifest.json over the same blobs: what every `docker
// load` reads, the classic image store included), the way `docker save`
// has written it since Docker 25.
//
//	go run ./proxy/deploy/image --binary bin/amlaks-linux-amd64 --out bin/amlaks-image.tar \
//	    --version v1.2.3 --revision $(git rev-parse HEAD)
package main

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The image's fixed facts.
const (
	BinaryPath = "/usr/local/bin/amlaks"
	CAPath     = "/etc/ssl/certs/ca-certificates.crt" // where Go's crypto/x509 looks first on Linux
	UID        = 65532                                // distroless's "nonroot"
	Port       = "8080/tcp"
)

// Options are what one image is built from.
type Options struct {
	Binary   string // the static linux binary
	CA       string // the CA bundle to copy in
	Arch     string // GOARCH of the binary: amd64, arm64
	Version  string
	Revision string
	Source   string
	Created  time.Time // the layers' and the config's time (reproducible builds: SOURCE_DATE_EPOCH)
}

func main() {
	var o Options
	out := flag.String("out", "bin/amlaks-image.tar", "the tarball to write")
	tag := flag.String("tag", "", "the image name and tag the archive carries (default amlaks:VERSION)")
	flag.StringVar(&o.Binary, "binary", "bin/amlaks-linux-amd64", "the static amlaks binary (CGO_ENABLED=0 GOOS=linux)")
	flag.StringVar(&o.CA, "ca", CAPath, "the CA certificates bundle to put at "+CAPath)
	flag.StringVar(&o.Arch, "arch", "amd64", "the binary's GOARCH")
	flag.StringVar(&o.Version, "version", "dev", "org.opencontainers.image.version")
	flag.StringVar(&o.Revision, "revision", "", "org.opencontainers.image.revision (the git commit)")
	flag.StringVar(&o.Source, "source", "https://github.com/amlaks/amlaks", "org.opencontainers.image.source")
	flag.Parse()
	o.Created = time.Unix(0, 0).UTC()
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		var sec int64
		if _, err := fmt.Sscan(s, &sec); err != nil {
			fail(fmt.Errorf("SOURCE_DATE_EPOCH %q: want seconds since 1970", s))
		}
		o.Created = time.Unix(sec, 0).UTC()
	}
	if *tag == "" {
		*tag = "amlaks:" + strings.TrimPrefix(o.Version, "v")
	}
	img, err := Build(o)
	if err != nil {
		fail(err)
	}
	f, err := os.Create(*out)
	if err != nil {
		fail(err)
	}
	if err := WriteArchive(f, img, *tag); err != nil {
		fail(err)
	}
	if err := f.Close(); err != nil {
		fail(err)
	}
	d, _ := img.Digest()
	fmt.Printf("%s: %s, %s\n", *out, *tag, d)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "image:", err)
	os.Exit(1)
}

// checkStatic refuses what an empty base cannot run: anything but a linux
// ELF executable of arch without a dynamic loader (cgo, a libc).
func checkStatic(bin []byte, arch string) error {
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		return fmt.Errorf("--binary is not a Linux executable (%v): build it with CGO_ENABLED=0 GOOS=linux", err)
	}
	want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]
	if want == 0 || f.Machine != want {
		return fmt.Errorf("--binary is for %s, not --arch %s: build it with GOARCH=%s", f.Machine, arch, arch)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return errors.New("--binary is dynamically linked, and the image has no libc: build it with CGO_ENABLED=0")
		}
	}
	return nil
}

// file is one entry of a layer.
type file struct {
	name string
	mode int64
	data []byte
	dir  bool
}

// layer is a tar of files owned by root, none writable by the user the
// image runs as, at one time.
func layer(created time.Time, files ...file) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	seen := map[string]bool{}
	for _, f := range files {
		for d := path.Dir(f.name); d != "." && d != "/" && !seen[d]; d = path.Dir(d) {
			seen[d] = true
		}
	}
	dirs := slices.Sorted(maps.Keys(seen)) // parents before children
	for _, d := range dirs {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimPrefix(d, "/") + "/", Mode: 0o755, ModTime: created, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
	}
	for _, f := range files {
		h := &tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(f.name, "/"), Mode: f.mode, Size: int64(len(f.data)), ModTime: created, Format: tar.FormatPAX}
		if f.dir {
			h = &tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimPrefix(f.name, "/") + "/", Mode: f.mode, ModTime: created, Format: tar.FormatPAX}
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, tarball.WithMediaType(types.OCILayer))
}

// Build makes the image on an empty base: a layer with /etc/passwd,
// /etc/group and the CA certificates, and a layer with the binary. There is
// no shell, no package manager and no /tmp: amlaks writes no file (the
// audit log goes to standard error unless --audit names a file), so the
// root file system can be mounted read-only.
func Build(o Options) (v1.Image, error) {
	bin, err := os.ReadFile(o.Binary)
	if err != nil {
		return nil, fmt.Errorf("--binary: %w (make image builds it)", err)
	}
	if err := checkStatic(bin, o.Arch); err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(o.CA)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w (Debian's ca-certificates package provides %s)", err, CAPath)
	}
	if !bytes.Contains(ca, []byte("-----BEGIN CERTIFICATE-----")) {
		return nil, fmt.Errorf("--ca %s holds no PEM certificate", o.CA)
	}
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", UID, UID)
	group := fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", UID)
	base, err := layer(o.Created,
		file{name: "/etc/passwd", mode: 0o444, data: []byte(passwd)},
		file{name: "/etc/group", mode: 0o444, data: []byte(group)},
		file{name: CAPath, mode: 0o444, data: ca},
	)
	if err != nil {
		return nil, err
	}
	app, err := layer(o.Created, file{name: BinaryPath, mode: 0o555, data: bin})
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON), base, app)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", o.Arch
	cf.Created = v1.Time{Time: o.Created}
	cf.Config = v1.Config{
		Entrypoint:   []string{BinaryPath, "serve"},
		User:         fmt.Sprintf("%d:%d", UID, UID),
		WorkingDir:   "/",
		Env:          []string{"AMLAKS_ADDR=0.0.0.0:8080"},
		ExposedPorts: map[string]struct{}{Port: {}},
		Labels: map[string]string{
			"org.opencontainers.image.source":   o.Source,
			"org.opencontainers.image.version":  o.Version,
			"org.opencontainers.image.revision": o.Revision,
			"org.opencontainers.image.title":    "amlaks",
		},
	}
	return mutate.ConfigFile(img, cf)
}

// WriteArchive writes img as an OCI image layout and, over the same blobs,
// a Docker archive manifest, in one tar.
func WriteArchive(w io.Writer, img v1.Image, tag string) error {
	tw := tar.NewWriter(w)
	put := func(name string, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o444, Size: int64(len(data)), ModTime: time.Unix(0, 0), Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	blob := func(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }
	manifest, err := img.RawManifest()
	if err != nil {
		return err
	}
	mdigest, err := img.Digest()
	if err != nil {
		return err
	}
	config, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	cdigest, err := img.ConfigName()
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	ref := tag
	if i := strings.LastIndex(tag, ":"); i >= 0 && !strings.Contains(tag[i:], "/") {
		ref = tag[i+1:]
	}
	index := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: []v1.Descriptor{{
		MediaType: types.OCIManifestSchema1, Digest: mdigest, Size: int64(len(manifest)),
		Annotations: map[string]string{
			"org.opencontainers.image.ref.name": ref,
			"io.containerd.image.name":          tag,
		},
	}}}
	indexJSON, err := json.Marshal(index)
	if err != nil {
		return err
	}
	docker := []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}{{Config: blob(cdigest), RepoTags: []string{tag}}}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		docker[0].Layers = append(docker[0].Layers, blob(d))
	}
	dockerJSON, err := json.Marshal(docker)
	if err != nil {
		return err
	}
	if err := put("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)); err != nil {
		return err
	}
	if err := put("index.json", indexJSON); err != nil {
		return err
	}
	if err := put("manifest.json", dockerJSON); err != nil {
		return err
	}
	if err := put(blob(mdigest), manifest); err != nil {
		return err
	}
	if err := put(blob(cdigest), config); err != nil {
		return err
	}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		rc, err := l.Compressed()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if err := put(blob(d), data); err != nil {
			return err
		}
	}
	return tw.Close()
}
