// The drag-and-drop upload widget (templates/uploads/_dropzone.html): every file goes up with tus in chunks; each one
// is checked before any byte is sent (extension, size, free storage, then its TIFF header against the mosaic's first
// image, which the mosaic page gives in the `upload-reference` island; see tiff-header.js), and unfinished uploads
// resume. A file's row then follows its job in the mosaic's Uploads list, so it turns green only once it is ready. On a mosaic's
// page the files go into that mosaic; on the mosaic list ("new mosaic from files", no mosaicId) the New mosaic dialog
// opens first, and the files go into the mosaic it creates (its id comes with the `mosaic-created` event).
/* global tus, htmx */
import { DIALOG_ID } from "./mosaic-names.js";
import { formatSize } from "./sizes.js";
import { headerCheck } from "./tiff-header.js";

const root = document.querySelector("[data-upload-dropzone]");
const config = JSON.parse(document.getElementById("upload-dropzone-data").textContent);
const csrfToken = root.querySelector("[name=csrfmiddlewaretoken]").value;
const fileList = root.querySelector("[data-upload-files]");
let queuedBytes = 0; // bytes of this page's uploads not yet counted by the server's free storage
let waiting = null; // "new mosaic from files": the files and their rows, until the dialog has created the mosaic
const following = new Map(); // upload job id → the view of its file's row
const SPEED_WINDOW_MS = 5000; // speed and time left are measured over the last seconds

function jobsChanged() {
  document.body.dispatchEvent(new CustomEvent("uploads-changed", { bubbles: true }));
}

function row(file) {
  const item = document.createElement("li");
  item.className = "mb-1";
  item.dataset.uploadFile = file.name;
  const name = document.createElement("div");
  name.className = "small";
  name.textContent = `${file.name} (${formatSize(file.size)})`;
  const status = document.createElement("div");
  status.className = "small text-body-secondary";
  status.dataset.uploadStatus = "";
  const bar = document.createElement("div");
  bar.className = "progress";
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-label", `Upload of ${file.name}`);
  const fill = document.createElement("div");
  fill.className = "progress-bar";
  fill.style.width = "0%";
  bar.append(fill);
  item.append(name, bar, status);
  fileList.append(item);
  const pace = speedometer();
  return {
    progress(sent, total) {
      const percent = total ? Math.floor((100 * sent) / total) : 0;
      fill.style.width = `${percent}%`;
      bar.setAttribute("aria-valuenow", String(percent));
      status.textContent = [`Uploading to us: ${percent}%`, ...pace.measure(sent, total)].join(" · ");
    },
    wait(text) {
      status.textContent = text;
    },
    done(text) {
      fill.classList.add("bg-success");
      status.className = "small text-success";
      status.textContent = text;
    },
    // The job's state as the Uploads list shows it (its data-state, its label and message).
    follow(state, label, message) {
      if (state === "ready") this.done("Ready: its tiles are on the map");
      else if (state === "failed") this.fail(message || label);
      else this.wait(message ? `${label}: ${message}` : label);
    },
    fail(text) {
      fill.classList.add("bg-danger");
      status.className = "small text-danger";
      status.textContent = text;
      item.dataset.uploadFailed = "";
    },
  };
}

