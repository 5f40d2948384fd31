package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/hub/seal/cms"
)

// tandem verify FILE.pdf: the seal of a signed PDF checked offline, its
// certificate against the hub's root (or -root), its timestamp, and the
// files attached against the hashes its audit trail prints.

// verifyPDF checks the signed PDF at path against roots and writes a
// report in plain words to out; it reports whether everything checked.
func verifyPDF(path string, roots []*x509.Certificate, out io.Writer) bool {
	fmt.Fprintln(out, path)
	pdf, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(out, "  Problem: %v\n  Verdict: NOT VALID.\n", err)
		return false
	}
	v := app.CheckSealed(pdf, cms.NewVerifier(roots...))
	writeVerdict(out, v, len(roots) > 0)
	return v.OK
}

// writeVerdict writes v in words.
func writeVerdict(out io.Writer, v app.Verdict, haveRoot bool) {
	s := v.Seal
	switch {
	case !s.Signed:
	case s.Intact && s.WholeFile:
		fmt.Fprintf(out, "  Seal: valid, made with %q; it covers the whole file.\n", s.Subject)
	case s.Intact:
		fmt.Fprintf(out, "  Seal: valid for part of the file only, made with %q.\n", s.Subject)
	default:
		fmt.Fprintf(out, "  Seal: DOES NOT MATCH the file's content.\n")
	}
	if s.Signed && s.Intact {
		switch {
		case s.Trusted:
			fmt.Fprintf(out, "  Certificate: leads to the trusted root %q, SHA-256 %s.\n", s.Issuer, s.Root)
		case !haveRoot:
			fmt.Fprintf(out, "  Certificate: issued by %q; there is no root to check it against (give -root FILE, or run where the hub's store is).\n", s.Issuer)
		default:
			fmt.Fprintf(out, "  Certificate: issued by %q, which is not the trusted root.\n", s.Issuer)
		}
	}
	switch ts := s.Timestamp; {
	case ts != nil && ts.Valid:
		fmt.Fprintf(out, "  Timestamp: by %q at %s.\n", ts.Authority, ts.At.UTC().Format(time.RFC3339))
	case ts != nil:
		fmt.Fprintf(out, "  Timestamp: DOES NOT CHECK.\n")
	case s.Signed:
		fmt.Fprintf(out, "  Timestamp: none; the seal's time, %s, is the hub's clock.\n", s.SignedAt.UTC().Format(time.RFC3339))
	}
	if t := v.Trail; t != nil {
		fmt.Fprintf(out, "  Document: %q (%s) in room %s of %s, for %s, sent by %s.\n", t.Document.Name, t.Document.ID, t.Room, t.Company, orDash(t.Customer.Name), t.Agent)
	}
	for _, e := range v.Evidence {
		fmt.Fprintf(out, "  Evidence: %s.\n", e)
	}
	for _, p := range v.Problems {
		fmt.Fprintf(out, "  Problem: %s.\n", strings.TrimSuffix(p, "."))
	}
	if v.OK {
		fmt.Fprintln(out, "  Verdict: everything checks.")
	} else {
		fmt.Fprintln(out, "  Verdict: NOT VALID.")
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// verifyRoots are the roots seals are checked against: the PEM
// certificates of rootFile if given; else the hub's own — the root of
// TANDEM_SIGNING_P12, or of the keys in the store (DATABASE_URL, or the
// SQLite file of the data directory, if there is one). None is no error:
// the report then says there is nothing to check the chain against.
func verifyRoots(ctx context.Context, rootFile string, getenv func(string) string) ([]*x509.Certificate, error) {
	if rootFile != "" {
		return readRoots(rootFile)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	if cfg.Seal.P12Path != "" {
		data, err := os.ReadFile(cfg.Seal.P12Path)
		if err != nil {
			return nil, fmt.Errorf("TANDEM_SIGNING_P12: %w", err)
		}
		k, err := cms.LoadP12(data, cfg.Seal.P12Password)
		if err != nil {
			return nil, fmt.Errorf("TANDEM_SIGNING_P12: %w", err)
		}
		return []*x509.Certificate{k.Root()}, nil
	}
	if cfg.DatabaseURL == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "tandem.db")); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
	}
	st, err := openStore(ctx, cfg, zerolog.Nop())
	if err != nil {
		return nil, err
	}
	defer st.Close()
	kept, err := st.SealKey(ctx)
	if tandem.ErrorKind(err) == tandem.KindNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	k, err := cms.ParsePEM(kept.Chain, kept.Key)
	if err != nil {
		return nil, err
	}
	return []*x509.Certificate{k.Root()}, nil
}

// readRoots reads the PEM certificates of a file.
func readRoots(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("-root: %w", err)
	}
	var roots []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("-root %s: %w", path, err)
		}
		roots = append(roots, c)
	}
	if len(roots) == 0 {
		return nil, fmt.Errorf("-root %s holds no PEM certificate", path)
	}
	return roots, nil
}
