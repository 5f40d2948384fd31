package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/seal/cms"
	"github.com/tandemhq/tandem/store"
)

// sealConfig is how the hub seals completed documents: with the
// operator's PKCS#12 certificate (TANDEM_SIGNING_P12 and
// TANDEM_SIGNING_P12_PASSWORD), else with its own certificate chain, made
// on first start and kept in the store so that every instance signs with
// the same one; with a timestamp from TANDEM_TSA_URL when it is set.
type sealConfig struct {
	P12Path     string
	P12Password string
	TSA         string
}

func readSealConfig(getenv func(string) string) (sealConfig, error) {
	c := sealConfig{P12Path: getenv("TANDEM_SIGNING_P12"), P12Password: getenv("TANDEM_SIGNING_P12_PASSWORD"), TSA: getenv("TANDEM_TSA_URL")}
	if c.TSA != "" {
		u, err := url.Parse(c.TSA)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("TANDEM_TSA_URL %q must be the http or https URL of an RFC 3161 timestamp authority", c.TSA)
		}
	}
	return c, nil
}

// sealKeys are the keys the hub seals with.
func sealKeys(ctx context.Context, c sealConfig, st store.Sealings, name string, log zerolog.Logger) (cms.Keys, error) {
	if c.P12Path != "" {
		data, err := os.ReadFile(c.P12Path)
		if err != nil {
			return cms.Keys{}, fmt.Errorf("TANDEM_SIGNING_P12: %w", err)
		}
		k, err := cms.LoadP12(data, c.P12Password)
		if err != nil {
			return cms.Keys{}, fmt.Errorf("TANDEM_SIGNING_P12: %w", err)
		}
		log.Info().Str("certificate", k.Chain[0].Subject.String()).Str("root", cms.Fingerprint(k.Root())).Msg("seal: the operator's certificate")
		return k, nil
	}
	k, err := hubSealKeys(ctx, st, name)
	if err != nil {
		return cms.Keys{}, err
	}
	log.Info().Str("certificate", k.Chain[0].Subject.String()).Str("root", cms.Fingerprint(k.Root())).
		Msg("seal: the hub's own certificate (PDF readers show it as untrusted until its root is imported; see docs/evidence.md)")
	return k, nil
}

// hubSealKeys reads the hub's own keys from the store, making them first
// if there are none: of instances starting together, the first to write
// wins and all use its keys.
func hubSealKeys(ctx context.Context, st store.Sealings, name string) (cms.Keys, error) {
	kept, err := st.SealKey(ctx)
	if tandem.ErrorKind(err) == tandem.KindNotFound {
		made, gerr := cms.Generate(name, time.Now())
		if gerr != nil {
			return cms.Keys{}, gerr
		}
		chain, key, perr := made.PEM()
		if perr != nil {
			return cms.Keys{}, perr
		}
		kept, err = st.CreateSealKey(ctx, store.SealKey{Chain: chain, Key: key, CreatedAt: time.Now()})
	}
	if err != nil {
		return cms.Keys{}, fmt.Errorf("the hub's sealing key: %w", err)
	}
	return cms.ParsePEM(kept.Chain, kept.Key)
}

// sealName is the name in the hub's own certificates: the account the
// hub was first started for, and the hub's address.
func sealName(cfg config) string {
	if cfg.PublicURL != nil {
		return fmt.Sprintf("%s (%s)", cfg.AccountName, cfg.PublicURL.Host)
	}
	return cfg.AccountName
}
