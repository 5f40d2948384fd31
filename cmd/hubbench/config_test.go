package main

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	env := map[string]string{"TANDEM_ADMIN_EMAIL": "ops@example.com", "TANDEM_ADMIN_PASSWORD": "from-env", "TANDEM_METRICS_TOKEN": "tok"}
	getenv := func(k string) string { return env[k] }

	cfg, err := parseFlags(nil, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := defaultConfig()
	want.Email, want.Password, want.MetricsToken = "ops@example.com", "from-env", "tok"
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("defaults = %+v, want %+v", cfg, want)
	}

	cfg, err = parseFlags([]string{"-hubs", " http://a:1/ ,https://b", "-password", "pw", "-rooms", "7", "-rate", "0", "-burst", "2", "-duration", "2s", "-churn", "0.5", "-recover", "14", "-json"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.Hubs, ",") != "http://a:1,https://b" || cfg.Password != "pw" || cfg.Rooms != 7 || cfg.Rate != 0 ||
		cfg.Burst != 2 || cfg.Duration != 2*time.Second || cfg.Churn != 0.5 || cfg.Recover != 14 || !cfg.JSON {
		t.Errorf("parsed %+v", cfg)
	}

	cfg, err = parseFlags([]string{"-password", "pw", "-hubs", "http://a:1,http://b:2", "-debug-urls", "http://127.0.0.1:6061/, http://127.0.0.1:6062", "-settle", "1m", "-resume-events", "1000", "-resume-rooms", "5", "-resume-repeat", "2"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Settle != time.Minute || strings.Join(cfg.DebugURLs, ",") != "http://127.0.0.1:6061,http://127.0.0.1:6062" || cfg.ResumeEvents != 1000 || cfg.ResumeRooms != 5 || cfg.ResumeRepeat != 2 {
		t.Errorf("parsed %+v", cfg)
	}

	if _, err := parseFlags([]string{"-h"}, getenv, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: err = %v", err)
	}
	for _, bad := range [][]string{
		{"-hubs", "localhost:8080"},
		{"-hubs", ","},
		{"-rooms", "0"},
		{"-rate", "-1"},
		{"-burst", "0.5"},
		{"-burst", "2", "-burst-len", "5s", "-burst-every", "5s"},
		{"-churn", "2"},
		{"-recover", "201"},
		{"-drain", "0s"},
		{"-senders", "0"},
		{"-settle", "-1s"},
		{"-debug-urls", "http://127.0.0.1:6060,http://127.0.0.1:6061"}, // one hub, two URLs
		{"-debug-urls", "127.0.0.1:6060"},
		{"-resume-events", "-1"},
		{"-resume-events", "10", "-resume-rooms", "0"},
		{"-resume-events", "10", "-resume-repeat", "0"},
		{"extra"},
	} {
		if _, err := parseFlags(bad, getenv, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) succeeded", bad)
		}
	}
	if _, err := parseFlags(nil, func(string) string { return "" }, io.Discard); err == nil {
		t.Error("no password: parseFlags succeeded")
	}
}
