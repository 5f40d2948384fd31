// Placeholder: the customer's room page is bundled from web/src/room.ts by
// `make web`, and this build was made without it. Build with `make build`.
document.getElementById("status").textContent = "This page is not part of this build of Tandem (run make web).";
