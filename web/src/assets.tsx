// The Assets panel of a session: the account's library of documents, by
// folder and searched by name; picking one prepares it to send. Admins
// also upload PDFs, rename, move and delete them, and edit their fields.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, message, upload } from "./api";
import type { Asset } from "./types";

type Library = { assets: Asset[]; folders: string[] };

export function AssetsPanel({ admin, onPick, onEdit, version }: { admin: boolean; onPick: (a: Asset) => void; onEdit: (a: Asset, uploaded?: boolean) => void; version: number }) {
  const [lib, setLib] = useState<Library | null>(null);
  const [q, setQ] = useState("");
  const [folder, setFolder] = useState<string | null>(null); // null: every folder
  const [error, setError] = useState("");
  const [uploading, setUploading] = useState(false);
  const reads = useRef(0);

  const load = () => {
    const n = ++reads.current;
    const params = new URLSearchParams();
    if (q.trim()) params.set("q", q.trim());
    if (folder !== null) params.set("folder", folder);
    const qs = params.toString();
    api<Library>("GET", "/assets" + (qs ? "?" + qs : ""))
      .then((r) => { if (n === reads.current) { setLib(r); setError(""); } })
      .catch((err) => setError(message(err)));
  };
  useEffect(() => {
    const t = setTimeout(load, q ? 200 : 0);
    return () => clearTimeout(t);
  }, [q, folder, version]);

  return (
    <aside class="card assets" aria-labelledby="assets-title">
      <div class="bar">
        <h2 id="assets-title">Assets</h2>
        {admin && !uploading && <button type="button" class="secondary" id="upload-open" onClick={() => setUploading(true)}>Upload PDF</button>}
      </div>
      {uploading && <Upload folders={lib?.folders ?? []} onDone={(a) => { setUploading(false); if (a) { setQ(""); setFolder(null); load(); onEdit(a, true); } }} />}
      <form class="asset-filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search documents
          <input id="asset-search" type="search" placeholder="Name" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Folder
          <select id="asset-folder" value={folder === null ? "\u0000all" : folder} onChange={(e) => { const v = (e.target as HTMLSelectElement).value; setFolder(v === "\u0000all" ? null : v); }}>
            <option value={"\u0000all"}>All folders</option>
            <option value="">Top of the library</option>
            {(lib?.folders ?? []).map((f) => <option key={f} value={f}>{f}</option>)}
          </select>
        </label>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {lib === null ? <p class="muted">Loading…</p> : lib.assets.length === 0 ? (
        <p class="muted" id="assets-empty">{q || folder !== null ? "No document matches." : admin ? "The library is empty: upload a PDF." : "The library is empty: an admin uploads its documents."}</p>
      ) : (
        <ul class="asset-list" id="assets">
          {lib.assets.map((a) => <AssetRow key={a.id} asset={a} admin={admin} folders={lib.folders} onPick={onPick} onEdit={onEdit} onChanged={load} />)}
        </ul>
      )}
    </aside>
  );
}

// Upload sends a PDF to the library, into a folder.
function Upload({ folders, onDone }: { folders: string[]; onDone: (a: Asset | null) => void }) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    if (!(data.get("file") as File | null)?.name) {
      setError("Choose a PDF first.");
      return;
    }
    if (!data.get("name")) data.delete("name");
    setBusy(true);
    setError("");
    try {
      const r = await upload<{ asset: Asset }>("/assets", data);
      onDone(r.asset);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="stack upload" id="upload-form" onSubmit={submit} aria-describedby="upload-error">
      <label>PDF <input id="upload-file" name="file" type="file" accept="application/pdf,.pdf" required /></label>
      <label>Name (the file's, if empty) <input id="upload-name" name="name" maxLength={200} /></label>
      <label>
        Folder
        <input id="upload-folder" name="folder" list="upload-folders" placeholder="e.g. Auto loans/Credit" />
        <datalist id="upload-folders">{folders.map((f) => <option key={f} value={f} />)}</datalist>
      </label>
      <p class="error" id="upload-error" role="alert">{error}</p>
      <div class="bar">
        <button type="submit" id="upload-submit" disabled={busy}>{busy ? "Uploading…" : "Upload"}</button>
        <button type="button" class="link" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}

// AssetRow is one document of the library: pick it, or (admins) edit its
// fields, rename, move or delete it.
function AssetRow({ asset, admin, folders, onPick, onEdit, onChanged }: { asset: Asset; admin: boolean; folders: string[]; onPick: (a: Asset) => void; onEdit: (a: Asset) => void; onChanged: () => void }) {
  const [mode, setMode] = useState<"" | "rename" | "move" | "delete">("");
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  async function apply(e?: Event) {
    e?.preventDefault();
    setError("");
    try {
      if (mode === "delete") await api("DELETE", "/assets/" + asset.id);
      else await api("PATCH", "/assets/" + asset.id, mode === "rename" ? { name: text } : { folder: text });
      setMode("");
      onChanged();
    } catch (err) {
      setError(message(err));
    }
  }
  const open = (m: "rename" | "move" | "delete") => {
    setMode(m);
    setError("");
    setText(m === "rename" ? asset.name : m === "move" ? asset.folder : "");
  };
  return (
    <li data-asset={asset.id}>
      <div class="asset-row">
        <button type="button" class="link asset-pick" onClick={() => onPick(asset)}>
          {asset.name}
        </button>
        <span class="muted small">{asset.folder ? asset.folder + " · " : ""}{asset.pages} {asset.pages === 1 ? "page" : "pages"}</span>
        {admin && (
          <details class="menu asset-menu">
            <summary aria-label={"Manage “" + asset.name + "”"}>⋯</summary>
            <div class="menu-items">
              <button type="button" class="link edit-fields" onClick={(e) => { (e.currentTarget as HTMLElement).closest("details")!.open = false; onEdit(asset); }}>Edit fields</button>
              <button type="button" class="link" onClick={(e) => { (e.currentTarget as HTMLElement).closest("details")!.open = false; open("rename"); }}>Rename</button>
              <button type="button" class="link" onClick={(e) => { (e.currentTarget as HTMLElement).closest("details")!.open = false; open("move"); }}>Move</button>
              <button type="button" class="link danger-link" onClick={(e) => { (e.currentTarget as HTMLElement).closest("details")!.open = false; open("delete"); }}>Delete</button>
            </div>
          </details>
        )}
      </div>
      {mode === "delete" && (
        <div class="confirm" role="group" aria-label="Confirm deletion">
          <p>Delete “{asset.name}” from the library? Documents already sent keep their copy.</p>
          <div class="bar"><button type="button" class="danger" onClick={() => apply()}>Delete</button><button type="button" class="link" onClick={() => setMode("")}>Keep it</button></div>
        </div>
      )}
      {(mode === "rename" || mode === "move") && (
        <form class="stack inline-form" onSubmit={apply}>
          <label>
            {mode === "rename" ? "New name" : "Folder (empty: the top)"}
            <input value={text} list={mode === "move" ? "move-folders-" + asset.id : undefined} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
            {mode === "move" && <datalist id={"move-folders-" + asset.id}>{folders.map((f) => <option key={f} value={f} />)}</datalist>}
          </label>
          <div class="bar"><button type="submit">{mode === "rename" ? "Rename" : "Move"}</button><button type="button" class="link" onClick={() => setMode("")}>Cancel</button></div>
        </form>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </li>
  );
}
