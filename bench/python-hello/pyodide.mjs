// PyScript's interpreter for python-hello: Pyodide from the app's runtime files, no
// snapshot.
const vendor = new URL("../../static/vendor/", import.meta.url);
const runtime = await (await fetch(new URL("runtime.json", vendor))).json();
const indexURL = new URL(runtime.pyodide, vendor).href;
const pyodide = await import(indexURL + "pyodide.mjs");

export const version = pyodide.version;

export function loadPyodide(options) {
  return pyodide.loadPyodide({ ...options, indexURL, lockFileContents: runtime.lock,
                               stdLibURL: new URL(runtime.stdlib, vendor).href });
}
