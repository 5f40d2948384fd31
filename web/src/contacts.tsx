// The Address book page (every agent): the account's contacts the agent may
// see (the account's contact scope; the hub decides), searched as one
// types; edit a contact's name, phone or email; delete one, which erases
// the person's details from every session they were in.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, message, type APIError } from "./api";
import { fullPhone } from "./words";

export type BookContact = {
  id: string;
  name: string;
  phone?: string;
  email?: string;
  last_used_at?: string;
};

// fieldOf names the form field an error of the hub is about.
function fieldOf(err: unknown): string {
  switch ((err as APIError)?.code) {
    case "invalid_name": return "name";
    case "invalid_phone": return "phone";
    case "invalid_email": return "email";
    case "contact_required": case "contact_exists": return "phone";
  }
  return "";
}

export function Contacts() {
  const [contacts, setContacts] = useState<BookContact[] | null>(null);
  const [q, setQ] = useState("");
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const reads = useRef(0);
  const load = () => {
    const n = ++reads.current;
    const params = new URLSearchParams({ limit: "100" });
    if (q.trim()) params.set("q", q.trim());
    api<{ contacts: BookContact[] }>("GET", "/contacts?" + params)
      .then((r) => {
        if (n !== reads.current) return;
        setContacts(r.contacts);
        setError("");
      })
      .catch((err) => setError(message(err)));
  };
  useEffect(() => {
    const t = setTimeout(load, q ? 250 : 0);
    return () => clearTimeout(t);
  }, [q]);

  return (
    <main class="page contacts">
      <h1>Address book</h1>
      <p class="muted">Every customer a session was started for, most recently used first.</p>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search contacts
          <input id="contact-search" type="search" placeholder="Name, phone or email" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        </label>
      </form>
      <p class="notice-bar" role="status" id="contacts-notice" hidden={!notice}>{notice}</p>
      {error && <p class="error" role="alert">{error}</p>}
      {contacts === null ? <p class="muted">Loading…</p> : contacts.length === 0 ? (
        <p class="muted" id="contacts-empty">{q.trim() ? "No contact matches." : "No contacts yet: they are added when you start a session."}</p>
      ) : (
        <ul class="contact-list" id="contacts">
          {contacts.map((c) => <ContactRow key={c.id} contact={c} onChanged={(s) => { setNotice(s); load(); }} />)}
        </ul>
      )}
    </main>
  );
}

function ContactRow({ contact: c, onChanged }: { contact: BookContact; onChanged: (notice: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function remove() {
    setBusy(true);
    setError("");
    try {
      await api("DELETE", "/contacts/" + c.id);
      onChanged(c.name + " is deleted, and their details are erased from their sessions.");
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  }
  const uid = "contact-" + c.id;
  return (
    <li class="contact" data-contact={c.id} aria-labelledby={uid + "-name"}>
      <div class="contact-row">
        <div class="contact-who">
          <strong id={uid + "-name"}>{c.name}</strong>
          <div class="muted small contact-ways">
            {c.phone && <span class="contact-phone">{fullPhone(c.phone)}</span>}
            {c.email && <span class="contact-email">{c.email}</span>}
          </div>
        </div>
        {!editing && !confirming && (
          <span class="contact-actions">
            <button type="button" class="secondary contact-edit" onClick={() => setEditing(true)} aria-label={"Edit " + c.name}>Edit</button>
            <button type="button" class="secondary danger contact-delete" onClick={() => setConfirming(true)} aria-label={"Delete " + c.name}>Delete</button>
          </span>
        )}
      </div>
      {editing && <ContactForm contact={c} onDone={(saved) => { setEditing(false); if (saved) onChanged(saved.name + " is saved."); }} />}
      {confirming && (
        <div class="confirm contact-confirm" role="group" aria-label={"Confirm deleting " + c.name}>
          <p>
            Delete {c.name}? They leave the address book, and their name, phone and email are erased from every session
            they were in (the sessions stay, with “Deleted contact”). Messages not yet sent to them are not sent.
            Documents already signed keep their audit trail. This cannot be undone.
          </p>
          <div class="bar">
            <button type="button" class="danger contact-delete-confirm" disabled={busy} onClick={remove}>Delete and erase</button>
            <button type="button" class="link" onClick={() => setConfirming(false)}>Cancel</button>
          </div>
        </div>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </li>
  );
}

function ContactForm({ contact: c, onDone }: { contact: BookContact; onDone: (saved: BookContact | null) => void }) {
  const [v, setV] = useState({ name: c.name, phone: c.phone ?? "", email: c.email ?? "" });
  const [error, setError] = useState("");
  const [bad, setBad] = useState("");
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof v) => (e: Event) => setV({ ...v, [k]: (e.target as HTMLInputElement).value });
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    setBad("");
    try {
      const r = await api<BookContact>("PATCH", "/contacts/" + c.id, v);
      onDone(r);
    } catch (err) {
      setError(message(err));
      setBad(fieldOf(err));
    } finally {
      setBusy(false);
    }
  }
  const id = "edit-" + c.id;
  const invalid = (k: string) => (bad === k ? "true" : undefined);
  return (
    <form class="stack contact-form" id={id} onSubmit={submit} aria-label={"Edit " + c.name} aria-describedby={id + "-error"}>
      <label>Name <input name="name" value={v.name} onInput={set("name")} required maxLength={200} autocomplete="off" aria-invalid={invalid("name")} /></label>
      <label>Phone <input name="phone" type="tel" value={v.phone} onInput={set("phone")} autocomplete="off" aria-invalid={invalid("phone")} /></label>
      <label>Email <input name="email" type="email" value={v.email} onInput={set("email")} autocomplete="off" spellcheck={false} aria-invalid={invalid("email")} /></label>
      <p class="error" id={id + "-error"} role="alert">{error}</p>
      <div class="bar">
        <button type="submit" disabled={busy}>Save</button>
        <button type="button" class="link" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}
