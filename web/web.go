// Package web holds Tandem's pages, embedded in the binary: the customer's
// room page, the agent console and the public page
// that checks signed PDFs (verify.html). The hub serves
// them with the same API everyone else uses; they hold no logic of their
// own.
//
// templates/ holds the pages the hub renders itself (the page a customer
// sees when their link does not open a room). static/ is written by hand. dist/ is the console, bundled from src/ by
// `make web` (esbuild) and not committed; a binary built without it serves
// static/console.html, a page that says how to build the console.
package web

import (
	"embed"
	"errors"
	"html/template"
	"io/fs"
)

//go:embed static all:dist templates
var files embed.FS

// linkPage is templates/link.html, parsed once.
var linkPage = template.Must(template.ParseFS(files, "templates/link.html"))

// LinkPage is the page a customer sees when their link cannot open a room:
// it takes a value with Title, Message and Code (the error's stable code,
// in data-code for tests and styling). It has no script.
func LinkPage() *template.Template { return linkPage }

// FS returns the pages and their assets: room.html, favicon.ico,
// console.html, verify.html and the files served under /static/. A file of dist/ hides
// the one of the same name in static/.
func FS() fs.FS {
	return layers{sub("dist"), sub("static")}
}

// Built reports whether the console was bundled into this binary.
func Built() bool {
	_, err := fs.Stat(sub("dist"), "console.js")
	return err == nil
}

func sub(dir string) fs.FS {
	s, err := fs.Sub(files, dir)
	if err != nil {
		panic("web: " + err.Error()) // the folders are embedded at build time
	}
	return s
}

// layers looks a name up in each file system in turn.
type layers []fs.FS

func (l layers) Open(name string) (fs.File, error) {
	var first error
	for _, f := range l {
		file, err := f.Open(name)
		if err == nil {
			return file, nil
		}
		if first == nil || !errors.Is(err, fs.ErrNotExist) {
			first = err
		}
	}
	return nil, first
}
