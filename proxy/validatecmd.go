package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/amlaks/amlaks/rules"
)

// Exit codes of `amlaks validate`.
const (
	// ValidateOK: no error finding (and, under --strict, every check ran).
	ValidateOK = 0
	// ValidateFailed: an error finding, a refusal by the proxy, or under
	// --strict a check that could not run offline.
	ValidateFailed = 1
)

const validateUsage = "usage: amlaks validate [--server URL | --azure auto|emulator|azure] [--strict] [--policy FILE] FILE.json"

// ValidateEnv is what `amlaks validate` needs from the program that runs it.
type ValidateEnv struct {
	// Open returns the Azure adapter for --azure MODE (auto, emulator or
	// azure) and a func that stops what it started. Nil means --azure is
	// not available.
	Open func(ctx context.Context, mode string) (Azure, func(), error)
	// HTTPClient asks the proxy of --server; nil means a client with a
	// one-minute timeout.
	HTTPClient *http.Client
	// Now is the clock certificates are checked against; nil means time.Now.
	Now func() time.Time
}

// ValidateCommand runs `amlaks validate` with no Azure backend of its own
// (--server and offline); ValidateWith also takes --azure.
func ValidateCommand(ctx context.Context, args []string, out io.Writer) (exit int, err error) {
	return ValidateWith(ctx, args, out, ValidateEnv{})
}

// ValidateWith runs `amlaks validate FILE.json`: it checks the request in
// the file and prints one line per finding. Where the facts come from:
//
//   - --server URL posts the request to a running proxy's /api/validate,
//     so the findings are the proxy's own;
//   - --azure MODE fetches the facts itself, as the proxy does
//     (gatherFacts), and runs the same rules;
//   - neither: offline, with no facts. The checks that need facts from Azure
//     (rules.NeedsAzure) cannot run; they are listed, and --strict makes
//     that a failure.
//
// exit is ValidateFailed when a finding is an error; err is for a command
// that could not run (bad flags, unreadable file, proxy unreachable).
func ValidateWith(ctx context.Context, args []string, out io.Writer, env ValidateEnv) (exit int, err error) {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	server := fs.String("server", "", "the URL of a running amlaks proxy, such as http://localhost:8080: its /api/validate answers")
	mode := fs.String("azure", "", "fetch the facts from Azure as the proxy does: auto, emulator or azure")
	strict := fs.Bool("strict", false, "offline, fail when a check could not run for lack of facts from Azure")
	policyFile := fs.String("policy", os.Getenv("AMLAKS_POLICY"), "the platform team's policy file (env AMLAKS_POLICY); with --server the proxy's own policy applies")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(out, validateUsage)
			fs.SetOutput(out)
			fs.PrintDefaults()
			return ValidateOK, nil
		}
		return ValidateFailed, fmt.Errorf("%v\n%s", err, validateUsage)
	}
	if fs.NArg() != 1 {
		return ValidateFailed, errors.New(validateUsage)
	}
	if *server != "" && *mode != "" {
		return ValidateFailed, errors.New("--server and --azure both say where the facts come from: give one")
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return ValidateFailed, err
	}
	req, err := rules.DecodeRequest(data)
	if err != nil {
		return ValidateFailed, fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	var policy *rules.Policy
	if *policyFile != "" && *server == "" {
		p, err := os.ReadFile(*policyFile)
		if err != nil {
			return ValidateFailed, err
		}
		if policy, err = rules.ParsePolicy(p); err != nil {
			return ValidateFailed, fmt.Errorf("policy %s: %w", *policyFile, err)
		}
	}
	now := env.Now
	if now == nil {
		now = time.Now
	}

	var findings rules.Findings
	var skipped []string
	switch {
	case *server != "":
		var refusal *rules.Error
		findings, refusal, err = validateOnServer(ctx, env.HTTPClient, *server, data)
		if err != nil {
			return ValidateFailed, err
		}
		if refusal != nil {
			printFindings(out, refusal.Findings)
			fmt.Fprintf(out, "refused by %s: %s (%s)\n", *server, refusal.Message, refusal.Code)
			return ValidateFailed, nil
		}
	case *mode != "":
		if env.Open == nil {
			return ValidateFailed, errors.New("--azure is not available in this build: use --server URL")
		}
		az, stop, err := env.Open(ctx, *mode)
		if err != nil {
			return ValidateFailed, err
		}
		defer stop()
		s := New(Config{Policy: policy, Now: now}, az, nil)
		facts, err := s.gatherFacts(ctx, req)
		if err != nil {
			return ValidateFailed, fmt.Errorf("reading the facts from Azure: %w", err)
		}
		findings = rules.Validate(req, facts)
	default:
		findings = rules.Validate(req, rules.Facts{Policy: policy, Now: now()})
		skipped = OfflineSkipped(req)
	}
	printFindings(out, findings)
	if len(findings) == 0 {
		fmt.Fprintln(out, "no findings")
	}
	if len(skipped) > 0 {
		fmt.Fprintf(out, "not checked offline, for lack of facts from Azure: %s\n", strings.Join(skipped, " "))
		fmt.Fprintln(out, "  (VM sizes came from the built-in catalog; use --server URL or --azure auto to run every check)")
	}
	if findings.HasErrors() || (*strict && len(skipped) > 0) {
		return ValidateFailed, nil
	}
	return ValidateOK, nil
}

// OfflineSkipped lists the codes of the rules that need facts from Azure
// (rules.NeedsAzure) for the request's compute kind: the checks an offline
// validation cannot run.
func OfflineSkipped(req rules.Request) []string {
	kind := req.Kind
	if kind == "" {
		kind = rules.KindAKS
	}
	var out []string
	for _, r := range rules.Rules {
		if r.Needs == rules.NeedsAzure && (r.Kind == "" || r.Kind == kind) {
			out = append(out, r.Code)
		}
	}
	return out
}

// validateOnServer posts the request as it is in the file to the proxy's
// /api/validate. A refusal (an error body) is returned as the proxy's error.
func validateOnServer(ctx context.Context, client *http.Client, server string, body []byte) (rules.Findings, *rules.Error, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, fmt.Errorf("--server %q must be an http:// or https:// URL, such as http://localhost:8080", server)
	}
	u = u.JoinPath(rules.PathValidate)
	if client == nil {
		client = &http.Client{Timeout: time.Minute}
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, nil, fmt.Errorf("asking %s: %w", server, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the answer of %s: %w", server, err)
	}
	if resp.StatusCode == http.StatusOK {
		var ok rules.FindingsBody
		if err := json.Unmarshal(data, &ok); err != nil {
			return nil, nil, fmt.Errorf("%s answered %d with no findings: is it an amlaks proxy?", server, resp.StatusCode)
		}
		return ok.Findings, nil, nil
	}
	var e struct {
		Error *rules.Error `json:"error"`
	}
	if json.Unmarshal(data, &e) != nil || e.Error == nil || e.Error.Message == "" {
		return nil, nil, fmt.Errorf("%s answered HTTP %d: is it an amlaks proxy?", server, resp.StatusCode)
	}
	return nil, e.Error, nil
}

func printFindings(out io.Writer, fs rules.Findings) {
	for _, f := range fs {
		line := fmt.Sprintf("%-7s %-3s %-28s %s", f.Severity, f.Code, f.Field, f.Message)
		if f.Fix != "" {
			line += " Fix: " + f.Fix
		}
		fmt.Fprintln(out, line)
	}
}
