package client

import (
	"io"
	"net/http"
	"sync"
	"testing"
)

func TestDocumentTypeEndpoints(t *testing.T) {
	var (
		mu  sync.Mutex
		got []string
	)
	photo := DocumentType{ID: "dt_1", Code: "photo_id", Name: "Photo ID", Category: "Identity", Description: "Any"}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		line := r.Method + " " + r.URL.RequestURI()
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			line += " " + string(b)
		}
		got = append(got, line)
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/document-types":
			writeJSON(w, 200, map[string]any{"document_types": []DocumentType{photo}})
		case r.Method == http.MethodPost && r.URL.Path == "/api/v1/document-types":
			writeError(w, 409, "code_taken", "Your account has a document type with the code \"photo_id\" already.")
		case r.Method == http.MethodPatch && r.URL.Path == "/api/v1/document-types/dt_1":
			retired := photo
			retired.Retired = true
			writeJSON(w, 200, map[string]any{"document_type": retired})
		}
	})
	c, _ := newTestClient(t, mux, WithToken("tok"))
	ctx := testCtx(t)

	ts, err := c.DocumentTypes(ctx, "", false)
	if err != nil || len(ts) != 1 || ts[0] != photo {
		t.Fatalf("DocumentTypes = %+v, %v", ts, err)
	}
	if _, err := c.DocumentTypes(ctx, "photo id", true); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateDocumentType(ctx, NewDocumentType{Code: "photo_id", Name: "Photo ID", Category: "Identity"})
	if ErrorCode(err) != "code_taken" {
		t.Fatalf("CreateDocumentType of a code taken: %v, want code_taken", err)
	}
	yes := true
	dt, err := c.UpdateDocumentType(ctx, "dt_1", DocumentTypePatch{Retired: &yes})
	if err != nil || !dt.Retired || dt.Code != "photo_id" {
		t.Fatalf("UpdateDocumentType = %+v, %v", dt, err)
	}
	name := ""
	if _, err := c.UpdateDocumentType(ctx, "dt_1", DocumentTypePatch{Name: &name}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	mustEqual(t, "requests", got, []string{
		`GET /api/v1/document-types`,
		`GET /api/v1/document-types?include_retired=1&q=photo+id`,
		`POST /api/v1/document-types {"code":"photo_id","name":"Photo ID","category":"Identity"}`,
		`PATCH /api/v1/document-types/dt_1 {"retired":true}`,
		`PATCH /api/v1/document-types/dt_1 {"name":""}`, // an empty name is sent, for the hub to refuse
	})
}
