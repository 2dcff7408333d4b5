// The field page: drafts saved on the phone, locked, and sent when there is signal.
//
// Storage (IndexedDB "jejaring-field"): each draft is {key, kind, state, box}, where
// box is AES-GCM ciphertext of what the worker typed and what the server answered;
// "area" holds the area's people the same way. The key comes from the server over a
// signed-in request (/api/v1/field/key) and lives only in this tab's sessionStorage:
// a phone whose browser was closed, or that someone else picks up, holds ciphertext.
//
// Sync: up to BATCH drafts a request, each with the idempotency key it was saved with,
// so a retry after a cut connection applies nothing twice (the server answers again
// what it did). The page works without a framework; docs/field.md says why.
(function () {
  "use strict";
  const app = document.getElementById("field-app");
  if (!app) return;
  const T = JSON.parse(document.getElementById("field-text").textContent);
  const BATCH = 5;
  const KEY_ITEM = "jejaring-field-key";
  const $ = (id) => document.getElementById(id);
  const say = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));

  // --- storage ---------------------------------------------------------------------------
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const open = indexedDB.open("jejaring-field", 1);
        open.onupgradeneeded = () => {
          open.result.createObjectStore("drafts", { keyPath: "key" });
          open.result.createObjectStore("area", { keyPath: "name" });
        };
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
    }
    return dbPromise;
  }
  async function store(name, mode, work) {
    const database = await db();
    return new Promise((resolve, reject) => {
      const tx = database.transaction(name, mode);
      const request = work(tx.objectStore(name));
      tx.oncomplete = () => resolve(request && request.result);
      tx.onerror = () => reject(tx.error);
    });
  }
  const allDrafts = () => store("drafts", "readonly", (s) => s.getAll());
  const putDraft = (draft) => store("drafts", "readwrite", (s) => s.put(draft));
  const deleteDraft = (key) => store("drafts", "readwrite", (s) => s.delete(key));

  // --- the key ---------------------------------------------------------------------------
  let cryptoKey = null;
  function bytes(base64) {
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  }
  async function loadKey() {
    let raw = sessionStorage.getItem(KEY_ITEM);
    if (!raw && navigator.onLine) {
      try {
        const response = await fetch(app.dataset.key, { credentials: "same-origin" });
        if (response.ok) {
          raw = (await response.json()).key;
          sessionStorage.setItem(KEY_ITEM, raw);
        }
      } catch (error) {
        raw = null;
      }
    }
    if (!raw) return null;
    return crypto.subtle.importKey("raw", bytes(raw), "AES-GCM", false, ["encrypt", "decrypt"]);
  }
  async function lock(value) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = new TextEncoder().encode(JSON.stringify(value));
    const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, cryptoKey, plain);
    return { iv, data };
  }
  async function unlock(box) {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv }, cryptoKey, box.data);
    return JSON.parse(new TextDecoder().decode(plain));
  }

  // --- reference data and the area's people ------------------------------------------------
  let people = [];
  function fill(select, items, valueOf, labelOf) {
    const first = select.options[0];
    select.replaceChildren(...(first && first.value === "" ? [first] : []));
    for (const item of items) select.append(new Option(labelOf(item), valueOf(item)));
  }
  async function loadReference() {
    try {
      const response = await fetch(app.dataset.reference, { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      fill($("r-village"), data.villages, (v) => v.code, (v) => v.name);
      if (data.villages.some((v) => v.code === data.area)) $("r-village").value = data.area;
      for (const id of ["r-category", "s-category"]) {
        fill($(id), data.categories, (c) => c.code, (c) => c.name);
      }
      fill($("s-type"), data.service_types, (s) => s.code, (s) => s.name);
      meetings = data.meetings || [];
      fill($("a-meeting"), meetings, (m) => m.id, (m) =>
        `${m.title} · ${new Date(m.starts_at).toLocaleDateString("id-ID")}`);
    } catch (error) {
      // Offline with nothing cached yet: the forms keep their empty choices.
    }
  }
  async function loadPeople() {
    if (navigator.onLine) {
      try {
        const response = await fetch(app.dataset.people, { credentials: "same-origin" });
        if (response.ok) {
          people = (await response.json()).people;
          const box = await lock(people);
          await store("area", "readwrite", (s) => s.put({ name: "people", box }));
        }
      } catch (error) {
        people = [];
      }
    }
    if (!people.length) {
      const kept = await store("area", "readonly", (s) => s.get("people"));
      if (kept) people = await unlock(kept.box);
    }
    showPeople("");
  }
  // People registered in this phone's drafts: a service can be saved for them at once
  // (the server applies it once their registration is settled).
  let draftPeople = [];
  function showPeople(typed) {
    fill($("u-person"), people.slice(0, 200), (p) => p.id, (p) => [p.name, p.birth].join(" · "));
    const words = typed.toLowerCase().split(/\s+/).filter(Boolean);
    const matches = (name) => words.every((w) => name.toLowerCase().includes(w));
    const found = people.filter((p) => matches(p.name));
    fill($("s-person"), found.slice(0, 200), (p) => p.id, (p) =>
      [p.name, p.birth, p.rt ? "RT " + p.rt + "/RW " + (p.rw || "—") : "", p.place].filter(Boolean).join(" · "));
    for (const draft of draftPeople.filter((d) => matches(d.label))) {
      $("s-person").append(new Option(say(T.in_a_draft, { name: draft.label }), "draft:" + draft.key));
    }
  }

  // --- drafts ----------------------------------------------------------------------------
  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  async function saveDraft(kind, label, payload) {
    const box = await lock({ label, payload, outcome: null, choice: null });
    await putDraft({ key: newKey(), kind, state: "waiting", saved: Date.now(), box });
    await render();
    status(T.saved);
    if (navigator.onLine) sync();
  }
  function stateText(draft, opened) {
    if (draft.state === "waiting" && opened.outcome && opened.outcome.state === "waiting") {
      return T.waiting_for_person;
    }
    if (draft.state !== "refused" || !opened.outcome) return T[draft.state] || draft.state;
    const errors = Object.values(opened.outcome.errors || {}).flat();
    return `${T.refused}: ${errors.join(" ")}`;
  }
  async function render() {
    const drafts = (await allDrafts()).sort((a, b) => a.saved - b.saved);
    const registrations = [];
    const list = $("drafts");
    list.replaceChildren();
    $("drafts-empty").hidden = drafts.length > 0;
    for (const draft of drafts) {
      const item = document.createElement("li");
      item.className = "draft";
      item.dataset.state = draft.state;
      let opened = null;
      try {
        opened = await unlock(draft.box);
      } catch (error) {
        opened = null;
      }
      if (opened && draft.kind === "register_person" && draft.state !== "refused") {
        registrations.push({ key: draft.key, label: opened.label });
      }
      const title = document.createElement("strong");
      title.textContent = opened ? opened.label : "•••";
      const tag = document.createElement("span");
      tag.className = "tag" + (draft.state === "applied" ? "" : " warn");
      tag.textContent = opened ? stateText(draft, opened) : T[draft.state];
      item.append(title, " ", tag);
      if (opened && draft.state === "needs_choice" && opened.outcome) {
        item.append(choices(draft, opened));
      }
      if (draft.state === "applied" || draft.state === "refused") {
        item.append(" ", button(T.remove, async () => { await deleteDraft(draft.key); render(); }, "link"));
      }
      list.append(item);
    }
    draftPeople = registrations;
    showPeople($("s-find").value);
  }
  function button(text, onClick, className = "") {
    const made = document.createElement("button");
    made.type = "button";
    made.className = className;
    made.textContent = text;
    made.addEventListener("click", onClick);
    return made;
  }
  function paragraph(text) {
    const made = document.createElement("p");
    made.textContent = text;
    return made;
  }
  // A draft the worker must decide: a likely duplicate (the same person, or a new one),
  // or a change that met another made on the server (keep mine, or the server's).
  function choices(draft, opened) {
    const box = document.createElement("div");
    box.className = "draft-choice";
    const outcome = opened.outcome;
    if (outcome.state === "conflict") {
      box.append(paragraph(T.changed_meanwhile));
      for (const row of outcome.fields || []) {
        box.append(paragraph(`${row.field.toUpperCase()}: ${row.mine || "—"} (${T.on_phone}) · ${row.theirs || "—"} (${T.on_server})`));
      }
      box.append(
        button(T.keep_mine, () => choose(draft, opened, { overwrite: outcome.current_version })),
        " ",
        button(T.keep_theirs, async () => { await deleteDraft(draft.key); render(); }),
      );
      return box;
    }
    box.append(paragraph(T.maybe_registered));
    for (const candidate of outcome.candidates || []) {
      const line = paragraph([candidate.name, candidate.birth, candidate.place].join(" · ") + " ");
      line.append(button(T.same_person, () => choose(draft, opened, { same: candidate.id })));
      box.append(line);
    }
    box.append(button(T.new_person, () => choose(draft, opened, "new")));
    return box;
  }
  async function choose(draft, opened, choice) {
    draft.box = await lock({ ...opened, choice });
    draft.state = "waiting";
    await putDraft(draft);
    await render();
    sync();
  }

  // --- sync ------------------------------------------------------------------------------
  let syncing = false;
  function csrf() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    if (cookie) return decodeURIComponent(cookie.split("=")[1]);
    const headers = document.body.getAttribute("hx-headers");
    return headers ? JSON.parse(headers)["X-CSRFToken"] : "";
  }
  function status(text) {
    $("field-status").textContent = text;
  }
  async function sync() {
    if (syncing || !cryptoKey) return;
    syncing = true;
    try {
      // In the order they were saved: a registration goes before the service for it.
      const waiting = (await allDrafts())
        .filter((d) => d.state === "waiting")
        .sort((a, b) => a.saved - b.saved);
      let done = 0;
      while (done < waiting.length) {
        const batch = waiting.slice(done, done + BATCH);
        status(say(T.sending, { done: done + 1, total: waiting.length }));
        const opened = await Promise.all(batch.map((d) => unlock(d.box)));
        let response;
        try {
          response = await fetch(app.dataset.sync, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
            body: JSON.stringify({
              drafts: batch.map((d, i) => ({
                key: d.key, kind: d.kind, payload: opened[i].payload, choice: opened[i].choice,
              })),
            }),
          });
        } catch (error) {
          status(T.send_failed);
          return;
        }
        if (!response.ok) {
          status(say(T.server_refused, { status: response.status }));
          return;
        }
        const results = (await response.json()).results;
        for (const [i, draft] of batch.entries()) {
          const outcome = results.find((r) => r.key === draft.key);
          if (!outcome) continue;
          draft.state = outcome.state === "applied" ? "applied"
            : outcome.state === "waiting" ? "waiting"
            : ["needs_choice", "conflict"].includes(outcome.state) ? "needs_choice" : "refused";
          draft.box = await lock({ ...opened[i], outcome, choice: null });
          await putDraft(draft);
        }
        done += batch.length;
        await render();
      }
      const left = (await allDrafts()).filter((d) => d.state === "waiting").length;
      status(!navigator.onLine ? T.offline : left ? T.some_waiting : T.sent_all);
    } finally {
      syncing = false;
    }
  }

  // --- the forms -------------------------------------------------------------------------
  function formError(id, message) {
    $(id).textContent = message;
    $(id).hidden = !message;
    return !message;
  }
  function photoData(file) {
    // Made smaller on the phone (longest side 800 px, JPEG): what a 2G link can send.
    return new Promise((resolve) => {
      if (!file) return resolve("");
      const image = new Image();
      image.onload = () => {
        const scale = Math.min(1, 800 / Math.max(image.width, image.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(image.width * scale);
        canvas.height = Math.round(image.height * scale);
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(image.src);
        resolve(canvas.toDataURL("image/jpeg", 0.8));
      };
      image.onerror = () => resolve("");
      image.src = URL.createObjectURL(file);
    });
  }
  $("register-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const value = (name) => form.elements[name].value.trim();
    if (!formError("register-error", !value("full_name") ? T.need_name : !value("sex") ? T.need_sex : "")) return;
    const category = value("category");
    const payload = {
      full_name: value("full_name"), nik: value("nik"), sex: value("sex"),
      birth_date: value("birth_date") || null, birth_date_precision: value("birth_date_precision"),
      region: value("region") || null, rt: value("rt"), rw: value("rw"), address: value("address"),
      categories: category ? [category] : [],
      report_category: form.elements.report.checked ? category : "",
      photo: await photoData(form.elements.photo.files[0]),
    };
    await saveDraft("register_person", payload.full_name, payload);
    form.reset();
    loadReference();
  });
  $("service-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const value = (name) => form.elements[name].value.trim();
    const chosen = Array.from(form.elements.person.selectedOptions, (option) => option.value);
    const problem = !chosen.length ? T.need_person : !value("service_type") ? T.need_service
      : !value("delivered_on") ? T.need_date : "";
    if (!formError("service-error", problem)) return;
    // One draft per person: each is applied, or refused, on its own.
    for (const one of chosen) {
      const fromDraft = one.startsWith("draft:") ? draftPeople.find((d) => "draft:" + d.key === one) : null;
      const person = people.find((p) => String(p.id) === one);
      const payload = {
        service_type: value("service_type"), delivered_on: value("delivered_on"),
        quantity: Number(value("quantity") || 1), category: value("category"),
        ...(fromDraft ? { person_draft: fromDraft.key } : { person: Number(one) }),
      };
      const name = fromDraft ? fromDraft.label : person ? person.name : "#" + one;
      await saveDraft("record_service", say(T.service_for, { name }), payload);
    }
    form.reset();
    $("s-date").value = new Date().toISOString().slice(0, 10);
  });
  // --- changing a person's record, and a meeting's attendance --------------------------
  const UPDATABLE = ["rt", "rw", "phone", "address"];
  function showEditable() {
    const person = people.find((p) => String(p.id) === $("u-person").value);
    for (const name of UPDATABLE) $("u-" + name).value = person ? person[name] || "" : "";
  }
  $("u-find").addEventListener("input", (event) => {
    const words = event.target.value.toLowerCase().split(/\s+/).filter(Boolean);
    const found = people.filter((p) => words.every((w) => p.name.toLowerCase().includes(w)));
    fill($("u-person"), found.slice(0, 200), (p) => p.id, (p) => [p.name, p.birth].join(" · "));
    showEditable();
  });
  $("u-person").addEventListener("change", showEditable);
  $("update-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const person = people.find((p) => String(p.id) === $("u-person").value);
    if (!formError("update-error", person ? "" : T.need_person)) return;
    const payload = { person: person.id, version: person.version };
    for (const name of UPDATABLE) {
      const typed = $("u-" + name).value.trim();
      if (typed !== (person[name] || "")) payload[name] = typed;
    }
    if (!formError("update-error", Object.keys(payload).length > 2 ? "" : T.nothing_changed)) return;
    await saveDraft("update_person", say(T.update_for, { name: person.name }), payload);
    event.target.reset();
  });
  let meetings = [];
  function showParticipants() {
    const meeting = meetings.find((m) => String(m.id) === $("a-meeting").value);
    const box = $("a-participants");
    box.replaceChildren();
    for (const [i, org] of (meeting ? meeting.participants : []).entries()) {
      const row = document.createElement("div");
      row.className = "field";
      const label = document.createElement("label");
      const check = document.createElement("input");
      check.type = "checkbox";
      check.id = "a-came-" + i;
      check.dataset.organisation = org.id;
      label.htmlFor = check.id;
      label.append(check, " ", org.name);
      const names = document.createElement("input");
      names.id = "a-names-" + i;
      names.maxLength = 255;
      names.setAttribute("aria-label", say(T.who_came, { organisation: org.name }));
      row.append(label, names);
      box.append(row);
    }
  }
  $("a-meeting").addEventListener("change", showParticipants);
  $("attendance-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const meeting = meetings.find((m) => String(m.id) === $("a-meeting").value);
    if (!formError("attendance-error", meeting ? "" : T.need_meeting)) return;
    const attendance = [];
    for (const check of $("a-participants").querySelectorAll("input[type=checkbox]")) {
      const names = $(check.id.replace("came", "names")).value.trim();
      attendance.push({ organisation: Number(check.dataset.organisation), names: check.checked ? names || "✓" : "" });
    }
    await saveDraft("attendance", say(T.attendance_for, { meeting: meeting.title }), { meeting: meeting.id, attendance });
    event.target.reset();
    showParticipants();
  });

  $("s-find").addEventListener("input", (event) => showPeople(event.target.value));
  $("sync-now").addEventListener("click", () => sync());
  window.addEventListener("online", () => { status(T.online); sync(); });
  window.addEventListener("offline", () => status(T.offline));

  // --- start -----------------------------------------------------------------------------
  async function start() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(app.dataset.sw, { scope: app.dataset.scope }).catch(() => {});
    }
    $("s-date").value = new Date().toISOString().slice(0, 10);
    cryptoKey = await loadKey();
    if (!cryptoKey) {
      $("field-locked").hidden = false;
      status(T.locked);
      for (const form of document.querySelectorAll("#field-app form")) {
        form.querySelector("button[type=submit]").disabled = true;
      }
      await render();
      return;
    }
    await loadReference();
    await loadPeople();
    await render();
    status(navigator.onLine ? T.online : T.offline);
    app.dataset.ready = "true";
    if (navigator.onLine) sync();
  }
  start();
})();
