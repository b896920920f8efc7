/**
 * The viewer in a real browser (headless Chromium from @sparticuz/chromium, else a system one, through playwright-core) on a run made
 * by `sieve run --preset quick`: click from the run to a dataset to a question to a sample,
 * compare what is shown with the store, colour tokens under the generating checkpoint (their
 * log-probs must add up to the ones stored at sampling time), and check that hostile model
 * output stays text.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildDataset, verifySamples } from '@sieve/dataset';
import { startViewer, type ViewerServer } from '@sieve/inspect';
import { Store } from '@sieve/store';
import { launchBrowser, sieve, tempDir } from '../helpers';

const HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">';

let dir = '';
let cleanup = (): void => undefined;
let runDir = '';
let dbPath = '';
let server: ViewerServer;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];
let launchError: unknown = null;
let nextCommands: string[] = [];

function needBrowser(): void {
  if (launchError) throw new Error(`headless Chromium could not start: ${(launchError as Error).message}`, { cause: launchError });
}

/** Adds a sample run whose only sample is hostile markup, verified and filtered by the real stages. */
function addHostileSample(): void {
  const store = Store.open(dbPath);
  try {
    const base = store.models.list().find((m) => m.kind === 'base');
    const q = store.questions.list({ limit: 1 })[0];
    if (!base || !q) throw new Error('the quick run has no base model or no question');
    const run = store.samples.ensureRun({ name: 'hostile', modelId: base.id, set: q.set, split: q.split, params: {}, seed: 1 });
    store.samples.insertMany(run.id, [{ questionId: q.id, sampleIndex: 0, seed: 1, text: HOSTILE, tokenCount: 1, logprobSum: 0, tokenLogprobs: null, finishReason: 'stop' }]);
    verifySamples(store, { runName: 'hostile' });
    buildDataset(store, { runName: 'hostile', name: 'hostile' });
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('sieve-viewer-'));
  const res = sieve(dir, ['run', '--preset', 'quick']);
  if (res.code !== 0) throw new Error(`sieve run --preset quick failed (${res.code}):\n${res.stderr}`);
  nextCommands = res.stderr.split('\n').filter((l) => l.trim().startsWith('npx sieve ')).map((l) => l.trim().split('#')[0]?.trim() ?? '');
  runDir = join(dir, 'data', 'runs', 'quick');
  dbPath = join(runDir, 'sieve.sqlite');
  addHostileSample();
  server = await startViewer({ dbPath, runDir, port: 0 });
  try {
    ({ browser } = await launchBrowser());
  } catch (err) {
    launchError = err; // re-thrown by every test: no browser means failed tests, never skipped ones
    return;
  }
  page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  cleanup();
});

