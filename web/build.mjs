// Bundles the console and the room page into dist/, which web.go embeds. `make web` runs it.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";

await mkdir("dist", { recursive: true });
await build({
  // The console, and the customer's room page: both share src/reconnect.ts
  // and src/pdf.ts.
  entryPoints: { console: "src/console.tsx", room: "src/room.tsx" },
  bundle: true,
  outdir: "dist",
  format: "iife",
  target: "es2022",
  minify: true,
  sourcemap: true,
  jsx: "automatic",
  jsxImportSource: "preact",
  logLevel: "warning",
});
await copyFile("src/console.html", "dist/console.html");
// pdf.js parses PDFs in a module worker of its own, served from /static/.
await copyFile("node_modules/pdfjs-dist/build/pdf.worker.min.mjs", "dist/pdf.worker.mjs");
