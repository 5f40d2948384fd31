package api_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/room"
)

// photo is a JPEG of w × h pixels, as a phone's camera would send.
func photo(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// heic is the start of an iPhone's HEIC photo: what the hub judges it by.
func heic() []byte {
	b := append([]byte{0, 0, 0, 24}, "ftypheic\x00\x00\x00\x00mif1heic"...)
	return append(b, bytes.Repeat([]byte{0}, 2048)...)
}

// typeByCode finds a document type of the agent's catalog by its code.
func typeByCode(t *testing.T, c *client.Client, code string) client.DocumentType {
	t.Helper()
	ts, err := c.DocumentTypes(context.Background(), "", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, dt := range ts {
		if dt.Code == code {
			return dt
		}
	}
	t.Fatalf("no type %s in the catalog", code)
	return client.DocumentType{}
}

// The agent asks for two documents at once; the customer uploads, sends,
// is rejected with a reason, uploads again and is accepted; the agent
// watches it live and reads every file, of every round.
func TestDocumentRequestRounds(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	st := e.liveRoom()
	sub, err := e.agent.Subscribe(ctx, st.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	id, stub := typeByCode(t, e.agent, "photo_id"), typeByCode(t, e.agent, "pay_stub")
	rs, err := e.agent.AddRequests(ctx, st.ID, client.RequestItem{TypeID: id.ID}, client.RequestItem{TypeID: stub.ID, Note: "last two months"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Type.Code != "photo_id" || rs[1].Note != "last two months" || rs[1].Status != room.RequestRequested || rs[0].Files == nil {
		t.Fatalf("requests: %+v", rs)
	}
	nextOfType(t, sub, room.TypeRequestAdded)
	nextOfType(t, sub, room.TypeRequestAdded)
	req := rs[0].ID

	cust := e.customer(st.ID)
	if _, err := cust.ReviewRequest(ctx, st.ID, req, "accept", ""); apiCode(t, err) != "unauthorized" {
		t.Fatalf("a customer reviewed: %v", err)
	}
	if _, err := cust.SubmitRequest(ctx, st.ID, req); apiCode(t, err) != "file_required" {
		t.Fatalf("sent without a file: %v", err)
	}
	blurry := photo(t, 320, 200)
	_, first, err := cust.UploadRequestFile(ctx, st.ID, req, "IMG_0001.jpg", bytes.NewReader(blurry))
	if err != nil || first.ContentType != "image/jpeg" || first.Size != int64(len(blurry)) || first.Name != "IMG_0001.jpg" {
		t.Fatalf("upload: %+v, %v", first, err)
	}
	if ev := nextOfType(t, sub, room.TypeRequestFileUploaded); !strings.Contains(string(ev.Data), first.ID) {
		t.Fatalf("request.file_uploaded: %s", ev.Data)
	}
	back, _, err := cust.UploadRequestFile(ctx, st.ID, req, "back.png", bytes.NewReader(pdftest.PNG(40, 30)))
	if err != nil || len(back.Files) != 2 || back.Files[1].ContentType != "image/png" {
		t.Fatalf("a second file: %+v, %v", back, err)
	}
	if back, err = cust.RemoveRequestFile(ctx, st.ID, req, back.Files[1].ID); err != nil || len(back.Files) != 1 {
		t.Fatalf("taking one back: %+v, %v", back, err)
	}
	if _, err := e.agent.ReviewRequest(ctx, st.ID, req, "accept", ""); apiCode(t, err) != "request_requested" {
		t.Fatalf("reviewed before it was sent: %v", err)
	}
	sent, err := cust.SubmitRequest(ctx, st.ID, req)
	if err != nil || sent.Status != room.RequestUploaded {
		t.Fatalf("sent: %+v, %v", sent, err)
	}
	nextOfType(t, sub, room.TypeRequestSubmitted)
	if _, err := e.agent.ReviewRequest(ctx, st.ID, req, "reject", " "); apiCode(t, err) != "reason_required" {
		t.Fatalf("rejected without a reason: %v", err)
	}
	rejected, err := e.agent.ReviewRequest(ctx, st.ID, req, "reject", "Blurry")
	if err != nil || rejected.Status != room.RequestRejected || rejected.Reason != "Blurry" {
		t.Fatalf("rejected: %+v, %v", rejected, err)
	}
	view, err := cust.Room(ctx, st.ID)
	if err != nil || view.Requests[0].Status != room.RequestRejected || view.Requests[0].Reason != "Blurry" {
		t.Fatalf("the customer's view after the rejection: %+v, %v", view.Requests, err)
	}
	sharp := photo(t, 640, 400)
	again, second, err := cust.UploadRequestFile(ctx, st.ID, req, "IMG_0002.jpg", bytes.NewReader(sharp))
	if err != nil || again.Status != room.RequestRequested || len(again.Files) != 1 || again.Files[0].ID != second.ID {
		t.Fatalf("a new round: %+v, %v", again, err)
	}
	if _, err := cust.SubmitRequest(ctx, st.ID, req); err != nil {
		t.Fatal(err)
	}
	accepted, err := e.agent.ReviewRequest(ctx, st.ID, req, "accept", "")
	if err != nil || accepted.Status != room.RequestAccepted || accepted.Reason != "" {
		t.Fatalf("accepted: %+v, %v", accepted, err)
	}
	if _, _, err := cust.UploadRequestFile(ctx, st.ID, req, "more.jpg", bytes.NewReader(sharp)); apiCode(t, err) != "request_accepted" {
		t.Fatalf("an upload after acceptance: %v", err)
	}

	// Every round's file reads back, to the agent and to the customer; the
	// browser is told not to guess its type nor run it.
	for _, c := range []struct {
		who  *client.Client
		file room.RequestFile
		want []byte
	}{{e.agent, first, blurry}, {e.agent, second, sharp}, {cust, first, blurry}} {
		rc, err := c.who.RequestFileContent(ctx, st.ID, req, c.file.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, c.want) {
			t.Fatalf("file %s reads back %d bytes, want %d", c.file.ID, len(got), len(c.want))
		}
	}
	res := e.do(t, http.MethodGet, "/api/v1/rooms/"+st.ID+"/requests/"+req+"/files/"+second.ID+"?download=1", "", map[string]string{"Authorization": "Bearer " + e.agent.Token()})
	h := res.Header
	if res.StatusCode != http.StatusOK || h.Get("Content-Type") != "image/jpeg" || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox") || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("the file's answer: %d %v", res.StatusCode, h)
	}

	// Another account's agent finds none of it.
	_, stranger := e.newAgent("Globex", "gil@globex.test", "Gil")
	if _, err := stranger.ReviewRequest(ctx, st.ID, rs[1].ID, "accept", ""); apiCode(t, err) != "room_not_found" {
		t.Fatalf("another account's agent reviewed: %v", err)
	}
	if _, err := stranger.RequestFileContent(ctx, st.ID, req, first.ID); apiCode(t, err) != "room_not_found" {
		t.Fatalf("another account's agent read a file: %v", err)
	}
	if _, err := stranger.AddRequests(ctx, st.ID, client.RequestItem{TypeID: id.ID}); apiCode(t, err) != "room_not_found" {
		t.Fatalf("another account's agent asked: %v", err)
	}
	// Nor may an agent ask with another account's type.
	globexType := typeByCode(t, stranger, "photo_id")
	if _, err := e.agent.AddRequests(ctx, st.ID, client.RequestItem{TypeID: globexType.ID}); apiCode(t, err) != "document_type_not_found" {
		t.Fatalf("another account's type: %v", err)
	}
}

// Uploads are judged by their bytes, within the limits of documents.
func TestRequestUploadSniffingAndLimits(t *testing.T) {
	e := newEnv(t, nil, func(cfg *api.Config) { cfg.MaxImageBytes = 64 << 10 })
	ctx := context.Background()
	st := e.liveRoom()
	rs, err := e.agent.AddRequests(ctx, st.ID, client.RequestItem{TypeID: typeByCode(t, e.agent, "drivers_license").ID})
	if err != nil {
		t.Fatal(err)
	}
	req := rs[0].ID
	cust := e.customer(st.ID)
	for _, c := range []struct {
		name    string
		content []byte
		code    string
		kind    string
	}{
		{"front.jpg", photo(t, 200, 120), "", "image/jpeg"},
		{"IMG_4000.HEIC", heic(), "", "image/heic"},
		{"statement.pdf", pdftest.PDF(1, false), "", "application/pdf"},
		{"photo.jpg", []byte("<html><script>alert(1)</script></html>"), "unsupported_type", ""},
		{"notes.jpg", []byte("just some text, not a photo at all"), "unsupported_type", ""},
		{"broken.jpg", append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte{1}, 100)...), "invalid_image", ""},
		{"empty.jpg", nil, "empty_file", ""},
		{"huge.jpg", photo(t, 1600, 1200), "too_large", ""},
	} {
		_, f, err := cust.UploadRequestFile(ctx, st.ID, req, c.name, bytes.NewReader(c.content))
		if c.code != "" {
			if got := apiCode(t, err); got != c.code {
				t.Errorf("%s: %s, want %s", c.name, got, c.code)
			}
			continue
		}
		if err != nil || f.ContentType != c.kind {
			t.Errorf("%s: %+v, %v; want %s", c.name, f, err, c.kind)
		}
	}
	if got, _ := cust.Room(ctx, st.ID); len(got.Requests[0].Files) != 3 {
		t.Fatalf("refused uploads were recorded: %+v", got.Requests[0].Files)
	}
	// A retired type cannot be asked for any more.
	admin := e.agent
	dt := typeByCode(t, admin, "passport")
	retired := true
	if _, err := admin.UpdateDocumentType(ctx, dt.ID, client.DocumentTypePatch{Retired: &retired}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AddRequests(ctx, st.ID, client.RequestItem{TypeID: dt.ID}); apiCode(t, err) != "document_type_retired" {
		t.Fatalf("a retired type: %v", err)
	}
}

// A pre-planned room's requests wait for Invite client, then reach the
// customer with it.
func TestRequestsInPreplannedRoom(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	st, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "+14155550134"}})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := e.agent.AddRequests(ctx, st.ID, client.RequestItem{TypeID: typeByCode(t, e.agent, "proof_of_address").ID, Note: "a utility bill"})
	if err != nil {
		t.Fatal(err)
	}
	if msgs, _ := e.agent.DevOutbox(ctx); len(msgs) != 0 {
		t.Fatalf("something went out before Invite client: %+v", msgs)
	}
	if _, err := e.agent.Invite(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	view, err := e.customer(st.ID).Room(ctx, st.ID)
	if err != nil || len(view.Requests) != 1 || view.Requests[0].ID != rs[0].ID || view.Requests[0].Note != "a utility bill" {
		t.Fatalf("the customer's room: %+v, %v", view.Requests, err)
	}
}
