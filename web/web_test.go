package web_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/web"
)

// The pages are all there, and the console is the bundle when there is
// one, the placeholder that says how to build it otherwise.
func TestFS(t *testing.T) {
	f := web.FS()
	for _, name := range []string{"favicon.ico", "favicon.svg", "room.html", "room.js", "page.css", "console.css", "console.html", "verify.html", "verify.js", "verify.css"} {
		if _, err := fs.Stat(f, name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	b, err := fs.ReadFile(f, "console.html")
	if err != nil {
		t.Fatal(err)
	}
	bundled := strings.Contains(string(b), "/static/console.js")
	if bundled != web.Built() {
		t.Fatalf("console.html is the bundle's: %v; the bundle is built: %v", bundled, web.Built())
	}
	if !bundled && !strings.Contains(string(b), "make web") {
		t.Fatalf("the placeholder does not say how to build the console:\n%s", b)
	}
	// The room page's script is the bundle's when there is one.
	js, err := fs.ReadFile(f, "room.js")
	if err != nil {
		t.Fatal(err)
	}
	if placeholder := strings.Contains(string(js), "make web"); placeholder == web.Built() {
		t.Fatalf("room.js is the placeholder: %v; the bundle is built: %v", placeholder, web.Built())
	}
	// So is the verify page's.
	js, err = fs.ReadFile(f, "verify.js")
	if err != nil {
		t.Fatal(err)
	}
	if placeholder := strings.Contains(string(js), "make web"); placeholder == web.Built() {
		t.Fatalf("verify.js is the placeholder: %v; the bundle is built: %v", placeholder, web.Built())
	}
	if _, err := fs.Stat(f, "nothing.js"); err == nil {
		t.Fatal("a file that does not exist")
	}
}
