// Byte sizes as the dashboard writes them everywhere: decimal units, one decimal dropped when it is 0 ("512 B",
// "1.5 kB", "20 GB"). The same as common/sizes.py's format_size, which writes them on the server's side.
export function formatSize(bytes) {
  if (Math.abs(bytes) < 1000) return `${bytes} B`;
  let value = bytes / 1000;
  let unit = "TB";
  for (const candidate of ["kB", "MB", "GB"]) {
    if (Math.abs(Number(value.toFixed(1))) < 1000) {
      unit = candidate;
      break;
    }
    value /= 1000;
  }
  return `${value.toFixed(1).replace(/\.0$/, "")} ${unit}`;
}
