// PDF pages drawn with pdf.js, for the console's field editor and preview
// and the customer's room. The worker is bundled beside the pages
// (dist/pdf.worker.mjs, served from /static/): no CDN, and the CSP's
// default-src 'self' covers it.
import { GlobalWorkerOptions, getDocument } from "pdfjs-dist";
import type { PDFDocumentProxy } from "pdfjs-dist";

GlobalWorkerOptions.workerSrc = "/static/pdf.worker.mjs";

export type { PDFDocumentProxy };

// openPDF loads the PDF at url with the page's cookies. pdf.js never evals
// (the CSP has no 'unsafe-eval').
export function openPDF(url: string): Promise<PDFDocumentProxy> {
  return getDocument({ url, withCredentials: true, isEvalSupported: false }).promise;
}

// openPDFData loads a PDF from bytes in memory, such as a file the agent
// picked on their computer. pdf.js takes the buffer over: a copy is given.
export function openPDFData(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  return getDocument({ data: bytes.slice(), isEvalSupported: false }).promise;
}

// drawPage draws page n (from 1) of doc into canvas at cssWidth CSS pixels
// wide, sharp on high-density screens, and returns its height in CSS
// pixels. The canvas keeps the page's aspect ratio.
export async function drawPage(doc: PDFDocumentProxy, n: number, canvas: HTMLCanvasElement, cssWidth: number): Promise<number> {
  const page = await doc.getPage(n);
  const base = page.getViewport({ scale: 1 });
  const scale = cssWidth / base.width;
  const ratio = window.devicePixelRatio || 1;
  const viewport = page.getViewport({ scale: scale * ratio });
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  canvas.style.width = cssWidth + "px";
  const cssHeight = (base.height * scale);
  canvas.style.height = cssHeight + "px";
  await page.render({ canvas, viewport }).promise;
  return cssHeight;
}
