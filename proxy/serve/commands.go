//go:build !(js && wasm)

package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/armemu"
	"github.com/amlaks/amlaks/proxy/azure"
	"github.com/amlaks/amlaks/rules"
)

const usage = `amlaks creates or attaches AKS inference clusters for Azure ML workspaces.

Usage:
  amlaks serve [flags]             serve the page and the JSON API
  amlaks emulator [flags]          run the built-in ARM emulator on its own, over HTTPS, for
                                   several proxies to share (serve --emulator-url)
  amlaks validate FILE.json        check a request file with the same rules (exit 1 on errors);
                                   --server URL or --azure MODE for the checks that need Azure
  amlaks versions --location LOC   print the Kubernetes versions of a location

Run "amlaks COMMAND -h" for a command's flags.
`

// Command runs the amlaks command line (args without the program name) until
// ctx ends or the command finishes, and returns the exit code: 0, 1 for
// findings of validate, 2 for an error (written to stderr).
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], stderr)
	case "emulator":
		err = runEmulator(ctx, args[1:], os.Getenv, stdout, stderr)
	case "validate":
		var exit int
		if exit, err = proxy.ValidateWith(ctx, args[1:], stdout, proxy.ValidateEnv{Open: validateBackend}); err == nil && exit != 0 {
			return exit
		}
	case "versions":
		err = runVersions(ctx, args[1:], stdout)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("unknown command %q\n\n%s", args[0], usage)
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "amlaks:", err)
		return 2
	}
	return 0
}

// runServe is `amlaks serve`: it serves until ctx ends.
func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := ParseConfig(args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	m := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(stderr, nil))}
	if err := m.Run(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-waitChan(m.Wait):
	}
	if err := m.Close(); err != nil {
		return err
	}
	return m.Wait()
}

// runEmulator is `amlaks emulator`: the ARM emulator on its own until ctx
// ends. Its first line on out is the emulator's URL, for a test or script to
// read; the certificate to trust goes to --cert-file.
func runEmulator(ctx context.Context, args []string, getenv func(string) string, out, stderr io.Writer) error {
	var addr, certFile, hosts string
	table := append([]option{
		{"addr", "AMLAKS_EMULATOR_ADDR", "127.0.0.1:8443", "address to listen on, host:port; port 0 picks a free one", func(_ *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return errors.New("must be host:port, such as 127.0.0.1:8443")
			}
			addr = v
			return nil
		}},
		{"cert-file", "AMLAKS_EMULATOR_CERT_FILE", "", "file the emulator's self-signed certificate (PEM) is written to, for serve --emulator-ca", func(_ *Config, v string) error { certFile = v; return nil }},
		{"cert-hosts", "AMLAKS_EMULATOR_CERT_HOSTS", "", "comma-separated extra DNS names or IPs the certificate is valid for, beside the listen host and loopback", func(_ *Config, v string) error { hosts = v; return nil }},
	}, optionsNamed("emulator-create", "emulator-attach", "emulator-update", "emulator-extension")...) // serve's own durations
	var c Config
	if err := parseOptions("emulator", table, &c, args, getenv, stderr); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	emu := armemu.New(armemu.Options{CreateDuration: c.EmulatorCreate, AttachDuration: c.EmulatorAttach, UpdateDuration: c.EmulatorUpdate, DeleteDuration: c.EmulatorUpdate, ExtensionDuration: c.EmulatorExtension})
	var extra []string
	for _, h := range strings.Split(hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			extra = append(extra, h)
		}
	}
	srv, err := armemu.Listen(addr, emu, extra, slog.NewLogLogger(logger.Handler(), slog.LevelDebug))
	if err != nil {
		return err
	}
	defer srv.Close()
	if certFile != "" {
		if err := os.WriteFile(certFile, srv.CertPEM, 0o644); err != nil {
			return fmt.Errorf("--cert-file: %w", err)
		}
	}
	fmt.Fprintln(out, srv.URL)
	logger.Info("ARM emulator is ready", "url", srv.URL, "certFile", certFile, "subscription", armemu.SubscriptionID)
	select {
	case <-ctx.Done():
		return nil
	case <-waitChan(srv.Wait):
		return srv.Wait()
	}
}

// waitChan runs wait in a goroutine and closes the channel when it returns.
func waitChan(wait func() error) <-chan struct{} {
	c := make(chan struct{})
	go func() { _ = wait(); close(c) }()
	return c
}

// runVersions is `amlaks versions`: the Kubernetes versions of a location,
// from the backend serve would use.
func runVersions(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("versions", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	location := fs.String("location", "", "Azure region, such as eastus")
	fs.StringVar(location, "l", "", "short for --location")
	var c Config
	for _, o := range options {
		switch o.name {
		case "azure", "subscription", "emulator-url", "emulator-ca", "emulator-create", "emulator-attach", "emulator-update", "emulator-extension":
		default:
			continue
		}
		_ = o.set(&c, o.def)
		if v := os.Getenv(o.env); v != "" {
			if err := o.set(&c, v); err != nil {
				return fmt.Errorf("%s=%q (the variable of --%s) %v", o.env, v, o.name, err)
			}
		}
		fs.Func(o.name, o.usage+" (env "+o.env+")", func(v string) error { return o.set(&c, v) })
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(out)
			fmt.Fprintln(out, "Usage: amlaks versions --location LOCATION [flags]")
			fs.PrintDefaults()
			return err
		}
		return flagError(err)
	}
	if *location == "" {
		return errors.New("usage: amlaks versions --location LOCATION")
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	m := &Main{Config: c, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), metrics: newMetrics()}
	defer m.Close()
	if err := m.openBackend(ctx); err != nil {
		return err
	}
	sub := c.Subscription
	if sub == "" && m.Backend == azure.BackendEmulator {
		sub = armemu.SubscriptionID
	}
	vs, err := m.AzureClient.KubernetesVersions(ctx, sub, strings.ToLower(*location))
	if err != nil {
		return err
	}
	fmt.Fprint(out, rules.VersionsTable(vs))
	return nil
}
