package proxy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/amlaks/amlaks/rules"
)

// AuthMode says how the proxy learns who is asking.
type AuthMode string

// The authentication modes.
const (
	// AuthNone trusts nobody's identity and lets anyone who reaches the
	// proxy change things. It is only allowed when the proxy listens on a
	// loopback address (see CheckListen): the person at the keyboard.
	AuthNone AuthMode = "none"
	// AuthHeader reads the identity an authenticating reverse proxy in front
	// of amlaks sets: oauth2-proxy's X-Forwarded-Email / X-Forwarded-User or
	// App Service Authentication's X-MS-CLIENT-PRINCIPAL. The headers are
	// believed only from the addresses in Config.TrustedProxies.
	AuthHeader AuthMode = "header"
)

// The identity headers read in AuthHeader mode.
const (
	HeaderPrincipal      = "X-MS-CLIENT-PRINCIPAL"
	HeaderForwardedEmail = "X-Forwarded-Email"
	HeaderForwardedUser  = "X-Forwarded-User"
)

// Caps on what an identity header may hold.
const (
	maxPrincipalHeader = 16 << 10 // base64 text of X-MS-CLIENT-PRINCIPAL
	maxUserName        = 256
)

// Identity is who sent a request, as far as the proxy knows.
type Identity struct {
	// User is the signed-in person (an email or a user name); empty when
	// nobody is signed in.
	User string `json:"user,omitempty"`
	// Via says where User came from: "oauth2-proxy", "app-service", or
	// "none" in AuthNone mode.
	Via string `json:"via,omitempty"`
	// Addr is the IP address of the connection.
	Addr string `json:"addr,omitempty"`
	// Client is the client's address: Addr, or the address a trusted proxy
	// forwarded for. Limits count by it.
	Client string `json:"client,omitempty"`
}

// key is what the rate limit counts by: the user, or the address when
// nobody is signed in.
func (id Identity) key() string {
	if id.User != "" {
		return "user:" + strings.ToLower(id.User)
	}
	return "addr:" + id.clientKey()
}

// clientKey is the client's address, or the connection's when unknown.
func (id Identity) clientKey() string {
	if id.Client != "" && id.Client != "invalid IP" {
		return id.Client
	}
	return id.Addr
}

const (
	identityKey ctxKey = 100 + iota
	identityErrKey
)

// IdentityFrom returns the identity the proxy found for a request.
func IdentityFrom(ctx context.Context) Identity {
	id, _ := ctx.Value(identityKey).(Identity)
	return id
}

// CheckListen refuses to serve with AuthNone on anything but a loopback
// address (127.0.0.0/8, ::1 or localhost): without authentication, anyone
// who reaches the port could create clusters with the proxy's Azure identity.
// AuthHeader needs at least one trusted proxy.
func CheckListen(mode AuthMode, addr string, trusted []netip.Prefix) error {
	switch mode {
	case AuthNone, "":
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("listen address %q: %w", addr, err)
		}
		if !isLoopbackHost(host) {
			return fmt.Errorf("--auth none serves anyone who can reach the port, so it may only listen on loopback (127.0.0.1, ::1 or localhost), not %q: use --auth header behind an authenticating proxy", addr)
		}
		return nil
	case AuthHeader:
		if len(trusted) == 0 {
			return errors.New("--auth header needs --trusted-proxies: the addresses of the authenticating proxy whose identity headers are believed")
		}
		return nil
	}
	return fmt.Errorf("--auth must be none or header, not %q", mode)
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback() && ip.Zone() == ""
}

// ParseTrustedProxies reads a comma-separated list of CIDRs or addresses
// ("10.0.0.0/8,127.0.0.1"). A range of every address (0.0.0.0/0, ::/0) is
// refused: it would let anyone claim to be anyone.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			ip, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not an IP address or CIDR", part)
			}
			out = append(out, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is not an IP address or CIDR", part)
		}
		if p.Addr().Is4In6() {
			if p.Bits() < 96 {
				return nil, fmt.Errorf("trusted proxy %q mixes IPv4 and IPv6: write the IPv4 range", part)
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		if p.Bits() == 0 {
			return nil, fmt.Errorf("trusted proxy %q would trust every address, so anyone could claim to be anyone", part)
		}
		p = p.Masked()
		if publicRange(p) && p.Bits() < map[bool]int{true: 8, false: 32}[p.Addr().Is4()] {
			return nil, fmt.Errorf("trusted proxy %q trusts a large part of the public Internet (a public range wider than /8 for IPv4 or /32 for IPv6): name the sign-in proxy's own addresses", part)
		}
		out = append(out, p)
	}
	// Together, the public ranges may not trust more than one /8 (IPv4) or
	// one /32 (IPv6): 0.0.0.0/1,128.0.0.0/1 is every address too.
	var v4, v6 float64
	for _, p := range out {
		if !publicRange(p) {
			continue
		}
		if p.Addr().Is4() {
			v4 += math.Pow(2, float64(32-p.Bits()))
		} else {
			v6 += math.Pow(2, float64(128-p.Bits()))
		}
	}
	if v4 > 1<<24 || v6 > math.Pow(2, 96) {
		return nil, errors.New("the trusted proxies together trust more public addresses than one /8 (IPv4) or /32 (IPv6), so anyone could claim to be anyone: name the sign-in proxy's own addresses")
	}
	return out, nil
}

