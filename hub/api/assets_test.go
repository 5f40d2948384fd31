package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"math"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// pngBytes is the start of a PNG image.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)

// upload posts a multipart upload as c's bearer (none if c is nil) and
// returns the answer.
func (e *env) upload(t *testing.T, c *client.Client, parts map[string]string, file []byte, filename string) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range parts {
		mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", filename)
		fw.Write(file)
	}
	mw.Close()
	hdr := map[string]string{"Content-Type": mw.FormDataContentType()}
	if c != nil {
		hdr["Authorization"] = "Bearer " + c.Token()
	}
	return e.do(t, http.MethodPost, "/api/v1/assets", body.String(), hdr)
}

// blobFiles counts the files the hub keeps in its blob directory.
func (e *env) blobFiles(t *testing.T) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(e.blobDir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAssetLibrary(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	pdf := pdftest.PDF(2, false)
	a, err := e.agent.UploadAsset(ctx, "Credit application", " Auto loans / Credit ", "credit.pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	if !room.ValidID("as", a.ID) || a.Name != "Credit application" || a.Folder != "Auto loans/Credit" || a.Pages != 2 ||
		a.Size != int64(len(pdf)) || a.Fields == nil || len(a.Fields) != 0 {
		t.Fatalf("uploaded %+v", a)
	}
	if _, err := e.agent.UploadAsset(ctx, "ID check", "", "id.pdf", bytes.NewReader(pdftest.PDF(1, false))); err != nil {
		t.Fatal(err)
	}
	if _, err := e.agent.UploadAsset(ctx, "Lease", "Auto loans", "lease.pdf", bytes.NewReader(pdf)); err != nil {
		t.Fatal(err)
	}
	list := func(q, folder string) string {
		t.Helper()
		as, folders, err := e.agent.Assets(ctx, q, folder)
		if err != nil {
			t.Fatal(err)
		}
		names := []string{}
		for _, a := range as {
			names = append(names, a.Name)
		}
		return strings.Join(names, ",") + " in " + strings.Join(folders, ",")
	}
	for _, tc := range []struct{ q, folder, want string }{
		{"", "", "Credit application,ID check,Lease in Auto loans,Auto loans/Credit"},
		{"credit", "", "Credit application in Auto loans,Auto loans/Credit"},
		{"", "Auto loans", "Lease in Auto loans,Auto loans/Credit"},
		{"nothing", "", " in Auto loans,Auto loans/Credit"},
	} {
		if got := list(tc.q, tc.folder); got != tc.want {
			t.Errorf("assets q=%q folder=%q: %q, want %q", tc.q, tc.folder, got, tc.want)
		}
	}

	got, err := e.agent.Asset(ctx, a.ID)
	if err != nil || got.ID != a.ID || got.Pages != 2 {
		t.Fatalf("asset: %+v, %v", got, err)
	}
	f, err := e.agent.AssetFile(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(b, pdf) {
		t.Errorf("the file downloaded (%d bytes) is not the one uploaded (%d bytes)", len(b), len(pdf))
	}
	res := e.do(t, http.MethodGet, "/api/v1/assets/"+a.ID+"/file", "", map[string]string{"Authorization": "Bearer " + e.agent.Token()})
	if ct, cd := res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"); ct != "application/pdf" || !strings.HasPrefix(cd, "attachment") {
		t.Errorf("file answered Content-Type %q, Content-Disposition %q", ct, cd)
	}

	fields := []client.Field{
		{Type: room.FieldText, Role: room.FieldByCustomer, Required: true, Label: "Full name", Page: 1, X: 0.1, Y: 0.1, W: 0.5, H: 0.04},
		{ID: "term", Type: room.FieldSelect, Role: room.FieldByAgent, Label: "Term", Page: 2, X: 0.5, Y: 0.5, W: 0.3, H: 0.05, Options: []string{"12", "24"}},
		{Type: room.FieldSignature, Role: room.FieldByCustomer, Required: true, Label: "Signature", Page: 2, X: 0.1, Y: 0.8, W: 0.4, H: 0.1},
	}
	set, err := e.agent.SetAssetFields(ctx, a.ID, fields)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Fields) != 3 || !room.ValidID("fd", set.Fields[0].ID) || set.Fields[1].ID != "term" || set.Fields[2].ID == set.Fields[0].ID {
		t.Fatalf("fields set: %+v", set.Fields)
	}
	if got, _ := e.agent.Asset(ctx, a.ID); fmt.Sprint(got.Fields) != fmt.Sprint(set.Fields) {
		t.Errorf("fields read back %+v, want %+v", got.Fields, set.Fields)
	}
	for name, change := range map[string]func(*client.Field){
		"an unknown type":     func(f *client.Field) { f.Type = "radio" },
		"an unknown role":     func(f *client.Field) { f.Role = "notary" },
		"a page past the end": func(f *client.Field) { f.Page = 3 },
		"out of the page":     func(f *client.Field) { f.X = 0.9 },
		"no width":            func(f *client.Field) { f.W = 0 },
		"a select without options": func(f *client.Field) {
			f.Type = room.FieldSelect
		},
		"options on a text field": func(f *client.Field) { f.Options = []string{"a"} },
	} {
		bad := append([]client.Field(nil), fields...)
		f := bad[0]
		change(&f)
		bad[0] = f
		_, err := e.agent.SetAssetFields(ctx, a.ID, bad)
		if code := apiCode(t, err); code != "invalid_fields" {
			t.Errorf("%s: code %q, want invalid_fields", name, code)
		} else if !strings.Contains(err.Error(), "Full name") {
			t.Errorf("%s: %v does not name the field", name, err)
		}
	}
	res = e.do(t, http.MethodPut, "/api/v1/assets/"+a.ID+"/fields", `{"fields":[],"extra":1}`, map[string]string{"Authorization": "Bearer " + e.agent.Token()})
	if code, _ := decodeError(t, res); code != "invalid_json" {
		t.Errorf("an unknown member: %q", code)
	}

	name, folder := "Loan application", "Archive/2026"
	moved, err := e.agent.UpdateAsset(ctx, a.ID, &name, &folder)
	if err != nil || moved.Name != name || moved.Folder != folder || len(moved.Fields) != 3 {
		t.Fatalf("rename and move: %+v, %v", moved, err)
	}
	if got := list("", ""); got != "ID check,Lease,Loan application in Archive/2026,Auto loans" {
		t.Errorf("after the move: %q", got)
	}
	bad := "a//b"
	if _, err := e.agent.UpdateAsset(ctx, a.ID, nil, &bad); apiCode(t, err) != "invalid_folder" {
		t.Errorf("a folder with an empty level: %v", err)
	}
	empty := " "
	if _, err := e.agent.UpdateAsset(ctx, a.ID, &empty, nil); apiCode(t, err) != "invalid_name" {
		t.Errorf("an empty name: %v", err)
	}

	// Two assets share the PDF: deleting one keeps it for the other.
	if err := e.agent.DeleteAsset(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.agent.Asset(ctx, a.ID); apiCode(t, err) != "asset_not_found" {
		t.Errorf("a deleted asset: %v", err)
	}
	if err := e.agent.DeleteAsset(ctx, a.ID); apiCode(t, err) != "asset_not_found" {
		t.Errorf("deleting again: %v", err)
	}
	if n := e.blobFiles(t); n != 2 {
		t.Errorf("%d files kept, want 2 (the shared PDF and the other)", n)
	}
	as, _, _ := e.agent.Assets(ctx, "", "")
	for _, x := range as {
		if err := e.agent.DeleteAsset(ctx, x.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.blobFiles(t); n != 0 {
		t.Errorf("%d files kept once every asset is deleted", n)
	}
}

func TestAssetUploadRefusals(t *testing.T) {
	e := newEnv(t, nil, func(cfg *api.Config) { cfg.MaxPDFBytes = 4 << 10 })
	pdf := pdftest.PDF(2, false)
	big := append(pdftest.PDF(1, false), bytes.Repeat([]byte("%"), 5<<10)...)
	corrupt := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("not a pdf at all "), 20)...)
	tests := []struct {
		name     string
		parts    map[string]string
		file     []byte
		filename string
		status   int
		code     string
	}{
		{"too large", map[string]string{"name": "Big"}, big, "big.pdf", 413, "too_large"},
		{"a PNG named .pdf", map[string]string{"name": "Image"}, pngBytes, "image.pdf", 400, "unsupported_type"},
		{"text named .pdf", map[string]string{"name": "Text"}, []byte("hello, this is text"), "text.pdf", 400, "unsupported_type"},
		{"an empty file", map[string]string{"name": "Empty"}, []byte{}, "empty.pdf", 400, "unsupported_type"},
		{"a corrupt PDF", map[string]string{"name": "Corrupt"}, corrupt, "corrupt.pdf", 400, "invalid_pdf"},
		{"no file", map[string]string{"name": "None"}, nil, "", 400, "invalid"},
		{"a bad name", map[string]string{"name": "a\u202eb"}, pdf, "x.pdf", 400, "invalid_name"},
		{"a bad folder", map[string]string{"name": "Deep", "folder": "a/b/c/d/e"}, pdf, "x.pdf", 400, "invalid_folder"},
		{"an unknown part", map[string]string{"name": "X", "owner": "me"}, pdf, "x.pdf", 400, "invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := e.upload(t, e.agent, tc.parts, tc.file, tc.filename)
			code, msg := decodeError(t, res)
			if res.StatusCode != tc.status || code != tc.code {
				t.Errorf("answered %d %s (%s), want %d %s", res.StatusCode, code, msg, tc.status, tc.code)
			}
		})
	}
	res := e.do(t, http.MethodPost, "/api/v1/assets", `{"name":"json"}`, map[string]string{"Authorization": "Bearer " + e.agent.Token(), "Content-Type": "application/json"})
	if res.StatusCode != 400 {
		t.Errorf("a JSON upload answered %d", res.StatusCode)
	}
	if n := e.blobFiles(t); n != 0 {
		t.Errorf("refused uploads left %d files", n)
	}
	if as, _, err := e.agent.Assets(context.Background(), "", ""); err != nil || len(as) != 0 {
		t.Errorf("refused uploads left assets %+v, %v", as, err)
	}
	// Without a name, the file's is taken.
	res = e.upload(t, e.agent, nil, pdf, `C:\forms\Direct debit.pdf`)
	if res.StatusCode != 201 {
		code, msg := decodeError(t, res)
		t.Fatalf("upload without a name: %d %s %s", res.StatusCode, code, msg)
	}
	if as, _, _ := e.agent.Assets(context.Background(), "", ""); len(as) != 1 || as[0].Name != "Direct debit" {
		t.Errorf("named %+v", as)
	}
}

// failingAssets is a store that cannot record assets.
type failingAssets struct{ store.Store }

func (failingAssets) CreateAsset(context.Context, store.Asset) error {
	return tandem.Errorf(tandem.KindInternal, "the disk is full")
}

func TestAssetUploadLeavesNoFileWhenTheStoreFails(t *testing.T) {
	e := newEnv(t, nil, func(cfg *api.Config) { cfg.Store = failingAssets{cfg.Store} })
	res := e.upload(t, e.agent, map[string]string{"name": "Form"}, pdftest.PDF(1, false), "form.pdf")
	if res.StatusCode != 500 {
		t.Fatalf("answered %d", res.StatusCode)
	}
	if n := e.blobFiles(t); n != 0 {
		t.Errorf("the failed upload left %d files", n)
	}
}

func TestAssetFormFieldsAreOffered(t *testing.T) {
	e := newEnv(t, nil)
	a, err := e.agent.UploadAsset(context.Background(), "Form", "", "form.pdf", bytes.NewReader(pdftest.PDF(2, true)))
	if err != nil {
		t.Fatal(err)
	}
	want := []client.Field{
		{Type: room.FieldText, Label: "Full name", Page: 1, X: 0.1, Y: 0.075, W: 0.5, H: 0.025},
		{Type: room.FieldCheckbox, Label: "Agree", Page: 1, X: 0.1, Y: 0.8772727, W: 0.0294118, H: 0.0227273},
		{Type: room.FieldSelect, Label: "Term", Page: 2, X: 0.5, Y: 0.45, W: 0.5, H: 0.05, Options: []string{"12 months", "24 months"}},
	}
	if len(a.Fields) != len(want) {
		t.Fatalf("fields %+v, want %d", a.Fields, len(want))
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-6 }
	for i, w := range want {
		g := a.Fields[i]
		if g.Type != w.Type || g.Label != w.Label || g.Page != w.Page || g.Role != room.FieldByCustomer || g.Required ||
			!near(g.X, w.X) || !near(g.Y, w.Y) || !near(g.W, w.W) || !near(g.H, w.H) || fmt.Sprint(g.Options) != fmt.Sprint(w.Options) || g.ID == "" {
			t.Errorf("field %d: %+v, want %+v", i+1, g, w)
		}
	}
}

func TestAssetsForAgentsAndOtherAccounts(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	a, err := e.agent.UploadAsset(ctx, "Form", "Forms", "form.pdf", bytes.NewReader(pdftest.PDF(1, false)))
	if err != nil {
		t.Fatal(err)
	}
	agent := isoSignIn(t, e, e.account, "bo@acme.test", tandem.RoleAgent)
	if as, folders, err := agent.Assets(ctx, "", ""); err != nil || len(as) != 1 || len(folders) != 1 {
		t.Errorf("an agent lists %+v %v, %v", as, folders, err)
	}
	if _, err := agent.Asset(ctx, a.ID); err != nil {
		t.Errorf("an agent reads the asset: %v", err)
	}
	if f, err := agent.AssetFile(ctx, a.ID); err != nil {
		t.Errorf("an agent reads the file: %v", err)
	} else {
		f.Close()
	}
	name := "Mine"
	res := e.upload(t, agent, map[string]string{"name": "Agent's"}, pdftest.PDF(1, false), "a.pdf")
	if code, _ := decodeError(t, res); res.StatusCode != 403 || code != "forbidden" {
		t.Errorf("an agent's upload: %d %s", res.StatusCode, code)
	}
	if _, err := agent.UpdateAsset(ctx, a.ID, &name, nil); apiCode(t, err) != "forbidden" {
		t.Errorf("an agent's rename: %v", err)
	}
	if _, err := agent.SetAssetFields(ctx, a.ID, nil); apiCode(t, err) != "forbidden" {
		t.Errorf("an agent's fields: %v", err)
	}
	if err := agent.DeleteAsset(ctx, a.ID); apiCode(t, err) != "forbidden" {
		t.Errorf("an agent's delete: %v", err)
	}

	_, other := e.newAgent("Globex", "gia@globex.test", "Gia")
	if as, folders, err := other.Assets(ctx, "", ""); err != nil || len(as) != 0 || len(folders) != 0 {
		t.Errorf("another account lists %+v %v, %v", as, folders, err)
	}
	for what, err := range map[string]error{
		"read":   func() error { _, err := other.Asset(ctx, a.ID); return err }(),
		"file":   func() error { _, err := other.AssetFile(ctx, a.ID); return err }(),
		"rename": func() error { _, err := other.UpdateAsset(ctx, a.ID, &name, nil); return err }(),
		"fields": func() error { _, err := other.SetAssetFields(ctx, a.ID, nil); return err }(),
		"delete": other.DeleteAsset(ctx, a.ID),
	} {
		var ae *client.APIError
		if !asAPIError(err, &ae) || ae.StatusCode != 404 {
			t.Errorf("another account's %s: %v, want 404", what, err)
		}
	}
	if got, err := e.agent.Asset(ctx, a.ID); err != nil || got.Name != "Form" {
		t.Errorf("the asset after the others tried: %+v, %v", got, err)
	}
}
