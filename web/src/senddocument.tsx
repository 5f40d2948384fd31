// Sending a document of the library to the customer: its agent's fields
// as a small form beside its pages, then Send. In a pre-planned session
// it waits for Invite client.
import { useEffect, useState } from "preact/hooks";
import { api, message, type APIError } from "./api";
import { AgentFields, type Values } from "./agentfields";
import { DocumentPages } from "./documentpages";
import { usePDF } from "./pdfview";
import { Sheet } from "./sheet";
import type { Asset, Doc } from "./types";

export function SendDocument({ roomId, asset, preplanned, onClose, onSent }: { roomId: string; asset: Asset; preplanned: boolean; onClose: () => void; onSent: (d: Doc) => void }) {
  const [full, setFull] = useState<Asset | null>(null);
  const [values, setValues] = useState<Values>({});
  const [invalid, setInvalid] = useState<Set<string>>(new Set());
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const { doc, error: pdfError } = usePDF("/api/v1/assets/" + asset.id + "/file");
  useEffect(() => {
    api<{ asset: Asset }>("GET", "/assets/" + asset.id).then((r) => setFull(r.asset)).catch((err) => setError(message(err)));
  }, [asset.id]);

  const fields = full?.fields ?? [];
  const change = (v: Values) => {
    setValues(v);
    // A field filled in is no longer missing.
    setInvalid((old) => new Set([...old].filter((id) => !v[id])));
  };

  async function send(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const r = await api<{ document: Doc }>("POST", "/rooms/" + roomId + "/documents", { asset_id: asset.id, values });
      onSent(r.document);
    } catch (err) {
      const ae = err as APIError;
      setInvalid(new Set(ae.fields ?? []));
      setError(ae.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Sheet id="send-document" title={"Send “" + asset.name + "”"} onClose={onClose} wide>
      <div class="send-layout">
        <form class="stack send-form" noValidate onSubmit={send} aria-describedby="send-error">
          {full ? <AgentFields fields={fields} values={values} onChange={change} invalid={invalid} /> : <p class="muted">Loading…</p>}
          <p class="error" id="send-error" role="alert">{error}</p>
          <p class="muted small">{preplanned ? "This session is pre-planned: the document goes out with Invite client." : "The customer gets it at once in their room."}</p>
          <div class="bar">
            <button type="submit" id="send-submit" disabled={busy || !full}>{preplanned ? "Add to the session" : "Send"}</button>
            <button type="button" class="link" onClick={onClose}>Cancel</button>
          </div>
        </form>
        <div class="send-pages">
          {pdfError ? <p class="error">{pdfError}</p> : doc ? <DocumentPages doc={doc} fields={fields} values={values} invalid={invalid} /> : <p class="muted">Loading the pages…</p>}
        </div>
      </div>
    </Sheet>
  );
}
