// node ort_run.js ORT_DIR MODEL.onnx TABLE.csv OUT.csv FEATURE[,FEATURE...]
// Runs a model in onnxruntime-node (CPU, 1 thread) on a CSV's feature
// columns; writes one "%.9g"-style value per row under a "vmaf" header.
const path = require('path');
const fs = require('fs');
const ort = require(path.join(process.argv[2], 'node_modules', 'onnxruntime-node'));
(async () => {
  const feats = process.argv[6].split(',');
  const lines = fs.readFileSync(process.argv[4], 'utf8').split('\n').filter((l) => l.length);
  const hdr = lines[0].split(',');
  const cols = feats.map((c) => hdr.indexOf(c));
  const n = lines.length - 1, k = feats.length;
  const x = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const f = lines[i + 1].split(',');
    for (let j = 0; j < k; j++) x[i * k + j] = parseFloat(f[cols[j]]);
  }
  const s = await ort.InferenceSession.create(process.argv[3],
    { intraOpNumThreads: 1, executionProviders: ['cpu'] });
  const r = await s.run({ features: new ort.Tensor('float32', x, [n, k]) });
  const y = r.vmaf.data;
  const out = ['vmaf'];
  for (let i = 0; i < n; i++) out.push(y[i].toPrecision(9));
  fs.writeFileSync(process.argv[5], out.join('\n') + '\n');
})().catch((e) => { console.error(e.message); process.exit(1); });
