// The drag-and-drop upload widget (templates/uploads/_dropzone.html): every file goes up with tus in chunks; each one
// is checked (extension, size, free storage) before any byte is sent, and unfinished uploads resume. On a mosaic's
// page the files go into that mosaic; on the mosaic list ("new mosaic from files", no mosaicId) the New mosaic dialog
// opens first, and the files go into the mosaic it creates (its id comes with the `mosaic-created` event).
/* global tus, htmx */
import { formatSize } from "./sizes.js";

const root = document.querySelector("[data-upload-dropzone]");
const config = JSON.parse(document.getElementById("upload-dropzone-data").textContent);
const csrfToken = root.querySelector("[name=csrfmiddlewaretoken]").value;
const fileList = root.querySelector("[data-upload-files]");
const EXTENSIONS = [".tif", ".tiff"];
const DIALOG_ID = "mosaic-dialog";
let queuedBytes = 0; // bytes of this page's uploads not yet counted by the server's free storage
let waiting = null; // "new mosaic from files": the files and their rows, until the dialog has created the mosaic

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
  return {
    progress(sent, total) {
      const percent = total ? Math.floor((100 * sent) / total) : 0;
      fill.style.width = `${percent}%`;
      bar.setAttribute("aria-valuenow", String(percent));
      status.textContent = `Uploading to us: ${percent}%`;
    },
    wait(text) {
      status.textContent = text;
    },
    done(text) {
      fill.classList.add("bg-success");
      status.textContent = text;
    },
    fail(text) {
      fill.classList.add("bg-danger");
      status.className = "small text-danger";
      status.textContent = text;
      item.dataset.uploadFailed = "";
    },
  };
}

// Before any byte is sent: the extension, the size against maxUploadFileSize, the free storage.
function refusal(file) {
  const name = file.name.toLowerCase();
  if (!EXTENSIONS.some((extension) => name.endsWith(extension))) return `${file.name} is not a GeoTIFF (.tif or .tiff)`;
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
      view.done("Received; it now goes on to Mapflow");
      jobsChanged();
    },
  });
  upload.findPreviousUploads().then((previous) => {
    if (!known && previous.length) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
  });
}

// Each file gets its row; those that pass the checks go up at once, or once the new mosaic exists.
function sendAll(files) {
  const accepted = [];
  for (const file of files) {
    const view = row(file);
    const refused = refusal(file);
    if (refused) {
      view.fail(refused);
      continue;
    }
    if (!serverResumable(file)) queuedBytes += file.size;
    accepted.push({ file, view });
  }
  if (!accepted.length) return;
  if (!config.createUrl) {
    for (const { file, view } of accepted) send(file, view, config.mosaicId);
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