// publicRange reports whether a range holds public addresses: it is not
// inside loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7),
// link-local or CGNAT (100.64/10) space.
func publicRange(p netip.Prefix) bool {
	for _, s := range []string{"127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "::1/128", "fc00::/7", "fe80::/10"} {
		q := netip.MustParsePrefix(s)
		if q.Addr().Is4() == p.Addr().Is4() && q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
			return false
		}
	}
	return true
}

// remoteAddr is the IP of the connection (never a forwarded header).
func remoteAddr(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err == nil {
		return ap.Addr().Unmap(), true
	}
	ip, err := netip.ParseAddr(r.RemoteAddr)
	return ip.Unmap(), err == nil
}

func (s *Server) trusted(ip netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// withIdentity finds who sent the request and puts it in the context. In
// AuthHeader mode the identity headers count only on connections from a
// trusted proxy; from anywhere else they are ignored (and logged), so a
// forged header changes nothing. From a trusted proxy only the header family
// of Config.IdentityHeader counts: a request that carries an identity header
// of another family, or of two families, is refused with 401 before anything
// runs, so a header the sign-in proxy passes through unchecked can never
// outrank the one it sets. When the family's own header is unreadable, the
// request goes on as nobody's and a change gets 401 saying why: better
// refuse than guess.
func (s *Server) withIdentity(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, _ := remoteAddr(r)
		id := Identity{Addr: ip.String(), Client: s.clientAddr(r, ip).String()}
		switch s.cfg.AuthMode {
		case AuthHeader:
			if !s.trusted(ip) {
				if len(identityHeaders(r.Header)) > 0 {
					s.cfg.logger().Warn("identity headers ignored: the connection is not from a trusted proxy", "addr", id.Addr, "requestId", requestID(r))
				}
				break
			}
			if err := s.checkFamilies(r.Header); err != nil {
				s.cfg.logger().Warn("identity headers refused", "addr", id.Addr, "requestId", requestID(r), "reason", err.Error())
				s.writeError(w, r, err)
				return
			}
			user, via, err := identityFromHeaders(r.Header, s.cfg.IdentityHeader)
			if err != nil {
				// Reads go on anonymously; a change is refused with this reason.
				s.cfg.logger().Warn("identity headers refused", "addr", id.Addr, "requestId", requestID(r), "reason", err.Error())
				r = r.WithContext(context.WithValue(r.Context(), identityErrKey, err))
				break
			}
			id.User, id.Via = user, via
		default:
			id.Via = string(AuthNone)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey, id)))
	})
}

// IdentityHeader names the header family of the sign-in proxy in front of
// amlaks (--identity-header).
type IdentityHeader string

// The sign-in proxies amlaks reads.
const (
	// IdentityOAuth2Proxy is oauth2-proxy: X-Forwarded-Email, else X-Forwarded-User.
	IdentityOAuth2Proxy IdentityHeader = "oauth2-proxy"
	// IdentityAppService is App Service Authentication: X-MS-CLIENT-PRINCIPAL.
	IdentityAppService IdentityHeader = "app-service"
	// otherIdentity is every other header that names a user.
	otherIdentity IdentityHeader = "other"
)

