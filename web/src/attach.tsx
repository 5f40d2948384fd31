// Attach (the paperclip): a PDF, JPEG or PNG from the agent's computer,
// sent to this one session. A PDF may get fields first, placed with the
// field editor on its pages drawn from the local file.
import { useState } from "preact/hooks";
import { message, upload, type APIError } from "./api";
import { AgentFields, type Values } from "./agentfields";
import { FieldLayoutEditor } from "./fieldlayout";
import { usePDF } from "./pdfview";
import { Sheet } from "./sheet";
import type { Doc, Field } from "./types";

type Picked = { file: File; kind: "pdf" | "image"; bytes: Uint8Array | null; dataURL: string };

const accepted = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png";

// kindOf tells a PDF from an image by the file's first bytes, as the hub
// does; other files are refused here already, with the same words.
function kindOf(b: Uint8Array): "pdf" | "image" | null {
  const head = new TextDecoder("latin1").decode(b.slice(0, 1024));
  if (head.includes("%PDF-")) return "pdf";
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image";
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "image"; // \x89PNG
  return null;
}

export function Attach({ roomId, preplanned, onClose, onSent }: { roomId: string; preplanned: boolean; onClose: () => void; onSent: (d: Doc) => void }) {
  const [picked, setPicked] = useState<Picked | null>(null);
  const [name, setName] = useState("");
  const [fields, setFields] = useState<Field[]>([]);
  const [placing, setPlacing] = useState(false);
  const [values, setValues] = useState<Values>({});
  const [invalid, setInvalid] = useState<Set<string>>(new Set());
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const { doc, error: pdfError } = usePDF(picked?.kind === "pdf" ? picked.bytes : null);

  async function pick(e: Event) {
    const file = (e.target as HTMLInputElement).files?.[0];
    setError("");
    setPicked(null);
    setFields([]);
    setValues({});
    setPlacing(false);
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    const kind = kindOf(bytes);
    if (!kind) {
      setError("This file is neither a PDF nor a JPEG or PNG image: choose one of those.");
      return;
    }
    let dataURL = "";
    if (kind === "image") {
      dataURL = await new Promise<string>((ok) => { const r = new FileReader(); r.onload = () => ok(String(r.result)); r.readAsDataURL(file); });
    }
    setPicked({ file, kind, bytes: kind === "pdf" ? bytes : null, dataURL });
    setName(file.name.replace(/\.[^.]+$/, ""));
  }

  // withIds gives each new field an id, for the agent's values to name it.
  const withIds = (fs: Field[]) => {
    const taken = new Set(fs.map((f) => f.id).filter(Boolean));
    let n = 0;
    return fs.map((f) => {
      if (f.id) return f;
      while (taken.has("field-" + ++n));
      return { ...f, id: "field-" + n };
    });
  };
  const changeFields = (fs: Field[]) => {
    const withId = withIds(fs);
    setFields(withId);
    const ids = new Set(withId.filter((f) => f.role === "agent").map((f) => f.id!));
    setValues((v) => Object.fromEntries(Object.entries(v).filter(([k]) => ids.has(k))));
  };

  async function send(e: Event) {
    e.preventDefault();
    if (!picked) {
      setError("Choose a file first.");
      return;
    }
    const form = new FormData();
    form.set("file", picked.file, picked.file.name);
    if (name.trim()) form.set("name", name.trim());
    if (picked.kind === "pdf" && fields.length > 0) {
      form.set("fields", JSON.stringify(fields));
      form.set("values", JSON.stringify(values));
    }
    setBusy(true);
    setError("");
    try {
      const r = await upload<{ document: Doc }>("/rooms/" + roomId + "/documents", form);
      onSent(r.document);
    } catch (err) {
      setInvalid(new Set((err as APIError).fields ?? []));
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Sheet id="attach-sheet" title="Attach a file" onClose={onClose} wide={placing}>
      <form class="stack attach-form" noValidate onSubmit={send} aria-describedby="attach-error">
        <label>
          A PDF, JPEG or PNG from this computer
          <input id="attach-file" type="file" accept={accepted} onChange={pick} />
        </label>
        {picked && (
          <label>
            Name the customer sees
            <input id="attach-name" value={name} maxLength={200} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </label>
        )}
        {picked?.kind === "image" && <img class="attach-image" src={picked.dataURL} alt={"The image " + picked.file.name} />}
        {picked?.kind === "image" && <p class="muted small">The image becomes a one-page PDF.</p>}
        {picked?.kind === "pdf" && !placing && (
          <p class="bar">
            <span class="muted small">{fields.length === 0 ? "No fields: the customer only reads it." : fields.length + (fields.length === 1 ? " field placed." : " fields placed.")}</span>
            <button type="button" class="secondary" id="attach-place" disabled={!doc} onClick={() => setPlacing(true)}>{fields.length ? "Edit fields" : "Place fields"}</button>
          </p>
        )}
        {pdfError && <p class="error">{pdfError}</p>}
        {picked?.kind === "pdf" && fields.some((f) => f.role === "agent") && <AgentFields fields={fields} values={values} onChange={(v) => { setValues(v); setInvalid(new Set()); }} invalid={invalid} />}
        <p class="error" id="attach-error" role="alert">{error}</p>
        <div class="bar">
          <button type="submit" id="attach-send" disabled={busy || !picked}>{busy ? "Sending…" : preplanned ? "Add to the session" : "Send"}</button>
          <button type="button" class="link" onClick={onClose}>Cancel</button>
        </div>
      </form>
      {placing && doc && (
        <section class="attach-editor" aria-label="Fields of the file">
          <div class="bar"><h3>Fields</h3><button type="button" class="secondary" id="attach-place-done" onClick={() => setPlacing(false)}>Done placing</button></div>
          <FieldLayoutEditor doc={doc} fields={fields} onChange={changeFields} />
        </section>
      )}
    </Sheet>
  );
}
