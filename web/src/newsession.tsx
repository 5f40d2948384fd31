// The dialog of Start session and Pre-plan session.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type APIError } from "./api";
import { type Channel, ChannelChoice } from "./channelchoice";
import { fullPhone } from "./words";
import type { Contact, Room } from "./types";

type Field = "name" | "phone" | "email";

// NewSession is the dialog of Start session (live: the link goes out at
// once) and Pre-plan session (nothing goes out until Invite client). The
// address book suggests known customers as the agent types, in a list the
// keyboard walks (the ARIA combobox pattern): ↓ and ↑ move, Enter picks,
// Escape closes.
export function NewSession({ mode, onCreated, onCancel }: { mode: "live" | "preplan"; onCreated: (r: Room) => void; onCancel: () => void }) {
  const [name, setName] = useState("");
  const [channel, setChannel] = useState<Channel>("sms");
  const [phone, setPhone] = useState("");
  const [email, setEmail] = useState("");
  const [contact, setContact] = useState("");
  const [suggestions, setSuggestions] = useState<Contact[]>([]);
  const [active, setActive] = useState(-1); // the suggestion ↓ and ↑ reached
  const [field, setField] = useState<Field>("name"); // the field typed in last
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  // Suggest contacts for what was typed last, a moment after typing stops.
  const [query, setQuery] = useState("");
  useEffect(() => {
    if (query.trim().length < 2) {
      setSuggestions([]);
      return;
    }
    // Only the answer for what is typed now counts: an earlier search
    // answering late must not replace it.
    let current = true;
    const t = setTimeout(() => {
      api<{ contacts: Contact[] }>("GET", "/contacts?limit=5&q=" + encodeURIComponent(query))
        .then((r) => { if (current) { setSuggestions(r.contacts); setActive(-1); } })
        .catch(() => current && setSuggestions([]));
    }, 200);
    return () => {
      current = false;
      clearTimeout(t);
    };
  }, [query]);

  function pick(c: Contact) {
    setName(c.name);
    setPhone(c.phone ?? "");
    setEmail(c.email ?? "");
    setChannel(c.phone ? "sms" : "email");
    setContact(c.id);
    close();
  }
  function close() {
    setSuggestions([]);
    setActive(-1);
    setQuery("");
  }

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      // Only the field the channel needs is sent; a picked contact fills
      // the other on the hub.
      const customer = { name, phone: channel === "sms" ? phone || undefined : undefined, email: channel === "email" ? email || undefined : undefined };
      const r = await api<Room>("POST", "/rooms", { mode, channel, customer, contact: contact || undefined });
      onCreated(r);
    } catch (err) {
      setError((err as APIError).message);
    } finally {
      setBusy(false);
    }
  }

  const typed = (f: Field, set: (v: string) => void) => (e: Event) => {
    const v = (e.target as HTMLInputElement).value;
    set(v);
    setContact("");
    setField(f);
    setQuery(v);
  };

  const open = suggestions.length > 0;
  // picked is set when Enter picked a suggestion: the same key's keypress
  // must not submit the form (a browser that sends it anyway).
  const picked = useRef(false);
  const optionId = (i: number) => "suggestion-" + i;
  // keys walks the suggestions from the field being typed in.
  const keys = (f: Field) => (e: KeyboardEvent) => {
    if (!open || field !== f) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const n = suggestions.length;
      setActive((a) => (e.key === "ArrowDown" ? (a + 1) % n : a <= 0 ? n - 1 : a - 1));
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault(); // picks, does not submit
      picked.current = true;
      pick(suggestions[active]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      close();
    }
  };
  // combo is what makes a field the combobox of the suggestions (typed
  // loosely: the JSX types refuse role=combobox on a tel or email input,
  // which ARIA 1.2 allows).
  const combo = (f: Field): Record<string, unknown> => ({
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": open && field === f,
    "aria-controls": "suggestions",
    "aria-activedescendant": open && field === f && active >= 0 ? optionId(active) : undefined,
    onKeyDown: keys(f),
    onKeyPress: (e: KeyboardEvent) => { if (e.key === "Enter" && picked.current) e.preventDefault(); },
    onKeyUp: () => { picked.current = false; },
    // A click on a suggestion lands first; moving on to another field of
    // the form that suggests too leaves its own list alone (its typing
    // must not be undone by this field's leaving).
    onBlur: () => setTimeout(() => { if (document.activeElement?.getAttribute("role") !== "combobox") close(); }, 150),
  });
  const list = (f: Field) =>
    open && field === f && (
      <ul class="suggestions" id="suggestions" role="listbox" aria-label="Known customers">
        {suggestions.map((c, i) => (
          <li key={c.id} id={optionId(i)} role="option" aria-selected={i === active} class={i === active ? "active" : ""}
            onMouseDown={(e) => e.preventDefault()} onClick={() => pick(c)}>
            <span class="suggestion-name">{c.name}</span> <span class="muted">{[c.phone && fullPhone(c.phone), c.email].filter(Boolean).join(" · ")}</span>
          </li>
        ))}
      </ul>
    );

  return (
    <section class="card" aria-labelledby="new-session-title">
      <h2 id="new-session-title">{mode === "live" ? "Start session" : "Pre-plan session"}</h2>
      <form class="stack" onSubmit={submit}>
        <div class="combo">
          <label>
            Customer's name
            <input id="new-name" required autocomplete="off" value={name} onInput={typed("name", setName)} {...combo("name")} />
          </label>
          {list("name")}
        </div>
        <ChannelChoice legend="Send the link by" name="channel" value={channel} onChange={setChannel} ids={{ sms: "by-sms", email: "by-email" }} />
        {channel === "sms" ? (
          <div class="combo" key="phone">
            <label>
              Phone number
              <input id="new-phone" type="tel" autocomplete="off" value={phone} onInput={typed("phone", setPhone)} required {...combo("phone")} />
            </label>
            {list("phone")}
          </div>
        ) : (
          <div class="combo" key="email">
            <label>
              Email
              <input id="new-email" type="email" autocomplete="off" value={email} onInput={typed("email", setEmail)} required {...combo("email")} />
            </label>
            {list("email")}
          </div>
        )}
        <p class="error" id="new-error" role="alert">{error}</p>
        <div class="bar">
          <button id="new-submit" type="submit" disabled={busy}>{mode === "live" ? "Start and send the link" : "Pre-plan"}</button>
          <button class="link" type="button" onClick={onCancel}>Cancel</button>
        </div>
      </form>
    </section>
  );
}
