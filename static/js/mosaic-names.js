// The names of mosaics/events.py, from the `mosaic-names` data island that the mosaic dialog's template writes.
const island = document.getElementById("mosaic-names");
const names = island ? JSON.parse(island.textContent) : {};

export const DIALOG_ID = names.dialog_id;
export const IMAGES_CHANGED = names.images_changed;
