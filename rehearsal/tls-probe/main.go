// tls-probe: which TLS versions and key-exchange groups a server accepts, by real handshakes.
// Built by scripts/tools.sh (tls-probe) with the Go at /usr/local/go, standard library only.
// Node's OpenSSL 3.0 cannot offer the hybrid post-quantum groups; Go's crypto/tls can
// (X25519MLKEM768 from Go 1.24, SecP256r1MLKEM768 and SecP384r1MLKEM1024 from Go 1.26).
//
//	tls-probe -connect 127.0.0.1:443 -servername api.example.test [-cafile root.pem]
//
// Prints one JSON object: each TLS version offered alone; for each group, whether a TLS 1.3
// handshake offering only that group succeeds; and what the server picks when offered Go's
// default list. Groups are measured with TLS 1.3 only: in TLS 1.2 the supported_groups list also
// limits the curves of ECDSA certificates (RFC 8422 §5.1), so OpenSSL refuses a P-256 certificate
// to a client offering X25519 alone, which says nothing about key exchange.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"time"
)

var groups = []struct {
	name string
	id   tls.CurveID
}{
	{"X25519MLKEM768", tls.X25519MLKEM768},
	{"SecP256r1MLKEM768", tls.SecP256r1MLKEM768},
	{"SecP384r1MLKEM1024", tls.SecP384r1MLKEM1024},
	{"X25519", tls.X25519},
	{"P-256", tls.CurveP256},
	{"P-384", tls.CurveP384},
	{"P-521", tls.CurveP521},
}

var versions = []struct {
	name string
	id   uint16
}{
	{"1.0", tls.VersionTLS10},
	{"1.1", tls.VersionTLS11},
	{"1.2", tls.VersionTLS12},
	{"1.3", tls.VersionTLS13},
}

type attempt struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

type result struct {
	Target   string             `json:"target"`
	Versions map[string]attempt `json:"versions"`
	TLS13    map[string]attempt `json:"tls13"`
	// The group and version the server chose when offered Go's default groups (all versions).
	Default struct {
		OK      bool   `json:"ok"`
		Version string `json:"version,omitempty"`
		Group   string `json:"group,omitempty"`
		Error   string `json:"error,omitempty"`
	} `json:"default"`
}

func main() {
	addr := flag.String("connect", "", "host:port to connect to")
	serverName := flag.String("servername", "", "SNI and the name the certificate must carry")
	caFile := flag.String("cafile", "", "PEM trust anchors (default: the system's)")
	timeout := flag.Duration("timeout", 5*time.Second, "per handshake")
	flag.Parse()
	if *addr == "" || *serverName == "" {
		fmt.Fprintln(os.Stderr, "usage: tls-probe -connect HOST:PORT -servername NAME [-cafile PEM]")
		os.Exit(2)
	}
	var roots *x509.CertPool
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "tls-probe: %v\n", err)
			os.Exit(2)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			fmt.Fprintf(os.Stderr, "tls-probe: no certificate in %s\n", *caFile)
			os.Exit(2)
		}
	}
	dial := func(min, max uint16, curves []tls.CurveID) (tls.ConnectionState, error) {
		d := &net.Dialer{Timeout: *timeout}
		conn, err := tls.DialWithDialer(d, "tcp", *addr, &tls.Config{
			ServerName:       *serverName,
			RootCAs:          roots,
			MinVersion:       min,
			MaxVersion:       max,
			CurvePreferences: curves,
			NextProtos:       []string{"http/1.1"},
		})
		if err != nil {
			return tls.ConnectionState{}, err
		}
		defer conn.Close()
		return conn.ConnectionState(), nil
	}
	toAttempt := func(err error) attempt {
		if err != nil {
			return attempt{Error: err.Error()}
		}
		return attempt{OK: true}
	}

	r := result{Target: *serverName + "@" + *addr, Versions: map[string]attempt{}, TLS13: map[string]attempt{}}
	for _, v := range versions {
		_, err := dial(v.id, v.id, nil)
		r.Versions[v.name] = toAttempt(err)
	}
	for _, g := range groups {
		_, err := dial(tls.VersionTLS13, tls.VersionTLS13, []tls.CurveID{g.id})
		r.TLS13[g.name] = toAttempt(err)
	}
	state, err := dial(tls.VersionTLS10, tls.VersionTLS13, nil)
	if err != nil {
		r.Default.Error = err.Error()
	} else {
		r.Default.OK = true
		r.Default.Version = tls.VersionName(state.Version)
		r.Default.Group = groupName(state.CurveID)
	}
	out, _ := json.MarshalIndent(r, "", "  ")
	fmt.Println(string(out))
}

func groupName(id tls.CurveID) string {
	for _, g := range groups {
		if g.id == id {
			return g.name
		}
	}
	return id.String()
}
