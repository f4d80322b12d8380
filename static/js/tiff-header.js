// The browser's check of a GeoTIFF before any byte of it is sent: its signature (first 16 bytes), then its first
// directory (read by geotiff.js from a small first range of the file, File.slice) for what the Data API needs (a
// CRS) and what the mosaic's first image has (CRS, bands, pixel size: the rule of common/image_fit.py, which the
// server's `uploads.tiff` checks at the first chunk, and stays the guard). A file the script cannot read far enough is left to the server.
/* global GeoTIFF */

// The first directory and the GeoTIFF keys that follow it fit in its offset plus this, in every file GDAL writes.
const DIRECTORY_MARGIN = 256 * 1024;
const SIGNATURES = [
  [[0x89, 0x50, 0x4e, 0x47], "a PNG image"],
  [[0xff, 0xd8, 0xff], "a JPEG image"],
  [[0x25, 0x50, 0x44, 0x46], "a PDF document"],
  [[0x50, 0x4b, 0x03, 0x04], "a ZIP archive"],
  [[0x3c], "a text or XML file"],
];
const SAMPLE_FORMATS = { 1: "uint", 2: "int", 3: "float" };
const USER_DEFINED = 32767;

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

// Like Python's "{:g}": six significant digits, no trailing zeros ("0.597164", "2").
function pixelSize([x, y]) {
  return `${Number(x.toPrecision(6))} x ${Number(y.toPrecision(6))}`;
}

// The first directory's offset, or what the first bytes are instead of a TIFF.
function directoryOffset(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const order = String.fromCharCode(bytes[0] || 0, bytes[1] || 0);
  const little = order === "II";
  if (bytes.length >= 16 && (little || order === "MM")) {
    const version = view.getUint16(2, little);
    if (version === 42) return { offset: view.getUint32(4, little) };
    if (version === 43) return { offset: Number(view.getBigUint64(8, little)) };
  }
  const known = SIGNATURES.find(([magic]) => magic.every((byte, index) => bytes[index] === byte));
  return { notTiff: known ? `${known[1]}, not a GeoTIFF` : "not a TIFF (its first bytes are no TIFF signature)" };
}

// The EPSG code of the GeoTIFF keys ("EPSG:32637"), "" for a CRS of its own, null for none at all.
function crsOf(keys) {
  if (!keys) return null;
  const values = {};
  for (let index = 4; index + 3 < keys.length && index <= keys[3] * 4; index += 4) {
    if (keys[index + 1] === 0) values[keys[index]] = keys[index + 3]; // a SHORT value kept in the directory itself
  }
  const model = values[1024];
  const code = model === 2 ? values[2048] : values[3072] ?? values[2048];
  if (code && code !== USER_DEFINED) return `EPSG:${code}`;
  return model || code ? "" : null;
}

async function headerOf(file, offset) {
  const tiff = await GeoTIFF.fromBlob(file.slice(0, Math.min(file.size, offset + DIRECTORY_MARGIN)));
  const image = await tiff.getImage(0);
  const directory = image.getFileDirectory();
  const [bits, formats, scale, transform, keys] = await Promise.all(
    ["BitsPerSample", "SampleFormat", "ModelPixelScale", "ModelTransformation", "GeoKeyDirectory"].map((tag) =>
      directory.loadValue(tag),
    ),
  );
  const format = SAMPLE_FORMATS[formats ? formats[0] : 1];
  let resolution = null;
  if (scale || transform) {
    const [x, y] = image.getResolution();
    resolution = [Math.abs(x), Math.abs(y)];
  }
  return {
    crs: crsOf(keys),
    count: image.getSamplesPerPixel(),
    dtype: format && bits ? `${format}${bits[0]}` : null,
    pixelSize: resolution,
  };
}

// What is wrong with `header` against `reference` (the mosaic's first image), in words; null when nothing is.
function mismatch(name, header, reference, tolerance) {
  if (header.crs === null) {
    const expected = reference?.crs ? `; the mosaic's images are in ${reference.crs}` : "";
    return `${name} has no CRS (coordinate reference system), which the Data API needs${expected}`;
  }
  if (!reference) return null;
  if (header.crs && reference.crs?.startsWith("EPSG:") && header.crs !== reference.crs) {
    return `${name} is in ${header.crs}; the mosaic's images are in ${reference.crs}`;
  }
  if (reference.count && header.count !== reference.count) {
    return `${name} has ${plural(header.count, "band")}; the mosaic's images have ${reference.count}`;
  }
  const expected = reference.pixelSize;
  const got = header.pixelSize;
  if (expected?.length === 2 && got) {
    const close = (a, b) => Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
    const same = got.length === expected.length && got.every((value, index) => close(value, expected[index]));
    if (!same) return `${name} has pixels of ${pixelSize(got)}; the mosaic's images have ${pixelSize(expected)}`;
  }
  return null;
}

// The file's header, or why it cannot join a mosaic whose first image is `reference` (null: an empty mosaic); pixel
// sizes are alike within the relative `tolerance` of common/image_fit.py.
// Resolves to { refusal } or { header } (header null when the script could not read it: the server decides).
export async function headerCheck(file, reference, tolerance) {
  const start = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  const { offset, notTiff } = directoryOffset(start);
  if (notTiff) return { refusal: `${file.name} is ${notTiff}` };
  let header;
  try {
    header = await headerOf(file, offset);
  } catch {
    return { header: null };
  }
  return { refusal: mismatch(file.name, header, reference, tolerance), header };
}
