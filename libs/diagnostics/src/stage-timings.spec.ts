import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { stageTimings } from './stage-timings';

describe('stage timings', () => {
  afterEach(() => stageTimings.stop());

  it('records nothing while off', () => {
    stageTimings.stop();
    stageTimings.record('decide', 5);
    stageTimings.since('append', stageTimings.now());
    expect(stageTimings.now()).toBe(0);
    stageTimings.start();
    expect(stageTimings.report().stages.decide.count).toBe(0);
  });

  it('reports p50, p99 and the maximum of each stage', () => {
    stageTimings.start();
    for (let ms = 1; ms <= 100; ms++) stageTimings.record('append', ms);
    const append = stageTimings.report().stages.append;
    expect(append).toEqual({ count: 100, p50: 50, p99: 99, max: 100 });
  });

  it('times a stage from a start mark', async () => {
    stageTimings.start();
    const started = stageTimings.now();
    await sleep(20);
    stageTimings.since('load', started);
    const load = stageTimings.report().stages.load;
    expect(load.count).toBe(1);
    expect(load.max).toBeGreaterThanOrEqual(15);
  });

  it('measures how late the event loop runs while the main thread is blocked', async () => {
    stageTimings.start();
    await sleep(30);
    const until = Date.now() + 120;
    while (Date.now() < until) {
      // hold the main thread, as a long synchronous fold would
    }
    await sleep(30);
    expect(stageTimings.report().eventLoopDelay.max).toBeGreaterThanOrEqual(80);
  });

  it('merges the stages a worker thread timed', async () => {
    const worker = new Worker(
      `require('@swc-node/register');
       const { stageTimings } = require(${JSON.stringify(require.resolve('./stage-timings'))});
       const { parentPort } = require('node:worker_threads');
       parentPort.on('message', () => { stageTimings.record('apply', 7); stageTimings.record('apply', 9); parentPort.postMessage('done'); });
       parentPort.postMessage('ready');`,
      { eval: true },
    );
    try {
      await new Promise((resolve) => worker.once('message', resolve));
      stageTimings.start();
      await sleep(50); // the start reaches the worker over the broadcast channel
      worker.postMessage('record');
      await new Promise((resolve) => worker.once('message', resolve));
      const apply = (await stageTimings.collect()).stages.apply;
      expect(apply).toEqual({ count: 2, p50: 7, p99: 9, max: 9 });
    } finally {
      await worker.terminate();
    }
  });
});
