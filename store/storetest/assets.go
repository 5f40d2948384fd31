package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// newAsset creates an asset of account named name in folder.
func newAsset(t *testing.T, st store.Store, account, name, folder, sha string) store.Asset {
	t.Helper()
	a := store.Asset{ID: room.NewID("as"), Account: account, Name: name, Folder: folder, Pages: 2,
		SHA256: sha, Size: 1234, CreatedBy: room.NewID("us"), CreatedAt: t0.In(elsewhere), UpdatedAt: t0}
	if err := st.CreateAsset(ctx, a); err != nil {
		t.Fatalf("create asset %s: %v", name, err)
	}
	a.CreatedAt, a.UpdatedAt = stored(t0), stored(t0)
	a.Fields = []room.Field{} // one asset read alone carries its fields, none yet
	return a
}

func assetNames(as []store.Asset) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.Name
	}
	return strings.Join(names, ",")
}

var (
	shaA = strings.Repeat("a", 64)
	shaB = strings.Repeat("b", 64)
)

func testAssets(t *testing.T, open Open) {
	f := newFixture(t, open)
	st := f.st
	a := newAsset(t, st, f.account, "Credit application", "Auto loans/Credit", shaA)
	newAsset(t, st, f.account, "ID check", "", shaB)
	newAsset(t, st, f.account, "auto Lease", "Auto loans", shaB)
	newAsset(t, st, f.other, "Credit application (other)", "Elsewhere", shaA)

	got, err := st.Asset(ctx, f.account, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.Fields = []room.Field{}
	wantEqual(t, "asset", got, a)
	if err := st.CreateAsset(ctx, a); !tandem.IsKind(err, tandem.KindConflict) {
		t.Errorf("creating an asset again: %v, want a conflict", err)
	}

	for _, tc := range []struct {
		q    store.AssetQuery
		want string
	}{
		{store.AssetQuery{}, "auto Lease,Credit application,ID check"},
		{store.AssetQuery{Search: "CREDIT"}, "Credit application"},
		{store.AssetQuery{Search: "a"}, "auto Lease,Credit application"},
		{store.AssetQuery{Search: "%"}, ""},
		{store.AssetQuery{Folder: "Auto loans"}, "auto Lease"},
		{store.AssetQuery{Folder: "auto loans"}, ""},
		{store.AssetQuery{Limit: 1}, "auto Lease"},
	} {
		as, err := st.Assets(ctx, f.account, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if names := assetNames(as); names != tc.want {
			t.Errorf("assets %+v: %q, want %q", tc.q, names, tc.want)
		}
		for _, x := range as {
			if x.Fields != nil {
				t.Errorf("a listing carries fields: %+v", x)
			}
		}
	}
	folders, err := st.AssetFolders(ctx, f.account)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "folders", folders, []string{"Auto loans", "Auto loans/Credit"})
	if folders, err := st.AssetFolders(ctx, room.NewID("ac")); err != nil || folders == nil || len(folders) != 0 {
		t.Errorf("folders of an account without assets: %#v, %v", folders, err)
	}

	later := t0.Add(time.Hour)
	moved, err := st.UpdateAsset(ctx, f.account, a.ID, "Loan application", "Archive", later)
	if err != nil {
		t.Fatal(err)
	}
	a.Name, a.Folder, a.UpdatedAt = "Loan application", "Archive", stored(later)
	wantEqual(t, "renamed asset", moved, a)
	if as, _ := st.Assets(ctx, f.account, store.AssetQuery{Search: "loan"}); assetNames(as) != "Loan application" {
		t.Errorf("search after the rename: %q", assetNames(as))
	}
}

func testAssetFields(t *testing.T, open Open) {
	f := newFixture(t, open)
	a := newAsset(t, f.st, f.account, "Form", "", shaA)
	if got, _ := f.st.Asset(ctx, f.account, a.ID); got.Fields == nil || len(got.Fields) != 0 {
		t.Errorf("a new asset has fields %+v", got.Fields)
	}
	fields := []room.Field{
		{ID: "fd_1", Type: room.FieldText, Role: room.FieldByCustomer, Required: true, Label: "Näme", Page: 1, X: 0.125, Y: 0.1, W: 0.5, H: 0.05},
		{ID: "fd_2", Type: room.FieldSelect, Role: room.FieldByAgent, Label: "Term", Page: 2, X: 0, Y: 0.9, W: 1, H: 0.1, Options: []string{"12", "24"}},
	}
	at := t0.Add(time.Minute)
	got, err := f.st.SetAssetFields(ctx, f.account, a.ID, fields, at)
	if err != nil {
		t.Fatal(err)
	}
	a.Fields, a.UpdatedAt = fields, stored(at)
	wantEqual(t, "asset with fields", got, a)
	if got, err = f.st.Asset(ctx, f.account, a.ID); err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "asset with fields read again", got, a)
	if got, err = f.st.SetAssetFields(ctx, f.account, a.ID, nil, at); err != nil || len(got.Fields) != 0 {
		t.Errorf("clearing the fields: %+v, %v", got.Fields, err)
	}
}

