// The pages of a document about to be sent, with its fields over them:
// the agent's in red (showing what was typed), the customer's in blue,
// the ones the hub reported missing marked invalid.
import { boxStyle, PdfPages } from "./pdfview";
import type { PDFDocumentProxy } from "./pdf";
import { fieldName } from "./fieldlayout";
import { shown, type Values } from "./agentfields";
import type { Field } from "./types";

export function DocumentPages({ doc, fields, values, invalid }: { doc: PDFDocumentProxy; fields: Field[]; values: Values; invalid: Set<string> }) {
  return (
    <PdfPages doc={doc} overlay={(n) => fields.map((f, i) => f.page === n && (
      <div key={f.id ?? i} class={"field-box" + (invalid.has(f.id ?? "") ? " invalid" : "")} data-role={f.role} data-field={f.id ?? ""}
        aria-invalid={invalid.has(f.id ?? "") ? "true" : undefined} style={boxStyle(f)} title={fieldName(f)}>
        <span class="field-name">{shown(f, values[f.id ?? ""]) || fieldName(f)}</span>
      </div>
    ))} />
  );
}
