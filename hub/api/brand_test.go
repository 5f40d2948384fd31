package api_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/app/pdftest"
)

// statusOf is the HTTP status of a client error, 0 if none.
func statusOf(err error) int {
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

func TestBrandSettings(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	set, err := e.agent.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		accent, help, want string // want: a part of the refusal's message
	}{
		{accent: "#ffcc00", want: "too light"},    // yellow: 1.6:1 with white
		{accent: "#2a9d8f", want: "at least 4.5"}, // teal: 3.3:1
		{accent: "blue", want: "#rrggbb"},
		{accent: "#12345", want: "#rrggbb"},
		{help: "Call us\nor not", want: "one line"},
		{help: strings.Repeat("x", tandem.MaxHelpLineLen+1), want: "at most 200"},
		{help: "Call \u202e0010-555-008-1", want: "invisible"},
	} {
		s := set
		s.AccentColor, s.HelpLine = tc.accent, tc.help
		_, err := e.agent.UpdateSettings(ctx, s)
		if code := client.ErrorCode(err); code != "invalid_settings" || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("accent %q help %q: %v; want invalid_settings saying %q", tc.accent, tc.help, err, tc.want)
		}
	}
	set.AccentColor, set.HelpLine = " #1F5FBF ", "  Questions? Call 1-800-555-0100, Mon–Fri 9–5 "
	got, err := e.agent.UpdateSettings(ctx, set)
	if err != nil {
		t.Fatal(err)
	}
	if got.AccentColor != "#1f5fbf" || got.HelpLine != "Questions? Call 1-800-555-0100, Mon–Fri 9–5" {
		t.Errorf("saved %q %q", got.AccentColor, got.HelpLine)
	}
	// The settings keep what they had: the brand's fields come along.
	if again, _ := e.agent.Settings(ctx); again.AccentColor != "#1f5fbf" {
		t.Errorf("read back %q", again.AccentColor)
	}

	// The name is the admin's to change, by PATCH /api/v1/account.
	b, err := e.agent.RenameAccount(ctx, "  Northwind Bank ")
	if err != nil || b.Name != "Northwind Bank" || b.AccentColor != "#1f5fbf" {
		t.Fatalf("rename: %+v, %v", b, err)
	}
	if _, err := e.agent.RenameAccount(ctx, " "); client.ErrorCode(err) != "invalid_name" {
		t.Errorf("empty name: %v", err)
	}
	agent := isoSignIn(t, e, e.account, "bo@acme.test", tandem.RoleAgent)
	if _, err := agent.RenameAccount(ctx, "Mallory Inc"); statusOf(err) != http.StatusForbidden {
		t.Errorf("an agent renames the account: %v, want 403", err)
	}
	s := set
	s.AccentColor = "#000000"
	if _, err := agent.UpdateSettings(ctx, s); statusOf(err) != http.StatusForbidden {
		t.Errorf("an agent sets the accent color: %v, want 403", err)
	}

	// The sign-in page of a hub of one account shows that account.
	pub, err := e.client().PublicBrand(ctx)
	if err != nil || pub.Name != "Northwind Bank" || pub.AccentColor != "#1f5fbf" {
		t.Errorf("public brand of a one-account hub: %+v, %v", pub, err)
	}
	// With two, it cannot tell whose it is.
	e.newAgent("Globex", "gia@globex.test", "Gia")
	pub, err = e.client().PublicBrand(ctx)
	if err != nil || pub.Name != "Tandem" || pub.AccentColor != "" || pub.LogoURL != "" {
		t.Errorf("public brand of a hub of two accounts: %+v, %v", pub, err)
	}
}

// multipartImage is a multipart body of one file part.
func multipartImage(t *testing.T, filename string, data []byte) (string, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(data)
	mw.Close()
	return body.String(), mw.FormDataContentType()
}