func testAssetsScoped(t *testing.T, open Open) {
	f := newFixture(t, open)
	a := newAsset(t, f.st, f.account, "Mine", "Mine", shaA)
	if _, err := f.st.Asset(ctx, f.other, a.ID); err != nil {
		wantErr(t, err, tandem.KindNotFound, "asset_not_found")
	} else {
		t.Fatal("another account read the asset")
	}
	_, err := f.st.UpdateAsset(ctx, f.other, a.ID, "Theirs", "", t0)
	wantErr(t, err, tandem.KindNotFound, "asset_not_found")
	_, err = f.st.SetAssetFields(ctx, f.other, a.ID, nil, t0)
	wantErr(t, err, tandem.KindNotFound, "asset_not_found")
	_, err = f.st.DeleteAsset(ctx, f.other, a.ID)
	wantErr(t, err, tandem.KindNotFound, "asset_not_found")
	if as, _ := f.st.Assets(ctx, f.other, store.AssetQuery{}); len(as) != 0 {
		t.Errorf("another account lists %q", assetNames(as))
	}
	if fs, _ := f.st.AssetFolders(ctx, f.other); len(fs) != 0 {
		t.Errorf("another account lists folders %q", fs)
	}
	if used, err := f.st.FileInUse(ctx, f.other, shaA); err != nil || used {
		t.Errorf("another account's file in use: %v, %v", used, err)
	}
	if got, err := f.st.Asset(ctx, f.account, a.ID); err != nil || got.Name != "Mine" {
		t.Errorf("the asset after another account's attempts: %+v, %v", got, err)
	}
}

func testDeleteAsset(t *testing.T, open Open) {
	f := newFixture(t, open)
	a := newAsset(t, f.st, f.account, "One", "F", shaA)
	b := newAsset(t, f.st, f.account, "Two", "", shaA)
	got, err := f.st.DeleteAsset(ctx, f.account, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "deleted asset", got, a)
	_, err = f.st.Asset(ctx, f.account, a.ID)
	wantErr(t, err, tandem.KindNotFound, "asset_not_found")
	_, err = f.st.DeleteAsset(ctx, f.account, a.ID)
	wantErr(t, err, tandem.KindNotFound, "asset_not_found")
	if fs, _ := f.st.AssetFolders(ctx, f.account); len(fs) != 0 {
		t.Errorf("the deleted asset's folder is still listed: %q", fs)
	}
	if used, err := f.st.FileInUse(ctx, f.account, shaA); err != nil || !used {
		t.Errorf("the file another asset keeps: in use %v, %v", used, err)
	}
	if _, err := f.st.DeleteAsset(ctx, f.account, b.ID); err != nil {
		t.Fatal(err)
	}
	if used, err := f.st.FileInUse(ctx, f.account, shaA); err != nil || used {
		t.Errorf("the file no asset keeps: in use %v, %v", used, err)
	}
}
