// The pages of a document, drawn by pdf.js at the width the screen gives
// them, each with what sits over it (the fields, the agent's values) laid
// over the page in fractions of its size. A page is drawn when it comes
// near the screen and again when the width changes (a phone turned); a
// page that crosses the middle of the screen is reported once as seen.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { drawPage, openPDF, type PDFDocumentProxy } from "./pdf";

type Props = {
  url: string;
  pages: number;
  over: (page: number) => ComponentChildren;
  onSeen: (page: number) => void;
};

export function Pages({ url, pages, over, onSeen }: Props) {
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const [failed, setFailed] = useState(false);
  const [width, setWidth] = useState(0);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let gone = false;
    let doc: PDFDocumentProxy | null = null;
    openPDF(url).then(
      (d) => {
        doc = d;
        if (gone) d.destroy();
        else setPdf(d);
      },
      () => !gone && setFailed(true),
    );
    return () => {
      gone = true;
      doc?.destroy();
    };
  }, [url]);

  // The width of the column, followed as the window resizes or turns.
  useEffect(() => {
    const el = box.current!;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const measure = () => setWidth(Math.floor(el.clientWidth));
    measure();
    const ro = new ResizeObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(measure, 120);
    });
    ro.observe(el);
    return () => {
      clearTimeout(timer);
      ro.disconnect();
    };
  }, []);

  return (
    <div class="pages" ref={box}>
      {failed && <p class="alert" role="alert">The document could not be opened. Reload the page to try again.</p>}
      {Array.from({ length: pages }, (_, i) => (
        <Page key={i + 1} n={i + 1} pages={pages} pdf={pdf} width={width} onSeen={onSeen}>
          {over(i + 1)}
        </Page>
      ))}
    </div>
  );
}

type PageProps = { n: number; pages: number; pdf: PDFDocumentProxy | null; width: number; onSeen: (page: number) => void; children: ComponentChildren };

// letter is a US Letter page's height over its width: the page's height
// until it is drawn.
const letter = 792 / 612;

function Page({ n, pages, pdf, width, onSeen, children }: PageProps) {
  const el = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [height, setHeight] = useState(0);
  const [near, setNear] = useState(false);
  const drawn = useRef(0); // the width it was last drawn at
  const chain = useRef<Promise<unknown>>(Promise.resolve());

  useEffect(() => {
    const page = el.current!;
    const nearby = new IntersectionObserver((es) => es.some((e) => e.isIntersecting) && setNear(true), { rootMargin: "600px 0px" });
    let seen = false;
    const middle = new IntersectionObserver(
      (es) => {
        if (!seen && es.some((e) => e.isIntersecting)) {
          seen = true;
          middle.disconnect();
          onSeen(n);
        }
      },
      { rootMargin: "-40% 0px -40% 0px" },
    );
    nearby.observe(page);
    middle.observe(page);
    return () => {
      nearby.disconnect();
      middle.disconnect();
    };
  }, [n]);

  useEffect(() => {
    if (!pdf || !near || width <= 0 || drawn.current === width) return;
    drawn.current = width;
    // One drawing at a time on a canvas: pdf.js refuses two.
    chain.current = chain.current.then(() =>
      drawPage(pdf, n, canvas.current!, width).then(setHeight, () => {
        drawn.current = 0;
      }),
    );
  }, [pdf, near, width, n]);

  const h = height || Math.round(width * letter);
  return (
    <div class="page" ref={el} data-page={n} data-drawn={height ? "" : undefined} style={{ height: h + "px" }} role="group" aria-label={"Page " + n + " of " + pages}>
      <canvas ref={canvas} aria-hidden="true" />
      {children}
    </div>
  );
}
