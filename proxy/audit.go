package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/amlaks/amlaks/rules"
)

// AuditEntry is one line of the audit log: one attempt to change something,
// accepted or refused. It never holds a secret: no certificate, no key, no
// request body.
type AuditEntry struct {
	Time      string `json:"time"`   // RFC 3339, UTC
	Who       string `json:"who"`    // the signed-in user; empty when nobody is
	Via       string `json:"via"`    // oauth2-proxy, app-service or none
	Addr      string `json:"addr"`   // the connection's IP address
	Action    string `json:"action"` // create, attach, scale, detach or cleanup
	Workspace string `json:"workspace,omitempty"`
	Name      string `json:"name,omitempty"`
	Cluster   string `json:"cluster,omitempty"` // the attach target's resource ID
	NodeCount int    `json:"nodeCount,omitempty"`
	RequestID string `json:"requestId"`
	Result    string `json:"result"`          // accepted or refused
	Code      string `json:"code,omitempty"`  // the error code of a refusal
	Field     string `json:"field,omitempty"` // the field a refusal is about
	Reason    string `json:"reason,omitempty"`
}

// auditLog writes entries as JSON lines, one Write per line, in order.
type auditLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (a *auditLog) write(e AuditEntry) error {
	line, err := json.Marshal(scrubEntry(e))
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err = a.w.Write(append(line, '\n'))
	return err
}

// scrubEntry blanks any text that looks like PEM or key material, should a
// person have pasted a certificate in a name or a message echo one; replaces
// control and invisible format characters, which JSON does not always escape
// (DEL, C1, bidi overrides), so a reader's terminal shows what was sent; and
// clips every value to its field's cap, so one line stays under
// maxAuditLine bytes whatever the request held.
func scrubEntry(e AuditEntry) AuditEntry {
	for _, f := range []struct {
		s   *string
		max int
	}{
		{&e.Who, 256}, {&e.Via, 16}, {&e.Addr, 64}, {&e.Action, 16}, {&e.Workspace, 256}, {&e.Name, 64},
		{&e.Cluster, 256}, {&e.RequestID, 32}, {&e.Result, 16}, {&e.Code, 32}, {&e.Field, 64}, {&e.Reason, 320},
	} {
		s := f.s
		if looksSecret(*s) {
			*s = "[redacted]"
		}
		*s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
				return '\uFFFD'
			}
			return r
		}, *s)
		if len(*s) > f.max {
			*s = strings.ToValidUTF8((*s)[:f.max], "") + "…"
		}
	}
	return e
}

// maxAuditLine is the most one audit line can take, in bytes: the sum of the
// caps of scrubEntry, with JSON's escapes (at most 6 bytes a byte), the
// field names and the node count.
const maxAuditLine = 6*(256+16+64+16+256+64+256+32+16+32+64+320+12*3) + 256

func looksSecret(s string) bool {
	u := strings.ToUpper(s)
	return strings.Contains(u, "-----BEGIN") || strings.Contains(u, "PRIVATE KEY") || strings.Contains(u, "CERTIFICATE-----")
}

const auditKey ctxKey = 120 // apart from identityKey and identityErrKey

// auditOf returns the entry being filled for this request, or a throwaway.
func auditOf(r *http.Request) *AuditEntry {
	if e, ok := r.Context().Value(auditKey).(*AuditEntry); ok {
		return e
	}
	return &AuditEntry{}
}

// auditTarget records what a change is about.
func auditTarget(r *http.Request, action string, ws rules.WorkspaceRef, name string) {
	e := auditOf(r)
	if action != "" {
		e.Action = action
	}
	if !ws.IsZero() {
		e.Workspace = ws.ID()
	}
	e.Name = name
}

// change wraps a handler that changes something in Azure: it refuses
// anonymous callers (401) and callers over their rate (429), and writes one
// audit line with the outcome, whatever it is.
func (s *Server) change(action string, h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := IdentityFrom(r.Context())
		// Counted by address first, anonymous or not, and not audited when
		// over: a flood of attempts cannot flood the audit log.
		if err := s.writes.allow(addressKey(id.clientKey()), s.cfg.now()); err != nil {
			s.cfg.logger().Debug("change refused by the address limit", "addr", id.Addr, "requestId", requestID(r))
			return err
		}
		entry := &AuditEntry{
			Time: s.cfg.now().UTC().Format(time.RFC3339), Who: id.User, Via: id.Via, Addr: id.Addr,
			Action: action, RequestID: requestID(r),
		}
		if r.PathValue("ws") != "" {
			ws, _ := workspaceRef(r)
			entry.Workspace, entry.Name = ws.ID(), r.PathValue("name")
		}
		r = r.WithContext(context.WithValue(r.Context(), auditKey, entry))
		err := s.requireIdentity(r)
		if err == nil {
			if s.cfg.SharedLimits != nil {
				err = s.limiter.allowShared(r.Context(), s.cfg.SharedLimits, id.key(), s.cfg.now())
			} else {
				err = s.limiter.allow(id.key(), s.cfg.now())
			}
		}
		if err == nil {
			err = h(w, r)
		}
		entry.Result = "accepted"
		if err != nil {
			entry.Result, entry.Code = "refused", string(rules.ErrInternal)
			var e *rules.Error
			if errors.As(err, &e) {
				entry.Code, entry.Field, entry.Reason = string(e.Code), e.Field, e.Message
			} else if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				entry.Code = string(rules.ErrUnavailable)
			}
		}
		if werr := s.audit.write(*entry); werr != nil {
			s.cfg.logger().Error("audit log write failed", "err", werr, "requestId", entry.RequestID)
		}
		return err
	}
}