// headerFamily says which sign-in proxy a header comes from, "other" for a
// header that names a user but belongs to neither, and "" for a header that
// is not about identity.
func headerFamily(name string) IdentityHeader {
	n := strings.ToLower(name)
	switch {
	case strings.HasPrefix(n, "x-ms-client-principal"), strings.HasPrefix(n, "x-ms-token-"):
		return IdentityAppService
	case strings.HasPrefix(n, "x-auth-request-"),
		n == "x-forwarded-email", n == "x-forwarded-user", n == "x-forwarded-groups",
		n == "x-forwarded-preferred-username", n == "x-forwarded-access-token":
		return IdentityOAuth2Proxy
	case n == "remote-user", n == "x-remote-user", n == "x-remote-email", n == "x-user", n == "x-email",
		n == "x-authenticated-user", n == "x-authenticated-email", n == "x-forwarded-remote-user",
		n == "x-goog-authenticated-user-email", n == "cf-access-authenticated-user-email",
		n == "x-amzn-oidc-identity", n == "x-amzn-oidc-data", n == "x-user-email", n == "x-webauth-user":
		return otherIdentity
	}
	return ""
}

// identityHeaders returns the families of the identity headers a request
// carries, sorted, and the first header of each.
func identityHeaders(h http.Header) map[IdentityHeader]string {
	out := map[IdentityHeader]string{}
	for name := range h {
		if f := headerFamily(name); f != "" {
			if prev, ok := out[f]; !ok || name < prev {
				out[f] = name
			}
		}
	}
	return out
}

// checkFamilies refuses identity headers that the configured sign-in proxy
// does not set: another family's, or two families at once.
func (s *Server) checkFamilies(h http.Header) error {
	found := identityHeaders(h)
	want := s.cfg.IdentityHeader
	if len(found) > 1 {
		var names []string
		for _, n := range found {
			names = append(names, n)
		}
		slices.Sort(names)
		return rules.Errorf(rules.ErrUnauthorized, "", "This request carries the identity headers of more than one sign-in proxy ("+strings.Join(names, ", ")+"); amlaks cannot tell who you are, so it refuses. Open amlaks through your company's sign-in page.")
	}
	for f, name := range found {
		if want == "" {
			return rules.Errorf(rules.ErrUnauthorized, "", "This request carries "+name+", but amlaks was started without --identity-header, so it believes no identity header; it refuses the request. Tell the platform team.")
		}
		if f != want {
			return rules.Errorf(rules.ErrUnauthorized, "", "This request carries "+name+", which the sign-in proxy in front of amlaks does not set (amlaks reads only "+string(want)+"'s headers); amlaks refuses it. Open amlaks through your company's sign-in page.")
		}
	}
	return nil
}

// CheckAuth refuses an identity header family that does not go with the
// mode: AuthHeader needs exactly one of oauth2-proxy and app-service;
// AuthNone takes none.
func CheckAuth(mode AuthMode, header IdentityHeader) error {
	switch mode {
	case AuthHeader:
		switch header {
		case IdentityOAuth2Proxy, IdentityAppService:
			return nil
		case "":
			return errors.New("--auth header needs --identity-header oauth2-proxy or app-service: the one header family your sign-in proxy sets; every other identity header is refused")
		}
		return fmt.Errorf("--identity-header must be oauth2-proxy or app-service, not %q", header)
	default:
		if header != "" {
			return errors.New("--identity-header only goes with --auth header")
		}
	}
	return nil
}

// clientAddr is the address of the client: the connection's, or, on a
// connection from a trusted proxy, the right-most X-Forwarded-For entry that
// is not itself a trusted proxy (the left of it is whatever the client
// wrote). Rate limits count by it.
func (s *Server) clientAddr(r *http.Request, conn netip.Addr) netip.Addr {
	if s.cfg.AuthMode != AuthHeader || !s.trusted(conn) {
		return conn
	}
	vals := r.Header.Values("X-Forwarded-For")
	var hops []string
	for _, v := range vals {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0 && i >= len(hops)-16; i-- {
		ip, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return conn
		}
		ip = ip.Unmap()
		if !s.trusted(ip) {
			return ip
		}
	}
	return conn
}

// identityFromHeaders reads the identity a trusted proxy of the family set.
// It returns an empty user when no identity header is present.
func identityFromHeaders(h http.Header, family IdentityHeader) (user, via string, err error) {
	if family == IdentityAppService {
		vs := h.Values(HeaderPrincipal)
		if len(vs) == 0 {
			return "", "", nil
		}
		if len(vs) > 1 {
			return "", "", rules.Errorf(rules.ErrUnauthorized, "", "The sign-in proxy sent "+HeaderPrincipal+" more than once; amlaks cannot tell who you are.")
		}
		p, err := ParsePrincipal(vs[0])
		if err != nil {
			return "", "", err
		}
		return p.Name(), string(IdentityAppService), nil
	}
	if family != IdentityOAuth2Proxy {
		return "", "", nil
	}
	for _, name := range []string{HeaderForwardedEmail, HeaderForwardedUser} {
		vs := h.Values(name)
		if len(vs) == 0 {
			continue
		}
		if len(vs) > 1 {
			return "", "", rules.Errorf(rules.ErrUnauthorized, "", "The sign-in proxy sent "+name+" more than once; amlaks cannot tell who you are.")
		}
		u, err := checkUserName(name, vs[0])
		if err != nil {
			return "", "", err
		}
		return u, string(IdentityOAuth2Proxy), nil
	}
	return "", "", nil
}

