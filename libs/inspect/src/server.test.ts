import { request } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP } from './app';
import { startViewer, type ViewerServer } from './server';
import { HOSTILE, makeFixture, type Fixture } from './test-helpers';

let fx: Fixture;
let server: ViewerServer;
let storeBytes: Buffer;
let storeMtime: number;

beforeAll(async () => {
  fx = makeFixture();
  storeBytes = readFileSync(fx.dbPath);
  storeMtime = statSync(fx.dbPath).mtimeMs;
  server = await startViewer({ dbPath: fx.dbPath, runDir: fx.dir, port: 0, pageSize: 3 });
});
afterAll(async () => {
  await server.close();
  fx.cleanup();
});

async function get(path: string): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(new URL(path, server.url));
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** A request with its target sent byte for byte (fetch would normalise `..` away). */
function raw(target: string, host = `127.0.0.1:${server.port}`): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: target, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const links = (body: string, rel: 'next' | 'prev'): string | null => new RegExp(`<a rel="${rel}" href="([^"]+)"`).exec(body)?.[1] ?? null;
/** Item ids in the items table of a dataset page. */
function itemIds(body: string): number[] {
  const table = body.slice(body.indexOf('<table class="items">'));
  return [...table.slice(0, table.indexOf('</table>')).matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
}
const unescape = (s: string): string => s.replace(/&amp;/g, '&');

describe('viewer over HTTP', () => {
  it('listens on 127.0.0.1 at the port it prints', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('shows the run: stages with status and timings, sample runs, datasets, models', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(r.headers.get('content-security-policy')).toBe(CSP);
    expect(r.body).toMatch(/<td>questions<\/td><td>—<\/td><td><span class="badge ok">done<\/span><\/td>/);
    expect(r.body).toMatch(/<td>train<\/td><td>rft\/seed1<\/td><td><span class="badge warn">running<\/span>/);
    expect(r.body).toContain('<a href="/runs/1">samples-1</a>');
    expect(r.body).toMatch(/<a href="\/datasets\/1">rft@1<\/a><\/td><td>rft<\/td><td>samples-1<\/td><td>14<\/td><td>6<\/td><td>42\.9%<\/td>/);
    expect(r.body).toContain('<td>rft-s1</td><td>trained</td><td>base</td>');
    expect(r.body).not.toMatch(/<script/i);
  });

  it('serves the stylesheet, the only asset, as CSS', async () => {
    const r = await get('/assets/viewer.css');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/css/);
    expect(r.body).toContain('mark.wrong');
  });

  it('shows a dataset: rules, statistics, plots, hardest questions', async () => {
    const r = await get('/datasets/1');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<h1>Dataset rft@1</h1>');
    expect(r.body).toContain('<td>dedup</td><td>none</td>');
    expect(r.body).toContain('<td>4</td><td>14</td><td>6</td><td>8</td><td>42.9%</td>');
    expect(r.body).toMatch(/>duplicate-exact<\/a><\/td><td>1<\/td>/);
    expect(r.body).toContain('<td>accepted</td><td>6</td><td>12.8</td><td>10.5</td><td>22.0</td><td>6</td><td>23</td>');
    expect((r.body.match(/<svg/g) ?? []).length).toBe(3);
    expect(r.body).toContain('<a href="/datasets/1/questions/2">#2</a>');
  });

  it('pages a dataset\'s items by keyset, forwards and back, with filters', async () => {
    const seen: number[] = [];
    let path: string | null = '/datasets/1';
    let pages = 0;
    while (path !== null) {
      const r = await get(path);
      expect(r.status).toBe(200);
      seen.push(...itemIds(r.body));
      const next = links(r.body, 'next');
      path = next === null ? null : unescape(next);
      pages++;
    }
    expect(pages).toBe(5); // 14 items, 3 per page
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    const back = await get('/datasets/1?before=13');
    expect(itemIds(back.body)).toEqual([10, 11, 12]);
    expect(unescape(links(back.body, 'prev') ?? '')).toBe('/datasets/1?before=10#items');
    const kept = await get('/datasets/1?show=kept');
    expect(itemIds(kept.body)).toEqual([1, 2, 9]);
    expect(unescape(links(kept.body, 'next') ?? '')).toBe('/datasets/1?show=kept&after=9#items');
    const reason = await get('/datasets/1?reason=unparseable');
    expect(itemIds(reason.body)).toEqual([4, 14]);
  });

  it('pages the questions of a dataset, hardest first', async () => {
    const p1 = await get('/datasets/1/questions');
    expect([...p1.body.matchAll(/questions\/(\d+)">#/g)].map((m) => Number(m[1]))).toEqual([2, 1, 4]);
    expect(p1.body).toContain('4 questions · page 1 of 2');
    const p2 = await get(unescape(links(p1.body, 'next') ?? ''));
    expect([...p2.body.matchAll(/questions\/(\d+)">#/g)].map((m) => Number(m[1]))).toEqual([3]);
    const test = await get('/datasets/1/questions?split=test&sort=easiest');
    expect([...test.body.matchAll(/questions\/(\d+)">#/g)].map((m) => Number(m[1]))).toEqual([4]);
  });

  it('shows a question beside its gold solution, accepted and rejected apart, drops with reasons, wrong steps marked', async () => {
    const r = await get('/datasets/1/questions/1');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<div class="text gold-solution">2+3=&lt;&lt;2+3=5&gt;&gt;5\n#### 5</div>');
    const accepted = r.body.slice(r.body.indexOf('id="accepted"'), r.body.indexOf('id="rejected"'));
    const rejected = r.body.slice(r.body.indexOf('id="rejected"'));
    expect(accepted).toContain('Accepted (2)');
    expect([...accepted.matchAll(/id="sample-(\d+)"/g)].map((m) => Number(m[1]))).toEqual([1, 2]);
    expect([...rejected.matchAll(/id="sample-(\d+)"/g)].map((m) => Number(m[1]))).toEqual([3, 4]);
    expect(rejected).toContain('dropped: incorrect');
    expect(rejected).toContain('dropped: unparseable');
    expect(rejected).toContain('2+3=<mark class="wrong" title="wrong step: 2+3 = 6 claimed, actually 5">&lt;&lt;2+3=6&gt;&gt;</mark>6');
  });

  it('runs and plain questions have pages too', async () => {
    const run = await get('/runs/1?sort=easiest');
    expect(run.status).toBe(200);
    expect(run.body).toContain('<td>14</td><td>4</td><td>7</td><td>5</td><td>2</td><td>0</td><td>50.0%</td>');
    expect([...run.body.matchAll(/questions\/(\d+)\?run=1">#/g)].map((m) => Number(m[1]))).toEqual([3, 1, 4]);
    const q = await get('/questions/1');
    expect(q.body).toContain('Correct (2)');
    expect(q.body).toContain('Not correct (1)'); // page 1 of 2 (3 per page)
    expect(q.body).toContain('page 1 of 2');
  });

  it('shows a sample with verdicts, dataset decisions and the stored sampling-time probabilities', async () => {
    const r = await get('/samples/1');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<td>numeric</td><td><span class="badge ok">correct</span></td><td>5</td>');
    expect(r.body).toMatch(/rft@1<\/a><\/td><td>1<\/td><td><span class="badge ok">kept<\/span>/);
    // Sample 1's stored log-probs are ln(0.05 + 0.9·i/21): no checkpoint files exist, so the tokens cannot be shown.
    expect(r.body).toContain('cannot show the stored log-probs on tokens');
  });

  it('shows training curves per method and the evaluation table', async () => {
    const r = await get('/training');
    expect(r.status).toBe(200);
    // rft seed 1: loss 2/step at steps 1..3, last 0.667; mean p 0.1·step, last 0.300
    expect(r.body).toContain('<td>rft</td><td>1</td><td>rft-seed1</td><td><span class="badge ok">done</span></td><td>3</td><td>0.667</td><td>0.667</td><td>0.300</td>');
    expect(r.body).toContain('<td>base</td><td>test</td><td>1</td><td>4</td><td>1</td><td>0.250 (n=1)</td><td>0.250 (n=1)</td><td>0.250 (n=1)</td>');
    expect(r.body).toContain('<td>rft</td><td>test</td><td>1</td><td>4</td><td>1</td><td>0.500 (n=1)</td>');
    expect((r.body.match(/<svg/g) ?? []).length).toBe(5);
    for (const title of ['Training loss', 'Cross-entropy', 'Mean p(y_t)']) expect(r.body).toContain(title);
  });

  it('shows hostile sample and question text escaped, as text', async () => {
    const sample = await get('/samples/14');
    expect(sample.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(sample.body).not.toContain(HOSTILE);
    expect(sample.body).toContain('What is 6/2? &lt;b&gt;bold&lt;/b&gt;');
    // sample 14 was stored without log-probs (its engine returned none)
    expect(sample.body).toContain('sum log p —');
    expect(sample.body).toContain('no per-token log-probs were stored with this sample (its engine did not return them)');
    const q = await get('/datasets/1/questions/4');
    expect(q.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(q.body).not.toMatch(/<script|<b>bold/);
    const items = await get('/datasets/1?reason=unparseable');
    expect(items.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(items.body).not.toContain(HOSTILE);
  });

  it('refuses path traversal in the path, encoded, double-encoded or in a parameter', async () => {
    for (const target of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/assets/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/%252e%252e%252fetc%252fpasswd',
      '/datasets/1/..%5c..%5cetc%5cpasswd',
      '/?path=../../etc/passwd',
      '/?path=%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/samples/1?model=../../etc/passwd',
    ]) {
      const r = await raw(target);
      expect(r.status, target).toBe(400);
      expect(r.body, target).not.toContain('root:');
    }
    // Without `..` there is still no route that maps a path to a file.
    for (const target of ['/etc/passwd', '//etc/passwd', '/assets/../../etc/passwd'.replace(/\.\.\//g, ''), '/sieve.sqlite', '/assets/sieve.sqlite']) {
      expect((await raw(target)).status, target).toBe(404);
    }
  });

  it('answers 404 for unknown ids and 400 for unknown or malformed parameters', async () => {
    for (const p of ['/datasets/99', '/datasets/abc', '/datasets/1/questions/99', '/datasets/2/questions/3', '/questions/99', '/runs/7', '/samples/999', '/samples/0', '/samples/1?model=nope', '/nowhere']) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.headers.get('content-security-policy'), p).toBe(CSP);
    }
    for (const p of ['/?path=x', '/datasets/1?after=-1', '/datasets/1?show=everything', '/datasets/1?after=1&after=2', '/runs/1?page=0', '/samples/1?model=a%20b']) {
      expect((await get(p)).status, p).toBe(400);
    }
  });

  it('refuses other methods and foreign Host headers (DNS rebinding)', async () => {
    const post = await fetch(new URL('/', server.url), { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect((await raw('/', 'evil.example:80')).status).toBe(400);
    expect((await raw('/', `localhost:${server.port}`)).status).toBe(200);
  });

  it('left the store file as it was', () => {
    expect(readFileSync(fx.dbPath).equals(storeBytes)).toBe(true);
    expect(statSync(fx.dbPath).mtimeMs).toBe(storeMtime);
  });
});
