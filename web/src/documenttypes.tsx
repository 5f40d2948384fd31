// The Document types page (admins): the account's catalog of the documents
// agents request from customers, by category and searched; add a type,
// edit one, retire it or bring it back. A type is never deleted, and its
// code, which integrations rely on, never changes.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, message, type APIError } from "./api";
import type { DocumentType } from "./types";

// fieldOf names the form field an error of the hub is about.
function fieldOf(err: unknown): string {
  switch ((err as APIError)?.code) {
    case "invalid_code": case "code_taken": return "code";
    case "invalid_name": return "name";
    case "invalid_category": return "category";
    case "invalid_description": return "description";
  }
  return "";
}

// byCategory groups types, listed by category then name, by category.
function byCategory(types: DocumentType[]): [string, DocumentType[]][] {
  const groups = new Map<string, DocumentType[]>();
  for (const t of types) {
    const g = groups.get(t.category);
    if (g) g.push(t);
    else groups.set(t.category, [t]);
  }
  return [...groups];
}

export function DocumentTypes() {
  const [types, setTypes] = useState<DocumentType[] | null>(null);
  const [categories, setCategories] = useState<string[]>([]);
  const [q, setQ] = useState("");
  const [error, setError] = useState("");
  const [adding, setAdding] = useState(false);
  const reads = useRef(0);
  const load = () => {
    const n = ++reads.current;
    const params = new URLSearchParams({ include_retired: "1" });
    if (q.trim()) params.set("q", q.trim());
    api<{ document_types: DocumentType[] }>("GET", "/document-types?" + params)
      .then((r) => {
        if (n !== reads.current) return;
        setTypes(r.document_types);
        if (!q.trim()) setCategories([...new Set(r.document_types.map((t) => t.category))]);
        setError("");
      })
      .catch((err) => setError(message(err)));
  };
  useEffect(() => {
    const t = setTimeout(load, q ? 200 : 0);
    return () => clearTimeout(t);
  }, [q]);

  return (
    <main class="wide doc-types">
      <div class="bar">
        <h1>Document types</h1>
        {!adding && <button type="button" id="type-add" onClick={() => setAdding(true)}>Add type</button>}
      </div>
      <p class="muted">What agents can ask customers to upload. Retired types are hidden from new requests; requests already made keep theirs.</p>
      {adding && <TypeForm categories={categories} onDone={(t) => { setAdding(false); if (t) { setQ(""); load(); } }} />}
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input id="type-search" type="search" placeholder="Name, code or category" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        </label>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {types === null ? <p class="muted">Loading…</p> : types.length === 0 ? (
        <p class="muted" id="types-empty">{q.trim() ? "No document type matches." : "No document types yet."}</p>
      ) : (
        <div id="types">
          {byCategory(types).map(([category, ts]) => (
            <section key={category} class="type-group" aria-label={category}>
              <h2>{category}</h2>
              <ul class="type-list">
                {ts.map((t) => <TypeRow key={t.id} type={t} categories={categories} onChanged={load} />)}
              </ul>
            </section>
          ))}
        </div>
      )}
    </main>
  );
}

// TypeForm adds a type (type unset) or edits one.
function TypeForm({ type, categories, onDone }: { type?: DocumentType; categories: string[]; onDone: (t: DocumentType | null) => void }) {
  const [v, setV] = useState({ code: type?.code ?? "", name: type?.name ?? "", category: type?.category ?? "", description: type?.description ?? "" });
  const [error, setError] = useState("");
  const [bad, setBad] = useState("");
  const [busy, setBusy] = useState(false);
  const id = type ? "edit-" + type.id : "new-type";
  const set = (k: keyof typeof v) => (e: Event) => setV({ ...v, [k]: (e.target as HTMLInputElement).value });
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    setBad("");
    try {
      const r = type
        ? await api<{ document_type: DocumentType }>("PATCH", "/document-types/" + type.id, { name: v.name, category: v.category, description: v.description })
        : await api<{ document_type: DocumentType }>("POST", "/document-types", v);
      onDone(r.document_type);
    } catch (err) {
      setError(message(err));
      setBad(fieldOf(err));
    } finally {
      setBusy(false);
    }
  }
  const invalid = (k: string) => (bad === k ? "true" : undefined);
  return (
    <form class="stack type-form" id={id} onSubmit={submit} aria-describedby={id + "-error"}>
      {type ? (
        <p class="muted small">Code <code>{type.code}</code> (it never changes)</p>
      ) : (
        <label>
          Code
          <input name="code" value={v.code} onInput={set("code")} required maxLength={40} pattern="[a-z][a-z0-9_]*" autocomplete="off" spellcheck={false}
            placeholder="e.g. lease_agreement" aria-invalid={invalid("code")} aria-describedby={id + "-code-hint"} />
          <span class="muted small" id={id + "-code-hint"}>Lower-case letters, digits and _; integrations match on it, and it never changes.</span>
        </label>
      )}
      <label>Name <input name="name" value={v.name} onInput={set("name")} required maxLength={100} aria-invalid={invalid("name")} /></label>
      <label>
        Category
        <input name="category" value={v.category} onInput={set("category")} required maxLength={60} list={id + "-categories"} aria-invalid={invalid("category")} />
        <datalist id={id + "-categories"}>{categories.map((c) => <option key={c} value={c} />)}</datalist>
      </label>
      <label>Description (optional) <textarea name="description" rows={2} value={v.description} onInput={set("description")} maxLength={500} aria-invalid={invalid("description")} /></label>
      <p class="error" id={id + "-error"} role="alert">{error}</p>
      <div class="bar">
        <button type="submit" disabled={busy}>{type ? "Save" : "Add type"}</button>
        <button type="button" class="link" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}

// TypeRow is one type: edit it, retire it or restore it.
function TypeRow({ type, categories, onChanged }: { type: DocumentType; categories: string[]; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function retire(retired: boolean) {
    setBusy(true);
    setError("");
    try {
      await api("PATCH", "/document-types/" + type.id, { retired });
      onChanged();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <li data-type={type.code} class={type.retired ? "retired" : undefined}>
      <div class="type-row">
        <div class="type-text">
          <strong>{type.name}</strong>
          {type.retired && <span class="chip" data-status="retired">Retired</span>}
          <div class="muted small"><code>{type.code}</code>{type.description && " · " + type.description}</div>
        </div>
        {!editing && (
          <span class="type-actions">
            <button type="button" class="secondary" onClick={() => setEditing(true)} aria-label={"Edit “" + type.name + "”"}>Edit</button>
            {type.retired
              ? <button type="button" class="secondary" disabled={busy} onClick={() => retire(false)} aria-label={"Restore “" + type.name + "”"}>Restore</button>
              : <button type="button" class="secondary" disabled={busy} onClick={() => retire(true)} aria-label={"Retire “" + type.name + "”"}>Retire</button>}
          </span>
        )}
      </div>
      {editing && <TypeForm type={type} categories={categories} onDone={(t) => { setEditing(false); if (t) onChanged(); }} />}
      {error && <p class="error" role="alert">{error}</p>}
    </li>
  );
}