// checkUserName refuses empty, oversize, non-UTF-8 and control-character names.
func checkUserName(source, v string) (string, error) {
	v = strings.TrimSpace(v)
	bad := func(why string) error {
		return rules.Errorf(rules.ErrUnauthorized, "", fmt.Sprintf("The sign-in proxy's %s %s; amlaks cannot tell who you are.", source, why))
	}
	switch {
	case v == "":
		return "", bad("is empty")
	case len(v) > maxUserName:
		return "", bad(fmt.Sprintf("is longer than %d bytes", maxUserName))
	case !utf8.ValidString(v):
		return "", bad("is not valid UTF-8")
	}
	for _, r := range v {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r) {
			return "", bad("holds control characters")
		}
	}
	return v, nil
}

// Principal is App Service Authentication's X-MS-CLIENT-PRINCIPAL: base64 of
// this JSON.
type Principal struct {
	AuthType string  `json:"auth_typ"`
	Claims   []Claim `json:"claims"`
	NameType string  `json:"name_typ"`
	RoleType string  `json:"role_typ"`
}

// Claim is one claim of a Principal.
type Claim struct {
	Type  string `json:"typ"`
	Value string `json:"val"`
}

// Name is the value of the principal's name claim (the claim whose type is
// NameType), checked by ParsePrincipal.
func (p Principal) Name() string {
	for _, c := range p.Claims {
		if c.Type == p.NameType {
			return strings.TrimSpace(c.Value)
		}
	}
	return ""
}

// ParsePrincipal decodes an X-MS-CLIENT-PRINCIPAL header strictly: at most
// 16 KiB, standard base64 (padded or not), one JSON object with no unknown
// fields and nothing after it, a name type and a name claim of that type,
// and no control characters in the name. Every failure is a
// rules.ErrUnauthorized in plain words.
func ParsePrincipal(header string) (Principal, error) {
	bad := func(why string) error {
		return rules.Errorf(rules.ErrUnauthorized, "", "The sign-in proxy's "+HeaderPrincipal+" header "+why+"; amlaks cannot tell who you are.")
	}
	var p Principal
	header = strings.TrimSpace(header)
	switch {
	case header == "":
		return p, bad("is empty")
	case len(header) > maxPrincipalHeader:
		return p, bad(fmt.Sprintf("is larger than %d bytes", maxPrincipalHeader))
	}
	enc := base64.StdEncoding
	if !strings.HasSuffix(header, "=") && len(header)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	data, err := enc.Strict().DecodeString(header)
	if err != nil {
		return p, bad("is not valid base64")
	}
	if !utf8.Valid(data) {
		return p, bad("is not valid UTF-8 JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Principal{}, bad("is not the JSON amlaks expects")
	}
	if _, err := dec.Token(); err != io.EOF {
		return Principal{}, bad("has data after its JSON")
	}
	if p.NameType == "" {
		return Principal{}, bad("has no name_typ")
	}
	var names int
	for _, c := range p.Claims {
		if c.Type == p.NameType {
			names++
		}
	}
	switch names {
	case 0:
		return Principal{}, bad("has no name claim")
	case 1:
	default:
		return Principal{}, bad("has more than one name claim")
	}
	if _, err := checkUserName(HeaderPrincipal+" name claim", p.Name()); err != nil {
		return Principal{}, err
	}
	return p, nil
}

// requireIdentity refuses, with 401, a change when nobody is signed in. In
// AuthNone mode (loopback only) the person at the keyboard may change things.
func (s *Server) requireIdentity(r *http.Request) error {
	if s.cfg.AuthMode != AuthHeader {
		return nil
	}
	if err, ok := r.Context().Value(identityErrKey).(error); ok {
		return err
	}
	if IdentityFrom(r.Context()).User == "" {
		return rules.Errorf(rules.ErrUnauthorized, "", "Sign in first: changes need to know who you are, and amlaks found no signed-in user on this request. Open amlaks through your company's sign-in page.")
	}
	return nil
}
