// Editing the fields of a template of the library (admins): the field
// editor over its PDF, and Save, which the hub checks (a field off the
// page is refused with a message naming it).
import { useEffect, useState } from "preact/hooks";
import { api, message } from "./api";
import { FieldLayoutEditor } from "./fieldlayout";
import { usePDF } from "./pdfview";
import { Sheet } from "./sheet";
import type { Asset, Field } from "./types";

// uploaded says the asset was just uploaded: the fields it has then were
// read from the PDF's own form, and are offered to keep or change.
export function TemplateEditor({ asset, uploaded, onClose, onSaved }: { asset: Asset; uploaded?: boolean; onClose: () => void; onSaved: (a: Asset) => void }) {
  const [fields, setFields] = useState<Field[] | null>(null);
  const [error, setError] = useState("");
  const [saved, setSaved] = useState("");
  const [busy, setBusy] = useState(false);
  const [imported, setImported] = useState(0);
  const { doc, error: pdfError } = usePDF("/api/v1/assets/" + asset.id + "/file");
  useEffect(() => {
    api<{ asset: Asset }>("GET", "/assets/" + asset.id).then((r) => { setFields(r.asset.fields ?? []); if (uploaded) setImported(r.asset.fields?.length ?? 0); }).catch((err) => setError(message(err)));
  }, [asset.id]);

  async function save() {
    if (!fields) return;
    setBusy(true);
    setError("");
    setSaved("");
    try {
      const r = await api<{ asset: Asset }>("PUT", "/assets/" + asset.id + "/fields", { fields });
      setFields(r.asset.fields ?? []);
      setSaved("Saved " + (r.asset.fields?.length ?? 0) + (r.asset.fields?.length === 1 ? " field." : " fields."));
      onSaved(r.asset);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Sheet id="template-editor" title={"Fields of “" + asset.name + "”"} onClose={onClose} wide
      actions={<button type="button" id="editor-save" disabled={busy || !fields} onClick={save}>Save fields</button>}>
      {imported > 0 && !saved && <p class="notice small" id="editor-imported">{imported === 1 ? "1 field was" : imported + " fields were"} found in the PDF's own form: keep, change or delete them, then Save fields.</p>}
      <p class="muted small" id="editor-saved" role="status">{saved}</p>
      {pdfError ? <p class="error">{pdfError}</p> : doc && fields ? (
        <FieldLayoutEditor doc={doc} fields={fields} onChange={(fs) => { setFields(fs); setSaved(""); }} invalid={error} />
      ) : (
        <>{error ? <p class="error" role="alert" id="editor-error">{error}</p> : <p class="muted">Loading the pages…</p>}</>
      )}
    </Sheet>
  );
}
