// The customer's room: it shows who invited them and keeps a WebSocket
// open, which is how the agent sees them connected. It resumes from the
// last seq it saw after any drop.
import { reconnecting } from "./reconnect";

// closeAccessEnded is the close code of a socket whose link was replaced
// or whose access ended (docs/protocol.md).
const closeAccessEnded = 4401;

const id = location.pathname.split("/").pop() ?? "";
let last = 0;
const statusEl = document.getElementById("status")!;
const dot = document.getElementById("dot")!;

function show(text: string, live: boolean) {
  statusEl.textContent = text;
  dot.className = live ? "dot live" : "dot";
}

function connect() {
  reconnecting(
    () => {
      const proto = location.protocol === "https:" ? "wss:" : "ws:";
      // as=customer: this page is the customer's, even in a browser where
      // an agent is signed in too.
      return new WebSocket(proto + "//" + location.host + "/api/v1/rooms/" + id + "/ws?as=customer&since=" + last);
    },
    (f) => {
      if (f.type === "synced") show("Connected to your agent", true);
      if (typeof f.seq === "number" && f.type.indexOf(".") > 0) last = f.seq;
    },
    (code) => {
      if (code === closeAccessEnded) show("This link was replaced. Open the newest link you were sent.", false);
      else show("Reconnecting…", false);
    },
    { final: (code) => code === closeAccessEnded },
  );
}

fetch("/api/v1/rooms/" + id + "?as=customer", { credentials: "same-origin" })
  .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
  .then((s) => {
    if (s.agent && s.agent.name) {
      document.getElementById("title")!.textContent = "Your secure room with " + s.agent.name;
    }
    if (s.company) {
      document.getElementById("company")!.textContent = s.company;
      document.title = "Your secure room · " + s.company;
    }
    last = s.seq;
    connect();
  })
  .catch(() => show("This room is not available. Open the link you were sent again.", false));
