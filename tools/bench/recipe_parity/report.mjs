// The recipe parity result as markdown: one table row per framework, then the command and how the
// data and the pretrained base were made.

const pct = (x) => (x === undefined ? '—' : `${(100 * x).toFixed(2)}%`);
const secs = (x) => (x === undefined ? '—' : x.toFixed(1));

/**
 * Per phase from epoch records (xfer's metrics.jsonl fields): epochs, wall seconds (validation
 * included, as each epoch's seconds are), training img/s (validation excluded) and the last val
 * accuracy.
 */
export function phaseTotals(history, trainCount) {
  const phases = {};
  for (const h of history) {
    const p = (phases[h.phase] ??= { epochs: 0, seconds: 0, trainSeconds: 0 });
    p.epochs += 1;
    p.seconds += h.seconds;
    p.trainSeconds += trainCount / h.imagesPerSec;
    p.valAccuracy = h.valAccuracy;
  }
  for (const p of Object.values(phases)) p.imagesPerSec = (p.epochs * trainCount) / p.trainSeconds;
  return phases;
}

export function formatReport(r) {
  const pre = r.pretraining;
  const rows = r.frameworks.map((f) => {
    const { frozen, 'fine-tune': fine } = f.phases;
    return `| ${f.framework} | ${f.version} | ${f.backend} | ${frozen?.epochs ?? 0} + ${fine?.epochs ?? 0} | ` +
      `${pct(frozen?.valAccuracy)} | ${pct(f.history.at(-1)?.valAccuracy)} | ${pct(f.test.accuracy)} | ` +
      `${secs(frozen?.seconds)} | ${secs(fine?.seconds)} | ${secs(f.seconds)} | ${secs(frozen?.imagesPerSec)} | ${secs(fine?.imagesPerSec)} |`;
  });
  const kerasBatchNorm = r.frameworks.find((f) => f.framework === 'Keras')?.batchNorm?.['fine-tune'];
  const [train, validation, test] = ['train', 'validation', 'test'].map((s) => r.frameworks[0].counts[s]);
  return [
    `| framework | version | backend | epochs (frozen + fine-tune) | val acc after frozen | final val acc | test acc | ` +
      `frozen s | fine-tune s | total s | frozen img/s | fine-tune img/s |`,
    `|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|`,
    ...rows,
    '',
    `Command: \`${r.command}\` (${r.date}, ${r.machine}).`,
    `Data: Fashion-MNIST ${r.data.classes.join(' (0) vs ')} (1), ${r.recipe.size}x${r.recipe.size}, batch ${r.recipe.batchSize}, ` +
      `seed ${r.recipe.seed}; splits ${r.data.splits.train} / ${r.data.splits.validation} / ${r.data.splits.test} ` +
      `(${train} / ${validation} / ${test} images, the same files in both).`,
    `Accuracy is Keras' BinaryAccuracy rule on both sides (logit > 0.5). A phase's seconds are its epochs' ` +
      `wall time, validation included; img/s is training images over training time; total is the whole ` +
      `process, start-up and the test evaluation included.`,
    ...(kerasBatchNorm === 'batch statistics'
      ? [`The fine-tune phase differs in one way the Keras code does not ask for: Keras 3 runs the unfrozen base's ` +
          `BatchNorm layers with batch statistics (fit's training call overrides \`base_model(x, training=False)\`, ` +
          `keras-team/keras#20285; measured on one layer's moving mean); xfer keeps them in inference mode, as the guide intends.`]
      : []),
    `Pretrained base: ${pre.images} images of ${pre.classes.join(', ')}, ${pre.epochs} epochs from scratch, ` +
      `${pct(pre.heldOutAccuracy)} on ${pre.heldOutImages} held-out test images, ${secs(pre.seconds)} s ` +
      `(${pre.madeNow ? 'made in this run' : 'cached'}); data preparation ${secs(r.data.seconds)} s ` +
      `(${r.data.madeNow ? 'made in this run' : 'cached'}). Neither is in the times above.`,
    '',
  ].join('\n');
}
