package storetest

import (
	"strings"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

func testBrands(t *testing.T, open Open) {
	f := newFixture(t, open)
	if err := f.st.RenameAccount(ctx, f.account, "Northwind Bank"); err != nil {
		t.Fatal(err)
	}
	if a, err := f.st.Account(ctx, f.account); err != nil || a.Name != "Northwind Bank" {
		t.Errorf("after rename: %q, %v", a.Name, err)
	}
	if err := f.st.RenameAccount(ctx, "ac_missing", "x"); !tandem.IsKind(err, tandem.KindNotFound) {
		t.Errorf("rename a missing account: %v, want not found", err)
	}

	shaC := strings.Repeat("c", 64)
	if _, err := f.st.BrandImage(ctx, f.account, store.LogoOwner); !tandem.IsKind(err, tandem.KindNotFound) {
		t.Errorf("no logo yet: %v, want not found", err)
	}
	logo := store.BrandImage{SHA256: shaA, ContentType: "image/png", Width: 120, Height: 40, UpdatedAt: t0}
	if prev, err := f.st.SetBrandImage(ctx, f.account, store.LogoOwner, logo); err != nil || prev != "" {
		t.Fatalf("set logo: %q, %v", prev, err)
	}
	got, err := f.st.BrandImage(ctx, f.account, store.LogoOwner)
	if err != nil || got.SHA256 != shaA || got.ContentType != "image/png" || got.Width != 120 || got.Height != 40 || !got.UpdatedAt.Equal(stored(t0)) {
		t.Errorf("logo: %+v, %v", got, err)
	}
	if !f.inUse(t, f.account, shaA) || f.inUse(t, f.other, shaA) {
		t.Error("the logo keeps its file in its account only")
	}
	if _, err := f.st.BrandImage(ctx, f.other, store.LogoOwner); !tandem.IsKind(err, tandem.KindNotFound) {
		t.Errorf("another account's logo: %v, want not found", err)
	}
	// A photo is the user's, beside the logo.
	photo := store.BrandImage{SHA256: shaB, ContentType: "image/jpeg", Width: 64, Height: 64, UpdatedAt: t0}
	if _, err := f.st.SetBrandImage(ctx, f.account, f.agent.ID, photo); err != nil {
		t.Fatal(err)
	}
	acct, img, err := f.st.BrandImageByHash(ctx, shaB)
	if err != nil || acct != f.account || img.ContentType != "image/jpeg" {
		t.Errorf("photo by hash: %s %+v %v", acct, img, err)
	}
	logo.SHA256 = shaC
	if prev, err := f.st.SetBrandImage(ctx, f.account, store.LogoOwner, logo); err != nil || prev != shaA {
		t.Fatalf("replace logo: %q, %v; want the previous %s", prev, err, shaA)
	}
	if f.inUse(t, f.account, shaA) {
		t.Error("a replaced logo's file is still in use")
	}
	if _, _, err := f.st.BrandImageByHash(ctx, shaA); !tandem.IsKind(err, tandem.KindNotFound) {
		t.Errorf("a replaced logo is found by its hash: %v", err)
	}
	if prev, err := f.st.DeleteBrandImage(ctx, f.account, store.LogoOwner); err != nil || prev != shaC {
		t.Errorf("delete logo: %q, %v", prev, err)
	}
	if prev, err := f.st.DeleteBrandImage(ctx, f.account, store.LogoOwner); err != nil || prev != "" {
		t.Errorf("delete no logo: %q, %v", prev, err)
	}
	if got, err := f.st.BrandImage(ctx, f.account, f.agent.ID); err != nil || got.SHA256 != shaB {
		t.Errorf("deleting the logo touched the photo: %+v %v", got, err)
	}

	// The fixture has two accounts: none is the sole one.
	if _, ok, err := f.st.SoleAccount(ctx); err != nil || ok {
		t.Errorf("sole account of two: %v %v", ok, err)
	}
	one := open(t)
	id := newAccount(t, one)
	if got, ok, err := one.SoleAccount(ctx); err != nil || !ok || got != id {
		t.Errorf("sole account: %q %v %v, want %s", got, ok, err, id)
	}
}
