// Precompressed copies of the page's runtime files, made once by tools/vendor.py:
// FILE.br (brotli, the best it does) and FILE.gz (gzip -9) next to each FILE. The
// static server sends one of them when the browser accepts it (server/static_server.py;
// nginx: brotli_static, gzip_static).
//
//     node tools/compress.mjs FILE...
//
// Node's zlib has brotli; Python's standard library does not.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { constants, brotliCompressSync, gzipSync } from "node:zlib";

for (const file of process.argv.slice(2)) {
  const data = readFileSync(file);
  const brotli = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS, // 16 MB: browsers take it
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  const gzip = gzipSync(data, { level: 9 });
  // Written under another name first: a half-written copy is never served.
  writeFileSync(file + ".br.part", brotli);
  writeFileSync(file + ".gz.part", gzip);
  renameSync(file + ".br.part", file + ".br");
  renameSync(file + ".gz.part", file + ".gz");
}
