package armemu

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"time"
)

// Server is an Emulator served over HTTPS on an address of its own, so that
// several proxies (processes) can share one emulated Azure. Its certificate
// is made at start, self-signed, for the listen host and the loopback names;
// CertPEM is what a client trusts.
type Server struct {
	// URL is the base URL of the emulated ARM endpoint, https://host:port.
	URL string
	// CertPEM is the server's self-signed certificate, PEM-encoded: the one
	// root a client needs.
	CertPEM []byte
	// Handler is what is served: an Emulator, or one wrapped by a test.
	Handler http.Handler

	srv  *http.Server
	done chan struct{} // closed when Serve returns
	err  error         // what Serve returned, once done is closed
}

// Listen starts serving h (an Emulator, or a handler around one) over TLS at addr (host:port; port 0 picks one).
// hosts are extra DNS names or IP addresses the certificate is valid for,
// beside the listen host, localhost, 127.0.0.1 and ::1. errorLog, when not
// nil, receives the HTTP server's own errors (TLS handshakes and the like).
func Listen(addr string, h http.Handler, hosts []string, errorLog *log.Logger) (*Server, error) {
	if h == nil {
		return nil, errors.New("armemu: no emulator to serve")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("armemu: address %q must be host:port, such as 127.0.0.1:8443: %w", addr, err)
	}
	names := append([]string{"localhost", "127.0.0.1", "::1"}, hosts...)
	if host != "" && !net.ParseIP(host).IsUnspecified() {
		names = append(names, host)
	}
	cert, certPEM, err := selfSigned(names)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("armemu: %w", err)
	}
	urlHost := ln.Addr().String()
	if host == "" || net.ParseIP(host).IsUnspecified() {
		// Listening on every interface: name the loopback one in the URL.
		_, port, _ := net.SplitHostPort(urlHost)
		urlHost = net.JoinHostPort("127.0.0.1", port)
	}
	s := &Server{
		URL:     "https://" + urlHost,
		CertPEM: certPEM,
		Handler: h,
		done:    make(chan struct{}),
		srv: &http.Server{
			Handler:           h,
			ErrorLog:          errorLog,
			ReadHeaderTimeout: 10 * time.Second,
			TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		},
	}
	go func() {
		s.err = s.srv.ServeTLS(ln, "", "")
		close(s.done)
	}()
	return s, nil
}

// Client returns an HTTP client that trusts the server's certificate and
// nothing else.
func (s *Server) Client() *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CertPEM)
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t}
}

// Close stops the server at once, closing open connections.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}

// Wait blocks until the server stops and returns why (nil after Close).
func (s *Server) Wait() error {
	<-s.done
	if errors.Is(s.err, http.ErrServerClosed) {
		return nil
	}
	return s.err
}

// selfSigned makes an ECDSA P-256 certificate, valid for names for 30 days,
// that is its own root.
func selfSigned(names []string) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("armemu: key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("armemu: serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "amlaks ARM emulator", Organization: []string{"amlaks"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	seen := map[string]bool{}
	for _, n := range names {
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("armemu: certificate: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, certPEM, nil
}
