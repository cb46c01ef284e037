// onnxruntime-node counterpart of tiny_bench.c: same rows, same batches,
// one intra-op thread, sequential execution, optimisation 'all'.
//   node tiny_ort.js NODE_MODULES_DIR UPSTREAM_DIR MODEL.onnx...
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const [nodeDir, upstream, ...models] = process.argv.slice(2);
  const ort = require(path.resolve(nodeDir, 'node_modules', 'onnxruntime-node'));
  const lines = fs.readFileSync(path.join(upstream, 'vectors.csv'), 'utf8').trim().split('\n');
  const rows = lines.slice(48, 1048);
  const x = new Float32Array(rows.length * 6);
  rows.forEach((l, r) => l.split(',').slice(0, 6).forEach((v, c) => { x[r * 6 + c] = Number(v); }));
  for (const file of models) {
    const s = await ort.InferenceSession.create(file, {
      graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1,
      executionMode: 'sequential',
    });
    const input = s.inputNames[0];
    for (const batch of [1, 1000]) {
      const feeds = [];
      for (let i = 0; i < rows.length; i += batch)
        feeds.push(x.subarray(i * 6, (i + batch) * 6));
      const pass = async () => {
        for (const f of feeds)
          await s.run({ [input]: new ort.Tensor('float32', f, [batch, 6]) });
      };
      await pass(); // warm-up
      const t0 = process.hrtime.bigint();
      let done = 0, t = 0;
      do {
        await pass();
        done += rows.length;
        t = Number(process.hrtime.bigint() - t0) / 1e9;
      } while (t < 1.0);
      console.log(`${path.basename(file)} ${batch} ${(done / t).toFixed(0)}`);
    }
  }
}

main().catch((e) => { console.error(`tiny_ort: ${e.message}`); process.exit(1); });
