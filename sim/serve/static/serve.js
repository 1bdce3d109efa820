// The swingometer page: send the form when a control changes, swap in the new controls and views.
// Plain JavaScript, no library: every figure is computed and rendered by the server.
(() => {
  "use strict";
  const app = document.getElementById("app");
  const error = document.getElementById("error");
  let inflight = false;
  let queued = null;

  function show(html) {
    app.innerHTML = html;
    const query = app.querySelector("#state").dataset.query;
    history.replaceState(null, "", "?" + query);
    error.textContent = "";
  }

  // One request at a time per page: a change made while one runs waits, and only the latest is sent.
  async function request(url, options) {
    if (inflight) {
      queued = [url, options];
      return;
    }
    inflight = true;
    app.classList.add("busy");
    try {
      const response = await fetch(url, options);
      const text = await response.text();
      if (response.ok) show(text);
      else error.textContent = text;
    } catch (e) {
      error.textContent = "The server did not answer: " + e.message;
    } finally {
      inflight = false;
      app.classList.remove("busy");
      if (queued) {
        const [nextUrl, nextOptions] = queued;
        queued = null;
        request(nextUrl, nextOptions);
      }
    }
  }

  function formQuery(form, moved) {
    const params = new URLSearchParams(new FormData(form));
    if (!params.has("nations")) {
      // Scotland and Wales unticked: their sliders are no longer part of the state
      for (const key of [...params.keys()]) {
        if (/^(sc|wa|t\.sc|t\.wa)(\.|$)/.test(key)) params.delete(key);
      }
    }
    if (moved && moved.name === "base") {
      // another base: its sliders are other parties; keep only the settings that carry over
      for (const key of [...params.keys()]) {
        if (!["base", "method", "draws", "seed", "pact", "tv", "tr"].includes(key)) params.delete(key);
      }
    } else if (moved && moved.type === "range" && moved.dataset.name) {
      params.set("moved", moved.name);
    }
    return params.toString();
  }

  app.addEventListener("input", (event) => {
    const input = event.target;
    if (input.type !== "range") return;
    const output = input.parentElement.querySelector("output");
    if (output) output.textContent = Number(input.value).toFixed(1) + "%";
  });

  app.addEventListener("change", (event) => {
    const input = event.target;
    if (!input.form) return;
    if (input.type === "range" && input.dataset.name) {
      // the first move of a panel's slider sets the whole panel: name its sliders so they are sent
      for (const other of input.closest("fieldset").querySelectorAll("input[data-name]")) {
        other.name = other.dataset.name;
      }
    }
    request("update?" + formQuery(input.form, input));
  });

  app.addEventListener("click", (event) => {
    const seat = event.target.closest("polygon.seat");
    if (!seat) return;
    const title = seat.querySelector("title");
    document.getElementById("seat").textContent = title ? title.textContent : "";
  });

  document.getElementById("open-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const form = document.getElementById("controls");
    const keep = new URLSearchParams();
    keep.set("draws", form.elements.draws.value);
    keep.set("seed", form.elements.seed.value);
    await request("open?" + keep.toString(), { method: "POST", body: await file.text(), headers: { "Content-Type": "text/plain" } });
    event.target.value = "";
  });
})();
