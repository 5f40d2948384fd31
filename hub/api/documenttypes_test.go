package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// typeCodes lists c's catalog (q, includeRetired) as its codes.
func typeCodes(t *testing.T, c *client.Client, q string, includeRetired bool) string {
	t.Helper()
	ts, err := c.DocumentTypes(context.Background(), q, includeRetired)
	if err != nil {
		t.Fatalf("document types %q: %v", q, err)
	}
	codes := make([]string, len(ts))
	for i, dt := range ts {
		codes[i] = dt.Code
	}
	return strings.Join(codes, ",")
}

func TestDocumentTypesSeeded(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	agent := isoSignIn(t, e, e.account, "bo@acme.test", tandem.RoleAgent)
	// Agents and an admin open the catalog at once, the first time: the
	// preset types are written once.
	var wg sync.WaitGroup
	for _, c := range []*client.Client{e.agent, agent, e.agent, agent} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.DocumentTypes(ctx, "", false); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	ts, err := agent.DocumentTypes(ctx, "", false)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, dt := range ts {
		if !room.ValidID("dt", dt.ID) || dt.Retired {
			t.Errorf("a preset type: %+v", dt)
		}
		lines = append(lines, dt.Category+"/"+dt.Code+"/"+dt.Name)
	}
	want := []string{
		"Address/proof_of_address/Proof of address",
		"Identity/drivers_license/Driver's license (front and back)",
		"Identity/passport/Passport",
		"Identity/photo_id/Photo ID",
		"Income/bank_statement/Bank statement",
		"Income/pay_stub/Pay stub",
		"Income/tax_return/Tax return",
		"Insurance/insurance_card/Insurance card",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("the preset catalog:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	for _, tc := range []struct{ q, want string }{
		{"INCOME", "bank_statement,pay_stub,tax_return"},
		{"photo", "photo_id"},
		{"_id", "photo_id"}, // the code
		{"license", "drivers_license"},
		{"%", ""},
		{"nothing", ""},
	} {
		if got := typeCodes(t, agent, tc.q, false); got != tc.want {
			t.Errorf("search %q: %q, want %q", tc.q, got, tc.want)
		}
	}
	res := e.do(t, http.MethodGet, "/api/v1/document-types?include_retired=maybe", "", map[string]string{"Authorization": "Bearer " + agent.Token()})
	if code, _ := decodeError(t, res); res.StatusCode != http.StatusBadRequest || code != "invalid" {
		t.Errorf("include_retired=maybe: %d %s, want 400 invalid", res.StatusCode, code)
	}
	res = e.do(t, http.MethodGet, "/api/v1/document-types?q="+strings.Repeat("x", 101), "", map[string]string{"Authorization": "Bearer " + agent.Token()})
	if code, _ := decodeError(t, res); res.StatusCode != http.StatusBadRequest || code != "invalid" {
		t.Errorf("a search of 101 bytes: %d %s, want 400 invalid", res.StatusCode, code)
	}
}

func TestDocumentTypesAdmin(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	agent := isoSignIn(t, e, e.account, "bo@acme.test", tandem.RoleAgent)

	// Before anyone listed the catalog: a preset's code is taken already.
	_, err := e.agent.CreateDocumentType(ctx, client.NewDocumentType{Code: "passport", Name: "Our passport", Category: "Identity"})
	if code := apiCode(t, err); code != "code_taken" {
		t.Errorf("creating a preset's code: %s, want code_taken", code)
	}
	w2, err := e.agent.CreateDocumentType(ctx, client.NewDocumentType{Code: " w2_form ", Name: "  W-2 form ", Category: "Income ", Description: "Last year's\nboth pages"})
	if err != nil {
		t.Fatal(err)
	}
	if !room.ValidID("dt", w2.ID) || w2.Code != "w2_form" || w2.Name != "W-2 form" || w2.Category != "Income" || w2.Description != "Last year's\nboth pages" || w2.Retired {
		t.Errorf("created %+v", w2)
	}
	if got := typeCodes(t, agent, "income", false); got != "bank_statement,pay_stub,tax_return,w2_form" {
		t.Errorf("income after the create: %q", got)
	}
	_, err = e.agent.CreateDocumentType(ctx, client.NewDocumentType{Code: "w2_form", Name: "Another", Category: "Income"})
	if code := apiCode(t, err); code != "code_taken" {
		t.Errorf("the same code again: %s, want code_taken", code)
	}
	var apiErr *client.APIError
	if !asAPIError(err, &apiErr) || apiErr.StatusCode != http.StatusConflict {
		t.Errorf("code_taken answered %v, want 409", err)
	}

	// Agents who are not admins read, and only read.
	_, err = agent.CreateDocumentType(ctx, client.NewDocumentType{Code: "agent_type", Name: "Agent's", Category: "Other"})
	if !asAPIError(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden {
		t.Errorf("an agent creating a type: %v, want 403", err)
	}
	name := "Renamed by an agent"
	_, err = agent.UpdateDocumentType(ctx, w2.ID, client.DocumentTypePatch{Name: &name})
	if !asAPIError(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden {
		t.Errorf("an agent renaming a type: %v, want 403", err)
	}

	// Rename, recategorise; the code stays.
	name, category, desc := "Form W-2", "Taxes", ""
	got, err := e.agent.UpdateDocumentType(ctx, w2.ID, client.DocumentTypePatch{Name: &name, Category: &category, Description: &desc})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != w2.ID || got.Code != "w2_form" || got.Name != "Form W-2" || got.Category != "Taxes" || got.Description != "" {
		t.Errorf("updated %+v", got)
	}
	res := e.do(t, http.MethodPatch, "/api/v1/document-types/"+w2.ID, `{"code":"w2"}`,
		map[string]string{"Authorization": "Bearer " + e.agent.Token(), "Content-Type": "application/json"})
	if code, _ := decodeError(t, res); res.StatusCode != http.StatusBadRequest || code != "invalid_code" {
		t.Errorf("changing the code: %d %s, want 400 invalid_code", res.StatusCode, code)
	}
	res = e.do(t, http.MethodPatch, "/api/v1/document-types/"+w2.ID, `{"code":"w2_form","name":"Form W-2 (both copies)"}`,
		map[string]string{"Authorization": "Bearer " + e.agent.Token(), "Content-Type": "application/json"})
	if res.StatusCode != http.StatusOK {
		t.Errorf("a patch that repeats the type's own code: %d, want 200", res.StatusCode)
	}

	// Retire: hidden from the default list and from searches, listed with
	// include_retired; restore brings it back.
	yes, no := true, false
	if got, err = e.agent.UpdateDocumentType(ctx, w2.ID, client.DocumentTypePatch{Retired: &yes}); err != nil || !got.Retired || got.Name != "Form W-2 (both copies)" {
		t.Fatalf("retired: %+v, %v", got, err)
	}
	if got := typeCodes(t, agent, "", false); strings.Contains(got, "w2_form") {
		t.Errorf("a retired type is listed: %q", got)
	}
	if got := typeCodes(t, agent, "w-2", false); got != "" {
		t.Errorf("a retired type is found: %q", got)
	}
	if got := typeCodes(t, e.agent, "w-2", true); got != "w2_form" {
		t.Errorf("with include_retired: %q, want w2_form", got)
	}
	_, err = e.agent.CreateDocumentType(ctx, client.NewDocumentType{Code: "w2_form", Name: "W-2", Category: "Income"})
	if code := apiCode(t, err); code != "code_taken" {
		t.Errorf("a retired type's code: %s, want code_taken", code)
	}
	if got, err = e.agent.UpdateDocumentType(ctx, w2.ID, client.DocumentTypePatch{Retired: &no}); err != nil || got.Retired {
		t.Fatalf("restored: %+v, %v", got, err)
	}
	if got := typeCodes(t, agent, "w-2", false); got != "w2_form" {
		t.Errorf("a restored type: %q, want w2_form", got)
	}

	// Another account's admin: its own catalog, and 404 for this one's type.
	_, other := e.newAgent("Globex", "gia@globex.test", "Gia")
	if got := typeCodes(t, other, "w2", true); got != "" {
		t.Errorf("another account sees %q", got)
	}
	_, err = other.UpdateDocumentType(ctx, w2.ID, client.DocumentTypePatch{Retired: &yes})
	if code := apiCode(t, err); code != "document_type_not_found" {
		t.Errorf("another account's admin patching: %s, want document_type_not_found", code)
	}
	if _, err := other.CreateDocumentType(ctx, client.NewDocumentType{Code: "w2_form", Name: "W-2", Category: "Income"}); err != nil {
		t.Errorf("another account takes the same code: %v", err)
	}
	_, err = e.agent.UpdateDocumentType(ctx, room.NewID("dt"), client.DocumentTypePatch{Retired: &yes})
	if code := apiCode(t, err); code != "document_type_not_found" {
		t.Errorf("an unknown type: %s, want document_type_not_found", code)
	}
	res = e.do(t, http.MethodPatch, "/api/v1/document-types/dt_nope", `{}`, map[string]string{"Authorization": "Bearer " + e.agent.Token()})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("a malformed id: %d, want 404", res.StatusCode)
	}
}

func TestDocumentTypeValidation(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	ok := client.NewDocumentType{Code: "lease", Name: "Lease", Category: "Housing"}
	with := func(f func(*client.NewDocumentType)) client.NewDocumentType {
		in := ok
		f(&in)
		return in
	}
	for _, tc := range []struct {
		what string
		in   client.NewDocumentType
		code string
	}{
		{"no code", with(func(in *client.NewDocumentType) { in.Code = "" }), "invalid_code"},
		{"upper case", with(func(in *client.NewDocumentType) { in.Code = "Lease" }), "invalid_code"},
		{"a digit first", with(func(in *client.NewDocumentType) { in.Code = "1lease" }), "invalid_code"},
		{"a dash", with(func(in *client.NewDocumentType) { in.Code = "lease-2" }), "invalid_code"},
		{"41 characters", with(func(in *client.NewDocumentType) { in.Code = "l" + strings.Repeat("x", 40) }), "invalid_code"},
		{"no name", with(func(in *client.NewDocumentType) { in.Name = "  " }), "invalid_name"},
		{"101 characters", with(func(in *client.NewDocumentType) { in.Name = strings.Repeat("é", 101) }), "invalid_name"},
		{"a bidi control", with(func(in *client.NewDocumentType) { in.Name = "Lease\u202e" }), "invalid_name"},
		{"a line break in the name", with(func(in *client.NewDocumentType) { in.Name = "Lea\nse" }), "invalid_name"},
		{"no category", with(func(in *client.NewDocumentType) { in.Category = "" }), "invalid_category"},
		{"61 characters", with(func(in *client.NewDocumentType) { in.Category = strings.Repeat("c", 61) }), "invalid_category"},
		{"501 characters", with(func(in *client.NewDocumentType) { in.Description = strings.Repeat("d", 501) }), "invalid_description"},
		{"a zero-width space", with(func(in *client.NewDocumentType) { in.Description = "a\u200bb" }), "invalid_description"},
	} {
		_, err := e.agent.CreateDocumentType(ctx, tc.in)
		var apiErr *client.APIError
		if !asAPIError(err, &apiErr) || apiErr.Code != tc.code || apiErr.StatusCode != http.StatusBadRequest || apiErr.Message == "" {
			t.Errorf("%s: %v, want 400 %s", tc.what, err, tc.code)
		}
	}
	edge := with(func(in *client.NewDocumentType) {
		in.Code, in.Name, in.Category, in.Description = "l"+strings.Repeat("x", 39), strings.Repeat("é", 100), strings.Repeat("c", 60), strings.Repeat("d", 499)+"\n"
	})
	if _, err := e.agent.CreateDocumentType(ctx, edge); err != nil {
		t.Errorf("every part at its limit: %v", err)
	}
	if got := typeCodes(t, e.agent, "lease", true); got != "" {
		t.Errorf("a refused type was kept: %q", got)
	}
	dt, err := e.agent.CreateDocumentType(ctx, ok)
	if err != nil {
		t.Fatal(err)
	}
	empty, long := "", strings.Repeat("c", 61)
	for _, tc := range []struct {
		what  string
		patch client.DocumentTypePatch
		code  string
	}{
		{"an empty name", client.DocumentTypePatch{Name: &empty}, "invalid_name"},
		{"an empty category", client.DocumentTypePatch{Category: &empty}, "invalid_category"},
		{"a long category", client.DocumentTypePatch{Category: &long}, "invalid_category"},
	} {
		_, err := e.agent.UpdateDocumentType(ctx, dt.ID, tc.patch)
		if code := apiCode(t, err); code != tc.code {
			t.Errorf("%s: %s, want %s", tc.what, code, tc.code)
		}
	}
	ts, err := e.agent.DocumentTypes(ctx, "lease", false)
	if err != nil || len(ts) != 1 || ts[0] != dt {
		t.Errorf("after refused patches: %+v, %v, want %+v", ts, err, dt)
	}
}

// A document request looks its type up by id, on any instance: retired
// types resolve (a request already made names one), another account's do
// not.
func TestDocumentTypeLookup(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	ts, err := e.agent.DocumentTypes(ctx, "passport", false)
	if err != nil || len(ts) != 1 {
		t.Fatalf("passport: %+v, %v", ts, err)
	}
	yes := true
	if _, err := e.agent.UpdateDocumentType(ctx, ts[0].ID, client.DocumentTypePatch{Retired: &yes}); err != nil {
		t.Fatal(err)
	}
	p := e.peer() // an instance that has not read the catalog yet
	got, err := p.hub.DocumentTypeForTest(ctx, e.account, ts[0].ID)
	if err != nil || got.Code != "passport" || got.Name != "Passport" || !got.Retired || got.Account != e.account {
		t.Errorf("a retired type looked up on another instance: %+v, %v", got, err)
	}
	other, _ := e.newAgent("Globex", "gia@globex.test", "Gia")
	if _, err := p.hub.DocumentTypeForTest(ctx, other, ts[0].ID); tandem.ErrorCode(err) != "document_type_not_found" {
		t.Errorf("another account's type: %v, want document_type_not_found", err)
	}
	// The other account's catalog was seeded by the look-up: its own
	// presets are there, with ids of their own.
	if ots, err := p.hub.DocumentTypeForTest(ctx, other, room.NewID("dt")); tandem.ErrorCode(err) != "document_type_not_found" {
		t.Errorf("an unknown id: %+v, %v", ots, err)
	}
	n, err := e.st.DocumentTypes(ctx, other, store.DocumentTypeQuery{Q: "passport"})
	if err != nil || len(n) != 1 || n[0].ID == ts[0].ID {
		t.Errorf("the other account's presets after a look-up: %+v, %v", n, err)
	}
}
