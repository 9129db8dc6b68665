//go:build !(js && wasm)

package main

import (
	"archive/tar"
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// mustStatic builds testdata/hello with CGO_ENABLED=0, as `make image`
// builds amlaks.
func mustStatic(tb testing.TB) string {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "hello")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./testdata/hello")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("build hello: %v\n%s", err, b)
	}
	return out
}

// mustArchive builds an image of bin and writes its tarball.
func mustArchive(tb testing.TB, bin string) string {
	tb.Helper()
	img, err := Build(Options{Binary: bin, CA: CAPath, Arch: runtime.GOARCH, Version: "v1.2.3", Revision: "0123abc", Source: "https://github.com/amlaks/amlaks", Created: time.Unix(0, 0)})
	if err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(tb.TempDir(), "image.tar")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	if err := WriteArchive(f, img, "amlaks:1.2.3"); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestImageTarball(t *testing.T) {
	if _, err := os.Stat(CAPath); err != nil {
		t.Skipf("no CA bundle on this machine: %v", err)
	}
	inspect(t, mustArchive(t, mustStatic(t)), "v1.2.3", "0123abc")
}

// TestRealImage inspects the tarball `make image` wrote (AMLAKS_IMAGE).
func TestRealImage(t *testing.T) {
	p := os.Getenv("AMLAKS_IMAGE")
	if p == "" {
		t.Skip("AMLAKS_IMAGE is not set: `make image` builds the image and runs this test on it")
	}
	files := inspect(t, p, "", "")
	if runtime.GOOS != "linux" {
		return
	}
	// Run the image's binary as the image would, as far as a test can
	// without a container runtime: from an empty directory, with only the
	// image's environment (its port moved to a free one on loopback) and its
	// entrypoint's argument. It must serve the page it embeds.
	dir := t.TempDir()
	bin := filepath.Join(dir, "amlaks")
	if err := os.WriteFile(bin, files[strings.TrimPrefix(BinaryPath, "/")].data, 0o555); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o555); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve", "--azure", "emulator")
	cmd.Dir, cmd.Env = empty, []string{"AMLAKS_ADDR=" + addr}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var wasm []byte
	for range 200 {
		resp, err := http.Get("http://" + addr + "/app.wasm")
		if err == nil {
			wasm, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
			wasm = nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !bytes.HasPrefix(wasm, []byte("\x00asm")) {
		t.Fatalf("the image's binary did not serve its embedded app.wasm from an empty directory:\n%s", logs.String())
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	resp.Body.Close()
}

// inspect reads the tarball both ways docker load and registries do and
// checks what the image promises.
func inspect(t *testing.T, archive, version, revision string) map[string]entry {
	t.Helper()
	// As a Docker archive (manifest.json): what docker load reads.
	dimg, err := tarball.ImageFromPath(archive, nil)
	if err != nil {
		t.Fatalf("as a docker archive: %v", err)
	}
	if err := validate.Image(dimg); err != nil {
		t.Fatalf("docker archive does not validate: %v", err)
	}
	// As an OCI image layout (index.json): what registries and OCI tools read.
	dir := t.TempDir()
	untar(t, archive, dir)
	for _, name := range []string{"oci-layout", "index.json", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("the tarball has no %s", name)
		}
	}
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("as an OCI layout: %v", err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) != 1 {
		t.Fatalf("OCI index: %v, %d manifests", err, len(im.Manifests))
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Fatalf("OCI image does not validate: %v", err)
	}
	oc, _ := img.ConfigName()
	dc, _ := dimg.ConfigName()
	if oc != dc {
		t.Errorf("the two views hold different configs: %s and %s", oc, dc)
	}
	mt, _ := img.MediaType()
	if !strings.Contains(string(mt), "oci") {
		t.Errorf("manifest media type %s, want OCI", mt)
	}

	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if got := strings.Join(c.Entrypoint, " "); got != BinaryPath+" serve" {
		t.Errorf("entrypoint %q, want %q", got, BinaryPath+" serve")
	}
	uid, _, _ := strings.Cut(c.User, ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		t.Errorf("user %q: want a numeric non-root UID (Kubernetes' runAsNonRoot checks it without /etc/passwd)", c.User)
	}
	if len(c.Volumes) != 0 {
		t.Errorf("volumes %v: amlaks needs no writable path", c.Volumes)
	}
	if cf.OS != "linux" || cf.Architecture == "" {
		t.Errorf("platform %s/%s", cf.OS, cf.Architecture)
	}
	for _, k := range []string{"org.opencontainers.image.source", "org.opencontainers.image.version", "org.opencontainers.image.revision"} {
		if c.Labels[k] == "" {
			t.Errorf("label %s missing", k)
		}
	}
	if version != "" && (c.Labels["org.opencontainers.image.version"] != version || c.Labels["org.opencontainers.image.revision"] != revision) {
		t.Errorf("labels %v, want version %s and revision %s", c.Labels, version, revision)
	}

	files := flatten(t, img)
	bin, ok := files[strings.TrimPrefix(BinaryPath, "/")]
	if !ok {
		t.Fatalf("no %s in the image", BinaryPath)
	}
	if bin.hdr.Mode&0o111 == 0 || bin.hdr.Mode&0o222 != 0 {
		t.Errorf("%s mode %o: want executable and not writable", BinaryPath, bin.hdr.Mode)
	}
	if err := checkStatic(bin.data, cf.Architecture); err != nil {
		t.Errorf("%s: %v", BinaryPath, err)
	}
	for name, f := range files {
		base := filepath.Base(name)
		if base == "sh" || base == "bash" || base == "busybox" || base == "ash" || strings.HasPrefix(name, "bin/") {
			t.Errorf("the image holds %s: no shell", name)
		}
		if f.hdr.Uid != 0 || f.hdr.Mode&0o002 != 0 {
			t.Errorf("%s is owned by %d with mode %o: the user the image runs as must not be able to change it", name, f.hdr.Uid, f.hdr.Mode)
		}
	}
	if p := string(files["etc/passwd"].data); !strings.Contains(p, ":"+uid+":") {
		t.Errorf("/etc/passwd names no user %s:\n%s", uid, p)
	}
	if ca := files[strings.TrimPrefix(CAPath, "/")].data; !bytes.Contains(ca, []byte("BEGIN CERTIFICATE")) {
		t.Errorf("no CA certificates at %s: amlaks could not reach Azure over TLS", CAPath)
	}
	return files
}

type entry struct {
	hdr  *tar.Header
	data []byte
}

// flatten is the image's file system, its layers applied in order.
func flatten(t *testing.T, img v1.Image) map[string]entry {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string]entry{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[strings.TrimSuffix(strings.TrimPrefix(h.Name, "/"), "/")] = entry{hdr: h, data: data}
	}
}

func untar(t *testing.T, archive, dir string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(p, dir+string(filepath.Separator)) {
			t.Fatalf("entry %q leaves the folder", h.Name)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBuildRefusesWhatScratchCannotRun: a dynamically linked binary (cgo,
// a libc the empty base lacks) or one for another arch is refused with the
// fix in words.
func TestBuildRefusesWhatScratchCannotRun(t *testing.T) {
	hello := mustStatic(t)
	other := map[string]string{"amd64": "arm64", "arm64": "amd64"}[runtime.GOARCH]
	for _, tc := range []struct {
		name, bin, arch, want string
	}{
		{"dynamic", "/bin/ls", runtime.GOARCH, "CGO_ENABLED=0"},
		{"not elf", "testdata/hello/main.go", runtime.GOARCH, "not a Linux executable"},
		{"other arch", hello, other, "GOARCH=" + other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(tc.bin); err != nil {
				t.Skip(err)
			}
			_, err := Build(Options{Binary: tc.bin, CA: CAPath, Arch: tc.arch})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Build = %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
