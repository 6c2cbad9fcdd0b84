// Where the runtime is comes from static/vendor/runtime.json (tools/vendor.py); then
// PyScript starts one line of Python with Pyodide started the usual way (pyodide.mjs).
const vendor = new URL("../../static/vendor/", import.meta.url);
const runtime = await (await fetch(new URL("runtime.json", vendor))).json();
const script = document.createElement("script");
script.type = "py";
script.setAttribute("config", JSON.stringify({ interpreter: "./pyodide.mjs" }));
script.textContent = 'print("ready")';
document.body.append(script);
await import(new URL(runtime.pyscript + "core.js", vendor));
