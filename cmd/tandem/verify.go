package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// verifyUsage is what tandem verify -h prints before its flags.
const verifyUsage = `usage: tandem verify [-root FILE] [-room ID | -all] [FILE.pdf ...]

Checks, offline, what this hub keeps: the hash chain of one room's log
(-room) or of every room's (-all), in the store serve uses (DATABASE_URL,
or the SQLite file in TANDEM_DATA_DIR), and sealed PDFs given as
arguments. Exits with status 0 only when everything checks.
`

// errVerifyFailed is the verdict of a verification that found something
// wrong; the report says what.
var errVerifyFailed = errors.New("verification failed: see the report above")

// verify runs tandem verify with args (after the word verify): the
// report goes to stdout, and the error is nil only when everything
// checks.
func verify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, verifyUsage)
		fs.PrintDefaults()
	}
	roomID := fs.String("room", "", "check the hash chain of the room with this id")
	all := fs.Bool("all", false, "check the hash chain of every room")
	root := fs.String("root", "", "PEM `file` of the root certificate PDF seals must chain to (default: the hub's own)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("verify: %w", err)
	}
	pdfs := fs.Args()
	switch {
	case *roomID != "" && *all:
		return errors.New("verify: -room and -all are exclusive: check one room or all of them")
	case *roomID == "" && !*all && len(pdfs) == 0:
		fs.Usage()
		return errors.New("verify: nothing to check: give -room ID, -all or PDF files")
	}
	ok := true
	if *roomID != "" || *all {
		cfg, err := loadConfig(getenv)
		if err != nil {
			return err
		}
		st, err := openStoreToRead(ctx, cfg, stderr)
		if err != nil {
			return err
		}
		defer st.Close()
		rooms := roomChecker{st: st, out: stdout}
		if *all {
			err = rooms.checkAll(ctx)
		} else {
			err = rooms.checkOne(ctx, *roomID)
		}
		if err != nil {
			return err
		}
		ok = rooms.failed == 0
	}
	if len(pdfs) > 0 {
		roots, err := verifyRoots(ctx, *root, getenv)
		if err != nil {
			return err
		}
		for _, path := range pdfs {
			if !verifyPDF(path, roots, stdout) {
				ok = false
			}
		}
	}
	if !ok {
		return errVerifyFailed
	}
	return nil
}

// openStoreToRead opens the store serve would open (openStore), refusing
// to make an empty SQLite file where none is: a check of nothing must not
// pass.
func openStoreToRead(ctx context.Context, cfg config, stderr io.Writer) (store.Store, error) {
	if cfg.DatabaseURL == "" {
		path := filepath.Join(cfg.DataDir, "tandem.db")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("verify: no store at %s (set TANDEM_DATA_DIR to the hub's data directory, or DATABASE_URL): %w", path, err)
		}
	}
	return openStore(ctx, cfg, zerolog.New(stderr).Level(zerolog.WarnLevel))
}

// roomChecker checks the hash chains of rooms and reports each in plain
// words, counting those that do not check.
type roomChecker struct {
	st              store.Store
	out             io.Writer
	checked, failed int
}

// checkOne checks the room with id id, whatever its account.
func (c *roomChecker) checkOne(ctx context.Context, id string) error {
	ref, err := c.st.FindRoom(ctx, id)
	if err != nil {
		return fmt.Errorf("verify room %s: %w", id, err)
	}
	if err := c.check(ctx, ref); err != nil {
		return err
	}
	c.summary()
	return nil
}

// checkAll checks every room of every account, a page of rooms at a time.
func (c *roomChecker) checkAll(ctx context.Context) error {
	after := ""
	for {
		page, err := c.st.AllRooms(ctx, after, tandem.MaxRoomsPage)
		if err != nil {
			return fmt.Errorf("verify: list rooms: %w", err)
		}
		for _, ref := range page {
			if err := c.check(ctx, ref); err != nil {
				return err
			}
			after = ref.ID
		}
		if len(page) < tandem.MaxRoomsPage {
			break
		}
	}
	c.summary()
	return nil
}

// check reads a room's head, then its log up to that head, and reports
// whether the chain checks. An error means the room could not be read.
func (c *roomChecker) check(ctx context.Context, ref store.RoomRef) error {
	s, err := c.st.Room(ctx, ref.Account, ref.ID)
	if err != nil {
		return fmt.Errorf("verify room %s: %w", ref.ID, err)
	}
	// The head first: events a running hub appends meanwhile are left
	// for the next check.
	var log []room.Event
	for after := int64(0); ; {
		page, err := c.st.Events(ctx, ref.Account, ref.ID, after, tandem.MaxEventsPage)
		if err != nil {
			return fmt.Errorf("verify room %s: read its log after %d: %w", ref.ID, after, err)
		}
		for _, e := range page {
			if e.Seq <= s.Seq {
				log = append(log, e)
			}
		}
		if len(page) < tandem.MaxEventsPage || page[len(page)-1].Seq >= s.Seq {
			break
		}
		after = page[len(page)-1].Seq
	}
	c.checked++
	r, err := room.VerifyChain(log)
	if err == nil {
		err = room.CheckHead(s, r)
	}
	var ce *room.ChainError
	switch {
	case errors.As(err, &ce):
		c.failed++
		fmt.Fprintln(c.out, ce.Error())
		return nil
	case err != nil:
		return fmt.Errorf("verify room %s: %w", ref.ID, err)
	}
	fmt.Fprintln(c.out, describeChain(ref.ID, r))
	return nil
}

// describeChain says in plain words what the chain of a room that checks
// covers.
func describeChain(id string, r room.ChainReport) string {
	line := fmt.Sprintf("%s: %d %s, ", id, r.Events, plural(r.Events, "event", "events"))
	switch {
	case r.Events == 0:
		return line + "nothing to check"
	case r.Unchained == r.Events:
		return line + "all written before logs were chained: nothing to check"
	}
	line += "chain intact, head " + r.Head
	if r.Unchained > 0 {
		line += fmt.Sprintf("; the first %d written before logs were chained are not covered", r.Unchained)
	}
	for _, w := range r.Rewrites {
		line += fmt.Sprintf("; rewritten by an erasure at seq %d (the head before it was %s)", w.Seq, w.PreviousHead)
	}
	return line
}

// summary reports how many rooms were checked and how many failed.
func (c *roomChecker) summary() {
	rooms := plural(int64(c.checked), "room", "rooms")
	if c.failed == 0 {
		fmt.Fprintf(c.out, "%d %s checked: every chain intact\n", c.checked, rooms)
		return
	}
	fmt.Fprintf(c.out, "%d %s checked: %d failed\n", c.checked, rooms, c.failed)
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