func TestBrandLogo(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	logo := pdftest.PNG(120, 40)
	b, err := e.agent.PutLogo(ctx, bytes.NewReader(logo))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.LogoURL, "/brand/images/") {
		t.Fatalf("logo_url %q", b.LogoURL)
	}
	// Anyone may fetch it: with the type its bytes have, never sniffed.
	res := e.do(t, http.MethodGet, b.LogoURL, "", nil)
	got, _ := io.ReadAll(res.Body)
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || !bytes.Equal(got, logo) || res.Header.Get("Content-Type") != "image/png" ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" || etag == "" || !strings.Contains(res.Header.Get("Cache-Control"), "public") {
		t.Errorf("GET logo: %d %v", res.StatusCode, res.Header)
	}
	if res := e.do(t, http.MethodGet, b.LogoURL, "", map[string]string{"If-None-Match": etag}); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidated: %d, want 304", res.StatusCode)
	}
	if pub, _ := e.client().PublicBrand(ctx); pub.LogoURL != b.LogoURL {
		t.Errorf("the sign-in page's brand has logo %q, want %q", pub.LogoURL, b.LogoURL)
	}

	// Judged by its bytes: an SVG, an HTML page named .png, a truncated
	// PNG, a huge one and an image of too many pixels are refused, raw or
	// multipart.
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>`)
	html := []byte("<!doctype html><script>alert(document.cookie)</script>")
	for _, tc := range []struct {
		name string
		data []byte
		code string
	}{
		{"svg", svg, "unsupported_type"},
		{"html", html, "unsupported_type"},
		{"truncated png", logo[:60], "invalid_image"},
		{"empty", nil, "empty_file"},
		{"too many pixels", pdftest.PNG(3000, 2), "invalid_image"},
		{"too large", append(append([]byte{}, logo...), make([]byte, 600<<10)...), "too_large"},
	} {
		if _, err := e.agent.PutLogo(ctx, bytes.NewReader(tc.data)); client.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	body, ctype := multipartImage(t, "logo.png", html)
	res = e.do(t, http.MethodPut, "/api/v1/account/logo", body, map[string]string{"Content-Type": ctype, "Authorization": "Bearer " + e.agent.Token()})
	if code, _ := decodeError(t, res); code != "unsupported_type" {
		t.Errorf("an HTML page named logo.png: %d %s", res.StatusCode, code)
	}
	// A multipart PNG is taken.
	small := pdftest.PNG(16, 16)
	body, ctype = multipartImage(t, "logo.png", small)
	res = e.do(t, http.MethodPut, "/api/v1/account/logo", body, map[string]string{"Content-Type": ctype, "Authorization": "Bearer " + e.agent.Token()})
	if res.StatusCode != 200 {
		t.Errorf("multipart PNG: %d", res.StatusCode)
	}
	// The first logo was replaced: it is no longer served, nor kept.
	if res := e.do(t, http.MethodGet, b.LogoURL, "", nil); res.StatusCode != 404 {
		t.Errorf("a replaced logo: %d, want 404", res.StatusCode)
	}
	now, _ := e.agent.AccountBrand(ctx)
	if now.LogoURL == b.LogoURL || now.LogoURL == "" {
		t.Errorf("logo after replacing: %q", now.LogoURL)
	}

	// Only an admin of the account changes it: an agent of A cannot, nor
	// can the admin of B (who changes B's own).
	agent := isoSignIn(t, e, e.account, "bo@acme.test", tandem.RoleAgent)
	if _, err := agent.PutLogo(ctx, bytes.NewReader(logo)); statusOf(err) != http.StatusForbidden {
		t.Errorf("an agent's logo: %v, want 403", err)
	}
	if _, err := agent.DeleteLogo(ctx); statusOf(err) != http.StatusForbidden {
		t.Errorf("an agent deletes the logo: %v, want 403", err)
	}
	_, adminB := e.newAgent("Globex", "gia@globex.test", "Gia")
	bb, err := adminB.PutLogo(ctx, bytes.NewReader(logo))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adminB.DeleteLogo(ctx); err != nil {
		t.Fatal(err)
	}
	if after, _ := e.agent.AccountBrand(ctx); after.LogoURL != now.LogoURL {
		t.Errorf("B's admin changed A's logo: %q, want %q", after.LogoURL, now.LogoURL)
	}
	if res := e.do(t, http.MethodGet, bb.LogoURL, "", nil); res.StatusCode != 404 {
		t.Errorf("B's deleted logo (the content of A's first one): %d, want 404", res.StatusCode)
	}

	// Removing it.
	if b, err := e.agent.DeleteLogo(ctx); err != nil || b.LogoURL != "" {
		t.Errorf("delete: %+v, %v", b, err)
	}
	if res := e.do(t, http.MethodGet, now.LogoURL, "", nil); res.StatusCode != 404 {
		t.Errorf("a removed logo: %d, want 404", res.StatusCode)
	}
	if n := e.blobFiles(t); n != 0 {
		t.Errorf("%d files left in the blob store after every logo was removed", n)
	}
}

func TestBrandRoom(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	set, _ := e.agent.Settings(ctx)
	set.AccentColor, set.HelpLine = "#1f5fbf", "Questions? Call 1-800-555-0100"
	if _, err := e.agent.UpdateSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	logo, err := e.agent.PutLogo(ctx, bytes.NewReader(pdftest.PNG(60, 20)))
	if err != nil {
		t.Fatal(err)
	}
	me, err := e.agent.PutPhoto(ctx, bytes.NewReader(pdftest.PNG(32, 32)))
	if err != nil || me.PhotoURL == "" {
		t.Fatalf("photo: %+v, %v", me, err)
	}
	if _, err := e.agent.PutPhoto(ctx, strings.NewReader("<svg/>")); client.ErrorCode(err) != "unsupported_type" {
		t.Errorf("an SVG photo: %v", err)
	}
	s := e.liveRoom()
	cust := e.customer(s.ID)
	st, b, err := cust.CustomerRoom(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.ID != s.ID || st.Customer.Name != "Sam Lee" || st.Account != "" {
		t.Errorf("the customer's room: %+v", st)
	}
	if b.Name != "Acme" || b.LogoURL != logo.LogoURL || b.AccentColor != "#1f5fbf" || b.HelpLine != set.HelpLine ||
		b.Agent.Name != "Ana" || b.Agent.PhotoURL != me.PhotoURL {
		t.Errorf("the room's brand: %+v", b)
	}
	// The link's expiry: a week from its sending, by default.
	if d := time.Until(b.ExpiresAt); d < 6*24*time.Hour || d > 8*24*time.Hour {
		t.Errorf("expires_at %v, %v from now", b.ExpiresAt, d)
	}
	// The customer's view does not name the account: the images are
	// addressed by their content.
	raw := e.do(t, http.MethodGet, "/api/v1/rooms/"+s.ID, "", map[string]string{"Cookie": e.roomCookie(s.ID)})
	text, _ := io.ReadAll(raw.Body)
	if strings.Contains(string(text), e.account) {
		t.Errorf("the customer's room names the account: %s", text)
	}
	// The agent's room has no brand: it is the customer's view.
	res := e.do(t, http.MethodGet, "/api/v1/rooms/"+s.ID, "", map[string]string{"Authorization": "Bearer " + e.agent.Token()})
	text, _ = io.ReadAll(res.Body)
	if strings.Contains(string(text), `"brand"`) {
		t.Errorf("the agent's room carries a brand: %s", text)
	}
	// The photo is public, as the logo; removed, it leaves the room.
	if res := e.do(t, http.MethodGet, me.PhotoURL, "", nil); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("GET photo: %d", res.StatusCode)
	}
	if _, err := e.agent.DeletePhoto(ctx); err != nil {
		t.Fatal(err)
	}
	if _, b, _ := cust.CustomerRoom(ctx, s.ID); b.Agent.PhotoURL != "" || b.Agent.Name != "Ana" {
		t.Errorf("after removing the photo: %+v", b.Agent)
	}
}
