// The customer's room: it shows who invited them and keeps a WebSocket open,
// which is how the agent sees them connected. It resumes from the last seq
// it saw after any drop.
(function () {
  "use strict";
  var id = location.pathname.split("/").pop();
  var last = null;
  var delay = 500;
  var statusEl = document.getElementById("status");
  var dot = document.getElementById("dot");

  function show(text, live) {
    statusEl.textContent = text;
    dot.className = live ? "dot live" : "dot";
  }

  // as=customer: this page is the customer's, even in a browser where an
  // agent is signed in too.
  fetch("/api/v1/rooms/" + id + "?as=customer", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
    .then(function (s) {
      if (s.agent && s.agent.name) {
        document.getElementById("title").textContent = "Your secure room with " + s.agent.name;
      }
      if (s.company) {
        document.getElementById("company").textContent = s.company;
        document.title = "Your secure room · " + s.company;
      }
      last = s.seq;
      connect();
    })
    .catch(function () { show("This room is not available. Open the link you were sent again.", false); });

  function connect() {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    var ws = new WebSocket(proto + "//" + location.host + "/api/v1/rooms/" + id + "/ws?as=customer&since=" + last);
    ws.onmessage = function (m) {
      var f = JSON.parse(m.data);
      if (f.type === "synced") { show("Connected to your agent", true); delay = 500; }
      if (typeof f.seq === "number" && f.type.indexOf(".") > 0) { last = f.seq; }
    };
    ws.onclose = function (e) {
      if (e.code === 4401) { show("This link was replaced. Open the newest link you were sent.", false); return; }
      show("Reconnecting…", false);
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }
})();
