// Tools → Document Request: the agent searches the account's catalog of
// document types, adds one or more (each with an optional note such as
// "last two months"), and sends them to the customer as one request. In a
// pre-planned session they wait for Invite client.
import { useEffect, useState } from "preact/hooks";
import { api, message } from "./api";
import { Sheet } from "./sheet";
import type { DocRequest, DocumentType } from "./types";

type Item = { key: number; type: DocumentType; note: string };

let added = 0; // numbers the items added, for their keys

// maxItems is as many documents as one request may ask for.
const maxItems = 20;

export function RequestDocuments({ roomId, preplanned, onClose, onSent }: { roomId: string; preplanned: boolean; onClose: () => void; onSent: (rs: DocRequest[]) => void }) {
  const [q, setQ] = useState("");
  const [types, setTypes] = useState<DocumentType[] | null>(null);
  const [items, setItems] = useState<Item[]>([]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  // The catalog, searched as the agent types (a moment after they stop).
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      api<{ document_types: DocumentType[] }>("GET", "/document-types?q=" + encodeURIComponent(q.trim()))
        .then((r) => live && setTypes(r.document_types ?? []))
        .catch((err) => live && setError(message(err)));
    }, q ? 200 : 0);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [q]);

  const add = (t: DocumentType) => {
    setError("");
    if (items.length >= maxItems) {
      setError("One request asks for " + maxItems + " documents at most: send these first.");
      return;
    }
    setItems((is) => [...is, { key: ++added, type: t, note: "" }]);
  };
  const setNote = (i: number, note: string) => setItems((is) => is.map((x, j) => (j === i ? { ...x, note } : x)));
  const remove = (i: number) => setItems((is) => is.filter((_, j) => j !== i));

  async function send(e: Event) {
    e.preventDefault();
    if (!items.length) {
      setError("Add at least one document to ask for.");
      return;
    }
    setBusy(true);
    setError("");
    try {
      const r = await api<{ requests: DocRequest[] }>("POST", "/rooms/" + roomId + "/requests", {
        items: items.map((x) => ({ type_id: x.type.id, note: x.note.trim() || undefined })),
      });
      onSent(r.requests);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }

  // The types by category, in the catalog's order.
  const groups: [string, DocumentType[]][] = [];
  for (const t of types ?? []) {
    const last = groups[groups.length - 1];
    if (last && last[0] === t.category) last[1].push(t);
    else groups.push([t.category, [t]]);
  }
  return (
    <Sheet id="request-documents" title="Document Request" onClose={onClose}>
      <form class="request-form" noValidate onSubmit={send} aria-describedby="request-error">
        <div class="request-pick">
          <label>
            Search the document types
            <input id="request-search" type="search" value={q} placeholder="Photo ID, bank statement…" autoComplete="off" onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
          </label>
          {types === null ? (
            <p class="muted">Loading…</p>
          ) : types.length === 0 ? (
            <p class="muted" id="request-none">No document type matches “{q.trim()}”. An admin can add types to the catalog.</p>
          ) : (
            <div class="type-pick" id="request-types">
              {groups.map(([category, ts]) => (
                <section key={category} aria-label={category}>
                  <h3>{category}</h3>
                  <ul>
                    {ts.map((t) => (
                      <li key={t.id} data-type={t.code}>
                        <span class="type-name">
                          {t.name}
                          {t.description && <span class="muted small"> {t.description}</span>}
                        </span>
                        <button type="button" class="secondary type-add" onClick={() => add(t)} aria-label={"Add " + t.name}>{items.some((x) => x.type.id === t.id) ? "Add another" : "Add"}</button>
                      </li>
                    ))}
                  </ul>
                </section>
              ))}
            </div>
          )}
        </div>
        <div class="request-picked">
          <section aria-labelledby="request-items-title">
            <h3 id="request-items-title">To ask for {items.length > 0 && <span class="muted">({items.length})</span>}</h3>
            {items.length === 0 ? (
              <p class="muted small" id="request-empty">Nothing added yet: pick the documents with Add.</p>
            ) : (
              <ol class="request-items" id="request-items">
                {items.map((x, i) => (
                  <li key={x.key} data-type={x.type.code}>
                    <div class="item-head">
                      <strong>{x.type.name}</strong>
                      <button type="button" class="link danger-link item-remove" onClick={() => remove(i)} aria-label={"Remove " + x.type.name}>Remove</button>
                    </div>
                    <label>
                      <span class="muted small">Note for the customer (optional)</span>
                      <input class="item-note" value={x.note} maxLength={500} placeholder="e.g. last two months" onInput={(e) => setNote(i, (e.target as HTMLInputElement).value)} />
                    </label>
                  </li>
                ))}
              </ol>
            )}
          </section>
          <p class="error" id="request-error" role="alert">{error}</p>
          <p class="muted small">{preplanned ? "This session is pre-planned: the request goes out with Invite client." : "The customer sees it at once in their room."}</p>
          <div class="bar">
            <button type="submit" id="request-send" disabled={busy || items.length === 0}>{busy ? "Sending…" : "Send Request"}</button>
            <button type="button" class="link" onClick={onClose}>Cancel</button>
          </div>
        </div>
      </form>
    </Sheet>
  );
}