function duration(seconds) {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

// Speed over the last SPEED_WINDOW_MS and the time left at that speed ("12.5 MB/s", "3 min left").
function speedometer() {
  const samples = [];
  return {
    measure(sent, total) {
      const now = performance.now();
      samples.push([now, sent]);
      while (samples.length > 2 && now - samples[0][0] > SPEED_WINDOW_MS) samples.shift();
      const [then, before] = samples[0];
      const speed = now > then ? ((sent - before) * 1000) / (now - then) : 0;
      if (now - then < 500 || speed <= 0) return [];
      return [`${formatSize(Math.round(speed))}/s`, `${duration((total - sent) / speed)} left`];
    },
  };
}

// Before any byte is sent: the extension, the size against maxUploadFileSize, the free storage.
function refusal(file) {
  const name = file.name.toLowerCase();
  if (!config.extensions.some((extension) => name.endsWith(extension))) return `${file.name} is not a GeoTIFF (.tif or .tiff)`;
  if (config.maxUploadFileSize !== null && file.size > config.maxUploadFileSize) {
    return `${file.name} is ${formatSize(file.size)}; the largest allowed is ${formatSize(config.maxUploadFileSize)}`;
  }
  if (config.freeBytes !== null && file.size > config.freeBytes - queuedBytes) {
    const free = Math.max(0, config.freeBytes - queuedBytes);
    return `Not enough storage: ${file.name} needs ${formatSize(file.size)}, ${formatSize(free)} is free`;
  }
  return null;
}

function serverResumable(file) {
  if (config.createUrl) return null; // the list's unfinished uploads belong to other mosaics
  return config.resumable.find((job) => job.filename === file.name && job.size === file.size);
}

function reason(error) {
  const body = error.originalResponse ? error.originalResponse.getBody() : "";
  return body || "The upload failed; check the connection and drop the file again to resume";
}

function send(file, view, mosaicId) {
  const known = serverResumable(file);
  const upload = new tus.Upload(file, {
    endpoint: config.endpoint,
    uploadUrl: known ? known.url : null,
    // An upload is remembered (to resume it) per mosaic: the same file dropped onto another mosaic starts afresh.
    fingerprint: () => Promise.resolve(["mosaic", mosaicId, file.name, file.size, file.lastModified].join(":")),
    chunkSize: config.chunkSize,
    retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
    metadata: { filename: file.name, mosaic_id: mosaicId },
    headers: { "X-CSRFToken": csrfToken },
    removeFingerprintOnSuccess: true,
    onProgress: (sent, total) => view.progress(sent, total),
    onAfterResponse: (request) => {
      if (request.getMethod() === "POST") jobsChanged();
    },
    onError: (error) => {
      view.fail(reason(error));
      jobsChanged();
    },
    onSuccess: () => {
      // Not done yet: the dashboard checks it and sends it to Mapflow, which may still refuse it.
      view.wait(config.createUrl ? "Received; open its mosaic to follow it to Mapflow" : "Received; being sent to Mapflow");
      following.set(upload.url.split("/").pop(), view);
      jobsChanged();
    },
  });
  upload.findPreviousUploads().then((previous) => {
    if (!known && previous.length) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
  });
}

// What the mosaic's first image has (null on the mosaic list, or for an empty mosaic).
function pageReference() {
  const island = document.getElementById("upload-reference");
  return island ? JSON.parse(island.textContent) : null;
}

// Each file gets its row; those that pass the checks go up at once, or once the new mosaic exists. Into an empty
// mosaic, the first file that passes is what the others of the same drop must match.
async function sendAll(files) {
  const accepted = [];
  let reference = pageReference();
  for (const file of [...files]) { // a copy: the input's list empties while the checks run
    const view = row(file);
    let refused = refusal(file);
    if (!refused) {
      view.wait("Checking its header");
      const checked = await headerCheck(file, reference, config.pixelSizeTolerance);
      refused = checked.refusal;
      if (!refused && !reference && checked.header) reference = checked.header;
    }
    if (refused) {
      view.fail(refused);
      continue;
    }
    if (!serverResumable(file)) queuedBytes += file.size;
    accepted.push({ file, view });
  }
  if (!accepted.length) return;
  if (!config.createUrl) {
    for (const { file, view } of accepted) {
      view.wait("Starting");
      send(file, view, config.mosaicId);
    }
    return;
  }
  forget("Not sent: other files were dropped before the mosaic was created");
  waiting = accepted;
  for (const { view } of accepted) view.wait("Waiting for the new mosaic's name");
  const name = accepted[0].file.name.replace(/\.tiff?$/i, "");
  const url = `${config.createUrl}?${new URLSearchParams({ files: accepted.length, name })}`;
  document.getElementById(DIALOG_ID).showModal();
  htmx.ajax("GET", url, { target: "#dialog-form", swap: "outerHTML" });
}

// The unfinished uploads that are no longer unfinished in the Uploads list (resumed and received, or gone).
function pruneResumable(jobs) {
  const box = root.querySelector("[data-upload-resume]");
  for (const item of box.querySelectorAll("[data-upload-job]")) {
    const job = jobs.querySelector(`tr[data-job-id="${CSS.escape(item.dataset.uploadJob)}"]`);
    if (job?.dataset.state !== "uploading") item.remove();
  }
  box.hidden = !box.querySelector("[data-upload-job]");
}

// Each row of a file sent here follows its job in the Uploads list, refreshed by htmx.
document.addEventListener("htmx:afterSwap", () => {
  const jobs = document.getElementById("upload-jobs");
  if (!jobs) return;
  if (!config.createUrl) pruneResumable(jobs);
  for (const [id, view] of following) {
    const job = document.querySelector(`#upload-jobs tr[data-job-id="${CSS.escape(id)}"]`);
    if (!job || job.dataset.state === "uploading") continue;
    const message = job.querySelector("[data-job-message]");
    view.follow(job.dataset.state, job.querySelector("[data-job-state]").textContent, message?.textContent);
    if (job.dataset.state === "ready" || job.dataset.state === "failed") following.delete(id);
  }
});

document.addEventListener("mosaic-created", (event) => {
  if (!waiting) return;
  const files = waiting;
  waiting = null;
  const into = root.querySelector("[data-upload-into]");
  const link = document.createElement("a");
  link.href = event.detail.url;
  link.textContent = event.detail.name;
  into.replaceChildren("Uploading into ", link, "; open it to follow each file to Mapflow.");
  into.hidden = false;
  for (const { file, view } of files) send(file, view, event.detail.id);
});

// Files waiting for a mosaic that will not come (the dialog was closed, or other files were dropped).
function forget(text) {
  for (const { file, view } of waiting || []) {
    queuedBytes -= file.size;
    view.fail(text);
  }
  waiting = null;
}
document.getElementById(DIALOG_ID)?.addEventListener("close", () => forget("Not sent: no mosaic was created"));

function showLimits() {
  const parts = [];
  if (config.maxUploadFileSize !== null) parts.push(`Largest file: ${formatSize(config.maxUploadFileSize)}`);
  if (config.freeBytes !== null) parts.push(`free storage: ${formatSize(config.freeBytes)}`);
  root.querySelector("[data-upload-limits]").textContent = parts.join(", ");
}

function offerResume() {
  if (!config.resumable.length) return;
  const box = root.querySelector("[data-upload-resume]");
  const list = box.querySelector("[data-upload-resume-list]");
  for (const job of config.resumable) {
    const item = document.createElement("li");
    item.dataset.uploadJob = job.url.split("/").pop();
    const percent = job.size ? Math.floor((100 * job.offset) / job.size) : 0;
    item.textContent = `${job.filename}: ${percent}% of ${formatSize(job.size)} received`;
    if (config.createUrl) {
      const link = document.createElement("a");
      link.href = job.mosaicUrl;
      link.textContent = "open its mosaic";
      item.append(" (", link, ")");
    }
    list.append(item);
  }
  box.hidden = false;
}

const target = root.querySelector("[data-upload-target]");
const input = root.querySelector("#upload-files");
for (const name of ["dragenter", "dragover"]) {
  target.addEventListener(name, (event) => {
    event.preventDefault();
    target.classList.add("border-primary");
  });
}
target.addEventListener("dragleave", () => target.classList.remove("border-primary"));
target.addEventListener("drop", (event) => {
  event.preventDefault();
  target.classList.remove("border-primary");
  sendAll(event.dataTransfer.files);
});
target.addEventListener("keydown", (event) => {
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    input.click();
  }
});
input.addEventListener("change", () => {
  sendAll(input.files);
  input.value = "";
});
showLimits();
offerResume();
