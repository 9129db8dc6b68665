package proxy

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/amlaks/amlaks/rules"
)

// ParsePublicAddresses reads the addresses (host or host:port, comma
// separated) people reach amlaks at: a request whose Host is none of them is
// refused before anything runs, so a page on another name that resolves to
// amlaks (DNS rebinding) cannot use it. Empty s means the defaults of
// listen, the address amlaks listens on: that address itself and, when it
// is a loopback address, localhost, 127.0.0.1 and [::1] with its port. A
// listen address that is not loopback has no default: the operator names
// the public address.
func ParsePublicAddresses(s, listen string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		if err := checkHostPort(part); err != nil {
			return nil, fmt.Errorf("public address %q: %v; write host or host:port, such as amlaks.example.com or amlaks.example.com:8443", part, err)
		}
		out = append(out, part)
	}
	if len(out) > 0 {
		return out, nil
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", listen, err)
	}
	if !isLoopbackHost(host) {
		return nil, fmt.Errorf("amlaks listens on %q, which is not loopback: say with --public-address (AMLAKS_PUBLIC_ADDRESS) the host name people reach it at, such as amlaks.example.com; requests for any other Host are refused", listen)
	}
	out = append(out, strings.ToLower(net.JoinHostPort(host, port)))
	for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
		if a := net.JoinHostPort(h, port); a != out[0] {
			out = append(out, a)
		}
	}
	return out, nil
}

// checkHostPort accepts a DNS name or an IP address, with an optional port.
func checkHostPort(s string) error {
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	} else if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		host = s[1 : len(s)-1]
	}
	if port != "" {
		for _, r := range port {
			if r < '0' || r > '9' {
				return fmt.Errorf("the port %q is not a number", port)
			}
		}
		if len(port) > 5 {
			return fmt.Errorf("the port %q is too large", port)
		}
	}
	if ip := net.ParseIP(host); ip != nil {
		if strings.Contains(host, ":") && !strings.HasPrefix(s, "[") {
			return fmt.Errorf("an IPv6 address goes in brackets")
		}
		return nil
	}
	if host == "" || len(host) > 253 {
		return fmt.Errorf("the host name is empty or too long")
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%q is not a host name", host)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return fmt.Errorf("%q is not a host name", host)
			}
		}
	}
	return nil
}

// hostAllowed reports whether a request's Host is one of the public
// addresses. An address without a port allows its host on any port.
func (s *Server) hostAllowed(host string) bool {
	host = strings.ToLower(host)
	if host == "" || checkHostPort(host) != nil {
		return false
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	for _, a := range s.publicAddresses() {
		if a == host {
			return true
		}
		if _, _, err := net.SplitHostPort(a); err != nil && strings.Trim(a, "[]") == name {
			return true
		}
	}
	return false
}

// withHost refuses, before anything else runs, a request whose Host is not
// one of the configured public addresses (403).
func (s *Server) withHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) || (r.URL.Host != "" && !strings.EqualFold(r.URL.Host, r.Host)) {
			s.cfg.logger().Warn("request for another host refused", "host", clipLog(r.Host), "addr", r.RemoteAddr, "requestId", requestID(r))
			s.writeError(w, r, rules.Errorf(rules.ErrForbidden, "",
				"This amlaks answers only at its own address; open it by the address your platform team gave you."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// publicAddresses are the configured addresses, or the loopback names when
// none are: a proxy started without the setting serves only the person at
// the keyboard, never a rebound name.
func (s *Server) publicAddresses() []string {
	if len(s.cfg.PublicAddresses) > 0 {
		return s.cfg.PublicAddresses
	}
	return []string{"localhost", "127.0.0.1", "[::1]"}
}

// clipLog keeps a request-derived value short and printable for a log line.
func clipLog(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(s) > 100 {
		s = strings.ToValidUTF8(s[:100], "") + "…"
	}
	return s
}