function readStore<T>(fn: (s: Store) => T): T {
  const s = Store.open(dbPath, { readonly: true });
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

describe('the viewer in a real browser, on a quick-preset run', () => {
  it('is what `sieve run` tells the user to type next, and that command works as printed', () => {
    expect(nextCommands).toEqual(['npx sieve inspect --run quick', 'npx sieve serve --run quick']);
    const inspect = sieve(dir, (nextCommands[0] ?? '').split(' ').slice(2));
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toContain('quick');
  });

  it('goes from the run to a dataset to a question to a sample by clicking, showing what the store holds', async () => {
    needBrowser();
    await page.goto(server.url);
    expect(await page.locator('h1').textContent()).toBe('Run quick');
    const stages = readStore((s) => s.stages.list());
    expect(await page.locator('table.stages tbody tr').count()).toBe(stages.length);
    expect(await page.locator('table.stages .badge.ok').count()).toBe(stages.filter((r) => r.status === 'done').length);

    // The RFT dataset: its numbers as the store has them.
    const d = readStore((s) => s.datasets.list().find((x) => x.kind === 'rft' && x.name !== 'hostile'));
    expect(d).toBeDefined();
    await page.getByRole('link', { name: `${d?.name}@${d?.version}` }).click();
    await page.waitForURL(new RegExp(`/datasets/${d?.id}$`));
    expect(await page.locator('h1').textContent()).toBe(`Dataset ${d?.name}@${d?.version}`);
    const counts = readStore((s) => ({ ...s.datasets.itemCounts(d?.id as number), questions: s.datasets.questionCount(d?.id as number) }));
    expect((await page.locator('table.stats tbody td').allTextContents()).slice(0, 4)).toEqual([counts.questions, counts.items, counts.kept, counts.items - counts.kept].map(String));
    for (const [reason, n] of Object.entries(readStore((s) => s.datasets.dropCounts(d?.id as number)))) {
      expect(await page.locator('table.drops tr', { hasText: reason }).locator('td').nth(1).textContent()).toBe(String(n));
    }
    expect(await page.locator('figure svg').count()).toBe(3);

    // The hardest question: its text and gold solution, accepted and rejected apart with their reasons.
    const link = page.locator('table.questions a').first();
    const qid = Number((await link.textContent())?.slice(1));
    await link.click();
    await page.waitForURL(new RegExp(`/datasets/${d?.id}/questions/${qid}$`));
    const question = readStore((s) => s.questions.get(qid));
    expect(await page.locator('.question-text').textContent()).toBe(question?.text);
    expect(await page.locator('.gold-solution').textContent()).toBe(question?.goldSolution);
    const items = readStore((s) =>
      s.datasets
        .items(d?.id as number)
        .filter((i) => i.questionId === qid && i.sampleId !== null)
        .map((i) => ({ id: i.sampleId as number, kept: i.kept, reason: i.dropReason }))
        .sort((a, b) => a.id - b.id),
    );
    const cards = async (cls: string): Promise<number[]> =>
      (await page.locator(`.sample.${cls}`).evaluateAll((els) => els.map((e) => e.id))).map((id) => Number(id.replace('sample-', ''))).sort((a, b) => a - b);
    expect(await cards('kept')).toEqual(items.filter((i) => i.kept).map((i) => i.id));
    expect(await cards('dropped')).toEqual(items.filter((i) => !i.kept).map((i) => i.id));
    for (const it of items.filter((i) => !i.kept)) expect(await page.locator(`#sample-${it.id} .drop-reason`).textContent()).toBe(`dropped: ${it.reason}`);

    // One of its samples with a wrong calculator step: the text is the store's, the step is marked.
    // The item with the most wrong steps under any verifier, the lowest sample id among ties.
    const sample = readStore((s) => {
      const judged = items.map(({ id }) => {
        const row = s.samples.get(id);
        if (!row) throw new Error(`no sample ${id}`);
        return { id, text: row.text, tokens: row.tokenCount, logprobSum: row.logprobSum, wrong: Math.max(0, ...s.verdicts.forSample(id).map((v) => v.stepsWrong)) };
      });
      return judged.reduce((best, x) => (x.wrong > best.wrong ? x : best));
    });
    await page.locator(`#sample-${sample.id} a`).first().click();
    await page.waitForURL(new RegExp(`/samples/${sample.id}$`));
    expect(await page.locator('.response').first().textContent()).toBe(sample.text);
    expect(sample.wrong, 'the hardest question of the quick run has a sample with a wrong step').toBeGreaterThan(0);
    const marked = await page.locator('.response mark.wrong').first().textContent();
    expect(marked).toMatch(/^<<.*>>$/);
    expect(sample.text).toContain(marked as string);

    // Token colours under the checkpoint that generated it: one span per generated token, and
    // the log-probs of a forward pass add up to the ones the sampler stored.
    const generator = readStore((s) => s.samples.getRun(s.samples.get(sample.id)?.runId as number)?.modelId);
    await page.locator('select[name="model"]').selectOption(generator as string);
    await page.getByRole('button', { name: 'colour by p(y_t)' }).click();
    await page.waitForURL(/model=/);
    expect(await page.locator('.tokens.scored .tok').count()).toBe(sample.tokens);
    expect(await page.locator('.tokens.sampled .tok').count()).toBe(sample.tokens);
    expect(await page.locator('.tokens.scored .tok.pna').count()).toBe(0);
    const summary = (await page.locator('.tokens.scored').locator('xpath=preceding-sibling::p[1]').textContent()) ?? '';
    const sum = Number(/sum log p (-?\d+\.\d+)/.exec(summary)?.[1]);
    expect(sample.logprobSum).not.toBeNull(); // the tfjs engine always records log-probs
    expect(sum).toBeCloseTo(sample.logprobSum ?? Number.NaN, 2);

    const shot = join(dir, 'sample.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    expect(readFileSync(shot).subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  });

  it('shows hostile model output as text: no script runs, no dialog opens', async () => {
    needBrowser();
    // The hostile run's dataset has one item: the hostile sample.
    const h = readStore((s) => {
      const d = s.datasets.byName('hostile');
      const item = d ? s.datasets.items(d.id)[0] : undefined;
      if (!d || !item || item.sampleId === null || s.samples.get(item.sampleId)?.text !== HOSTILE) throw new Error('no hostile item in the store');
      return { id: item.sampleId, q: item.questionId as number, d: d.id, reason: item.dropReason as string };
    });
    await page.goto(new URL(`/samples/${h.id}`, server.url).href);
    expect(await page.locator('.response').first().textContent()).toBe(HOSTILE);
    expect(await page.locator('main script, main img').count()).toBe(0);
    await page.goto(new URL(`/datasets/${h.d}/questions/${h.q}`, server.url).href);
    expect(await page.locator(`#sample-${h.id} .response`).textContent()).toBe(HOSTILE);
    await page.goto(new URL(`/datasets/${h.d}?reason=${h.reason}`, server.url).href);
    expect(await page.locator('table.items').textContent()).toContain(HOSTILE);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => document.scripts.length)).toBe(0);
  });
});
