// Saved search pages: a form marked data-confirm asks before it is sent (deleting a search loses what it has seen).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset?.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// The properties of a GeoJSON file's features, offered for naming its areas (the server checks the choice).
const MAX_READ = 10 * 1000 * 1000;
const fileInput = document.getElementById("id_areas_file");
const choices = document.getElementById("name-properties");
async function propertiesOffer() {
  choices.replaceChildren();
  const file = fileInput.files[0];
  if (!file || file.size > MAX_READ || !/\.(geo)?json$/i.test(file.name)) return;
  const names = new Set();
  try {
    const parsed = JSON.parse(await file.text());
    for (const feature of parsed.features || []) Object.keys(feature.properties || {}).forEach((key) => names.add(key));
  } catch {
    return; // the server says what is wrong with the file
  }
  for (const name of [...names].slice(0, 50)) {
    const option = document.createElement("option");
    option.value = name;
    choices.append(option);
  }
  const property = document.getElementById("id_name_property");
  if (!property.value && names.has("name")) property.value = "name";
}
fileInput?.addEventListener("change", propertiesOffer);
// A file chosen before this script ran (a slow page, or one the browser restored) is read too.
if (fileInput?.files.length) propertiesOffer();
