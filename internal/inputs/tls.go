package inputs

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// serverTLS loads the listener's certificate and, with a client CA, makes
// client certificates required and verified (mutual TLS).
func serverTLS(f TLSFiles) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("inputs: load tls.cert_file %s and tls.key_file %s: %w", f.CertFile, f.KeyFile, err)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if f.ClientCAFile != "" {
		pemData, err := os.ReadFile(f.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("inputs: tls.client_ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			return nil, fmt.Errorf("inputs: tls.client_ca_file %s holds no PEM certificate", f.ClientCAFile)
		}
		tc.ClientCAs, tc.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return tc, nil
}
