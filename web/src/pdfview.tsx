// The pages of a PDF drawn with pdf.js, one under the other, each with an
// overlay in fractions of its page (the fields): the field editor, the
// send form and the previews all show documents this way.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { drawPage, openPDF, openPDFData, type PDFDocumentProxy } from "./pdf";

// usePDF opens the PDF at url (or in bytes); error is in words.
export function usePDF(source: string | Uint8Array | null): { doc: PDFDocumentProxy | null; error: string } {
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    setDoc(null);
    setError("");
    if (source === null) return;
    let live = true;
    let opened: PDFDocumentProxy | null = null;
    (typeof source === "string" ? openPDF(source) : openPDFData(source))
      .then((d) => {
        opened = d;
        if (live) setDoc(d);
        else d.destroy();
      })
      .catch(() => live && setError("This PDF cannot be shown: it may be damaged."));
    return () => {
      live = false;
      opened?.destroy();
    };
  }, [source]);
  return { doc, error };
}

// PdfPage draws page n at the width of its box, again when the box's
// width changes; overlay is laid over it, positioned in percents.
function PdfPage({ doc, n, children, onPointerDown, onPointerMove, onPointerUp }: {
  doc: PDFDocumentProxy;
  n: number;
  children?: ComponentChildren;
  onPointerDown?: (e: PointerEvent) => void;
  onPointerMove?: (e: PointerEvent) => void;
  onPointerUp?: (e: PointerEvent) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [ratio, setRatio] = useState(11 / 8.5);
  useEffect(() => {
    let drawn = 0;
    let busy = false;
    const draw = async () => {
      const w = Math.floor(box.current?.clientWidth ?? 0);
      if (!w || w === drawn || busy || !canvas.current) return;
      busy = true;
      drawn = w;
      try {
        const h = await drawPage(doc, n, canvas.current, w);
        setRatio(h / w);
      } catch {
        drawn = 0; // a render cut short by the next one
      } finally {
        busy = false;
      }
    };
    draw();
    const ro = new ResizeObserver(() => draw());
    if (box.current) ro.observe(box.current);
    return () => ro.disconnect();
  }, [doc, n]);
  return (
    <div class="pdf-page" data-page={n} ref={box} style={{ aspectRatio: String(1 / ratio) }}
      onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={onPointerUp}>
      <canvas ref={canvas} aria-label={"Page " + n + " of " + doc.numPages} role="img" />
      {children}
    </div>
  );
}

export type PageHandlers = {
  onPointerDown?: (page: number, e: PointerEvent) => void;
  onPointerMove?: (page: number, e: PointerEvent) => void;
  onPointerUp?: (page: number, e: PointerEvent) => void;
};

// PdfPages shows every page of doc, each with overlay(n) over it.
export function PdfPages({ doc, overlay, handlers }: { doc: PDFDocumentProxy; overlay?: (n: number) => ComponentChildren; handlers?: PageHandlers }) {
  const pages = Array.from({ length: doc.numPages }, (_, i) => i + 1);
  return (
    <div class="pdf-pages">
      {pages.map((n) => (
        <PdfPage key={n} doc={doc} n={n}
          onPointerDown={handlers?.onPointerDown && ((e) => handlers.onPointerDown!(n, e))}
          onPointerMove={handlers?.onPointerMove && ((e) => handlers.onPointerMove!(n, e))}
          onPointerUp={handlers?.onPointerUp && ((e) => handlers.onPointerUp!(n, e))}>
          {overlay?.(n)}
        </PdfPage>
      ))}
    </div>
  );
}

// boxStyle places a field's box over its page.
export function boxStyle(f: { x: number; y: number; w: number; h: number }) {
  return { left: f.x * 100 + "%", top: f.y * 100 + "%", width: f.w * 100 + "%", height: f.h * 100 + "%" };
}
