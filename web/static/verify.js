// Placeholder: the verify page is bundled from web/src/verify.tsx by
// `make web`, and this build was made without it. Build with `make build`.
document.getElementById("status").textContent = "This page is not part of this build of Tandem (run make web). The API checks files: POST /api/v1/verify.";
