/**
 * The viewer in a real browser (Debian's headless Chromium through playwright-core): open a run,
 * click from a dataset to a question to a sample, compare what is shown with the store, colour
 * tokens under a checkpoint, and check hostile model output stays text.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startViewer, type ViewerServer } from '@sieve/inspect';
import { Store } from '@sieve/store';
import { tempDir } from '../helpers';
import { HOSTILE, writeRun } from './run-fixture';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir = '';
let cleanup = (): void => undefined;
let runDir = '';
let dbPath = '';
let server: ViewerServer;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('sieve-viewer-'));
  ({ runDir, dbPath } = await writeRun(dir, 'viewer'));
  server = await startViewer({ dbPath, runDir, port: 0 });
  // No try/catch: a browser that cannot start fails this suite, it is never skipped.
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
});

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

describe('the viewer in a real browser', () => {
  it('goes from the run to a dataset to a question to a sample by clicking, showing what the store holds', async () => {
    await page.goto(server.url);
    expect(await page.locator('h1').textContent()).toBe('Run viewer');
    await expect.poll(() => page.locator('table.stages').textContent()).toContain('sample');

    // The dataset page: numbers as the store has them.
    await page.getByRole('link', { name: 'rft@1' }).click();
    await page.waitForURL(/\/datasets\/1$/);
    expect(await page.locator('h1').textContent()).toBe('Dataset rft@1');
    const counts = readStore((s) => s.db.prepare('SELECT COUNT(*) AS items, SUM(kept) AS kept, COUNT(DISTINCT question_id) AS questions FROM dataset_items WHERE dataset_id = 1').get() as { items: number; kept: number; questions: number });
    const statCells = await page.locator('table.stats tbody td').allTextContents();
    expect(statCells.slice(0, 4)).toEqual([String(counts.questions), String(counts.items), String(counts.kept), String(counts.items - counts.kept)]);
    const drops = readStore((s) => s.datasets.dropCounts(1));
    for (const [reason, n] of Object.entries(drops)) {
      expect(await page.locator('table.drops tr', { hasText: reason }).locator('td').nth(1).textContent()).toBe(String(n));
    }
    expect(await page.locator('figure svg').count()).toBe(3);

    // The hardest question: its text and gold solution, accepted and rejected apart.
    const firstQuestion = page.locator('table.questions a').first();
    const qid = Number((await firstQuestion.textContent())?.slice(1));
    await firstQuestion.click();
    await page.waitForURL(new RegExp(`/datasets/1/questions/${qid}$`));
    const question = readStore((s) => s.questions.get(qid));
    expect(await page.locator('.question-text').textContent()).toBe(question?.text);
    expect(await page.locator('.gold-solution').textContent()).toBe(question?.goldSolution);
    const items = readStore((s) => s.db.prepare('SELECT sample_id AS id, kept, drop_reason AS reason FROM dataset_items WHERE dataset_id = 1 AND question_id = ? ORDER BY sample_id').all(qid) as { id: number; kept: number; reason: string | null }[]);
    const cardIds = async (section: string): Promise<number[]> =>
      (await page.locator(`.sample.${section}`).evaluateAll((els) => els.map((e) => e.id))).map((id) => Number(id.replace('sample-', ''))).sort((a, b) => a - b);
    expect(await cardIds('kept')).toEqual(items.filter((i) => i.kept === 1).map((i) => i.id));
    expect(await cardIds('dropped')).toEqual(items.filter((i) => i.kept === 0).map((i) => i.id));
    for (const it of items.filter((i) => i.kept === 0)) {
      expect(await page.locator(`#sample-${it.id} .drop-reason`).textContent()).toBe(`dropped: ${it.reason}`);
    }

    // A sample with a wrong calculator step: the step is marked, the text is the store's.
    const wrong = readStore((s) =>
      s.db.prepare(`SELECT s.id, s.text FROM samples s JOIN verdicts v ON v.sample_id = s.id WHERE s.question_id = ? AND v.steps_wrong > 0 ORDER BY s.id LIMIT 1`).get(qid) as { id: number; text: string } | undefined,
    );
    expect(wrong, 'the hardest question has a sample with a wrong step').toBeDefined();
    await page.locator(`#sample-${wrong?.id} a`).first().click();
    await page.waitForURL(new RegExp(`/samples/${wrong?.id}$`));
    expect(await page.locator('.response').first().textContent()).toBe(wrong?.text);
    const marked = await page.locator('.response mark.wrong').first().textContent();
    expect(wrong?.text).toContain(marked as string);
    expect(marked).toMatch(/^<<.*>>$/);

    // Colour the tokens under the checkpoint: one span per response token plus the EOS.
    await page.locator('select[name="model"]').selectOption('base');
    await page.getByRole('button', { name: 'colour by p(y_t)' }).click();
    await page.waitForURL(/model=base/);
    const n = Array.from(wrong?.text ?? '').length + 1;
    expect(await page.locator('.tokens.scored .tok').count()).toBe(n);
    expect(await page.locator('.tokens.sampled .tok').count()).toBe(n);
    const tokenText = (await page.locator('.tokens.scored .tok').allTextContents()).join('');
    expect(tokenText).toBe(`${wrong?.text}⟨eos⟩`);
    expect(await page.locator('.tokens.scored .tok.pna').count()).toBe(0);

    const shot = join(dir, 'sample.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    expect(readFileSync(shot).subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  });

  it('shows hostile model output as text: no script runs, no dialog opens', async () => {
    const hostile = readStore(
      (s) =>
        s.db
          .prepare('SELECT s.id, s.question_id AS q, di.drop_reason AS reason FROM samples s JOIN dataset_items di ON di.sample_id = s.id AND di.dataset_id = 1 WHERE s.text = ?')
          .get(HOSTILE) as { id: number; q: number; reason: string },
    );
    await page.goto(new URL(`/samples/${hostile.id}`, server.url).href);
    expect(await page.locator('.response').first().textContent()).toBe(HOSTILE);
    expect(await page.locator('main script, main img').count()).toBe(0);
    await page.goto(new URL(`/datasets/1/questions/${hostile.q}`, server.url).href);
    expect(await page.locator(`#sample-${hostile.id} .response`).textContent()).toBe(HOSTILE);
    await page.goto(new URL(`/datasets/1?reason=${hostile.reason}`, server.url).href);
    expect(await page.locator('table.items').textContent()).toContain(HOSTILE);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => document.scripts.length)).toBe(0);
  });
});
