import { basename } from 'node:path';
import { Hono, type Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { collectReportData } from '@sieve/eval';
import { questionPrompt, recordedPrompt, type PromptSpec } from '@sieve/dataset';
import type { Store } from '@sieve/store';
import { errorPage, VIEWER_CSS } from './html/layout';
import { overviewPage } from './html/page-overview';
import { datasetPage } from './html/page-dataset';
import { questionListPage } from './html/page-questions';
import { sampleRunIntro } from './html/page-run';
import { questionPage } from './html/page-question';
import { samplePage, type TokenSection } from './html/page-sample';
import { trainingPage } from './html/page-training';
import { href } from './html/safe';
import { HttpError, intParam, isTraversal, nameParam, oneOf, parseQuery, pathId } from './params';
import { sampleRunSummaries, sampleRunSummary, stageSummary, verifierOf } from './queries/overview';
import { correctHistogram, sortPasses, type QuestionPass } from './queries/pass-rates';
import { datasetQuestionEntries, questionSamples, sampleDetail, type SampleDetail } from './queries/samples';
import { ViewerCache } from './viewer-cache';
import { binCounts } from './stats';
import { TokenProbService } from './token-probs';

export interface ViewerOptions {
  store: Store;
  /** The run folder: the only place files (checkpoints) are read from. */
  runDir: string;
  /** Verifier for sample-run pages (datasets use their own). Default `numeric`. */
  verifier?: string;
  /** Rows per page of long lists (default 50). */
  pageSize?: number;
  /** Host headers accepted (DNS-rebinding guard); null accepts any. Read per request (the port is known only after listen). */
  allowedHosts?: () => ReadonlySet<string> | null;
  tokens?: TokenProbService;
}

export const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function secure(res: Response): void {
  res.headers.set('Content-Security-Policy', CSP);
  res.headers.set('X-Content-Type-Options', 'nosniff');
  res.headers.set('Referrer-Policy', 'no-referrer');
  res.headers.set('X-Frame-Options', 'DENY');
  res.headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  if (!res.headers.has('Cache-Control')) res.headers.set('Cache-Control', 'no-store');
}

type Env = { Bindings: Partial<HttpBindings> };

/** The viewer as a hono app: plain server-rendered pages over one run's store, read only. */
export function createViewerApp(o: ViewerOptions): Hono<Env> {
  const { store } = o;
  const runName = basename(o.runDir);
  const verifier = o.verifier ?? 'numeric';
  const pageSize = o.pageSize ?? 50;
  const cache = new ViewerCache(store);
  const tokens = o.tokens ?? new TokenProbService(store, o.runDir);
  const app = new Hono<Env>();
  const url = (c: Context<Env>): URL => new URL(c.req.url);

  app.use('*', async (c, next) => {
    const rawTarget = c.env?.incoming?.url ?? `${url(c).pathname}${url(c).search}`;
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') throw new HttpError(405, 'the viewer only reads: GET requests only');
    const hosts = o.allowedHosts?.() ?? null;
    if (hosts && !hosts.has(c.req.header('host') ?? '')) throw new HttpError(400, 'unexpected Host header');
    if (isTraversal(rawTarget)) throw new HttpError(400, 'paths and parameters may not contain ".." or backslashes');
    cache.refresh();
    await next();
    secure(c.res);
  });

  app.onError((err, c) => {
    const status = err instanceof HttpError ? err.status : 500;
    const message = err instanceof HttpError ? err.message : `internal error: ${err.message}`;
    const res = c.html(errorPage(runName, status, message), status);
    secure(res);
    return res;
  });
  app.notFound((c) => {
    const res = c.html(errorPage(runName, 404, 'not found'), 404);
    secure(res);
    return res;
  });

  app.get('/assets/viewer.css', (c) => {
    parseQuery(url(c), {});
    c.header('Cache-Control', 'max-age=3600');
    return c.body(VIEWER_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });

  app.get('/', (c) => {
    parseQuery(url(c), {});
    return c.html(
      overviewPage({
        runName,
        counts: cache.memo('counts', () => store.counts()),
        stages: stageSummary(store),
        sampleRuns: cache.memo('runs', () => sampleRunSummaries(store, verifier)),
        datasets: cache.memo('datasets', () =>
          store.datasets.list().map((d) => ({
            id: d.id,
            name: d.name,
            version: d.version,
            kind: d.kind,
            sampleRun: d.sampleRunId === null ? null : (store.samples.getRun(d.sampleRunId)?.name ?? null),
            ...store.datasets.itemCounts(d.id),
          })),
        ),
        trainingRuns: store.training.list(),
        models: store.models.list(),
      }),
    );
  });

  const listQuery = { sort: oneOf(['hardest', 'easiest', 'id'] as const), split: nameParam, page: intParam(1) };
  const listRows = (passes: readonly QuestionPass[], q: { sort?: 'hardest' | 'easiest' | 'id'; split?: string; page?: number }) => {
    const sort = q.sort ?? 'hardest';
    const filtered = q.split === undefined ? passes : passes.filter((p) => p.split === q.split);
    const pageNo = q.page ?? 1;
    const rows = sortPasses(filtered, sort).slice((pageNo - 1) * pageSize, pageNo * pageSize);
    const texts = store.questions.textsById(rows.map((r) => r.questionId));
    return {
      rows: rows.map((r) => ({ ...r, text: texts.get(r.questionId) ?? '' })),
      total: filtered.length,
      page: pageNo,
      pageSize,
      sort,
      split: q.split,
      splits: [...new Set(passes.map((p) => p.split))].sort(),
    };
  };

  app.get('/runs/:id', (c) => {
    const id = pathId(c.req.param('id'));
    const q = parseQuery(url(c), listQuery);
    const summary = cache.memo(`run\u0000${id}`, () => sampleRunSummary(store, id, verifier) ?? null);
    if (!summary) throw new HttpError(404, `no sample run ${id}`);
    const passes = cache.runPasses(id, verifier);
    return c.html(
      questionListPage({
        runName,
        title: `Sample run ${summary.name}`,
        path: `/runs/${id}`,
        questionPath: (qid) => href(`/questions/${qid}`, { run: id }),
        intro: sampleRunIntro(summary, verifier, correctHistogram(passes)),
        ...listRows(passes, q),
      }),
    );
  });

  const datasetOr404 = (raw: string | undefined) => {
    const d = store.datasets.get(pathId(raw));
    if (!d) throw new HttpError(404, `no dataset ${raw}`);
    return d;
  };

  app.get('/datasets/:id', (c) => {
    const d = datasetOr404(c.req.param('id'));
    const q = parseQuery(url(c), { show: oneOf(['all', 'kept', 'dropped'] as const), reason: nameParam, after: intParam(0), before: intParam(1) });
    const a = cache.dataset(d);
    const max = Math.max(0, ...a.lengths.kept.map((x) => x.value), ...a.lengths.dropped.map((x) => x.value));
    const show = q.reason !== undefined ? 'dropped' : (q.show ?? 'all');
    const items = store.datasets.itemsPage(
      d.id,
      { ...(show === 'all' ? {} : { kept: show === 'kept' }), ...(q.reason !== undefined ? { reason: q.reason } : {}) },
      { ...(q.after !== undefined ? { after: q.after } : {}), ...(q.before !== undefined ? { before: q.before } : {}), limit: pageSize },
    );
    return c.html(
      datasetPage({
        runName,
        d: a.inspection,
        storedStats: d.stats,
        lengthBins: { accepted: binCounts(a.lengths.kept, 20, max + 1), rejected: binCounts(a.lengths.dropped, 20, max + 1), max: max + 1 },
        items,
        show,
        reason: q.reason,
      }),
    );
  });

  app.get('/datasets/:id/questions', (c) => {
    const d = datasetOr404(c.req.param('id'));
    const q = parseQuery(url(c), listQuery);
    return c.html(
      questionListPage({
        runName,
        title: `Questions of ${d.name}@${d.version}`,
        path: `/datasets/${d.id}/questions`,
        questionPath: (qid) => href(`/datasets/${d.id}/questions/${qid}`),
        ...listRows(cache.dataset(d).passes, q),
      }),
    );
  });

  app.get('/datasets/:id/questions/:qid', (c) => {
    const d = datasetOr404(c.req.param('id'));
    parseQuery(url(c), {});
    const qid = pathId(c.req.param('qid'));
    const question = store.questions.get(qid);
    const dv = verifierOf(d.rules, verifier);
    const samples = question ? datasetQuestionEntries(store, d.id, qid, dv) : [];
    if (!question || !samples.length) throw new HttpError(404, `question ${qid} has no items in ${d.name}@${d.version}`);
    return c.html(
      questionPage({ runName, question, dataset: { id: d.id, name: d.name, version: d.version }, verifier: dv, samples, total: samples.length, page: 1, pageSize: samples.length }),
    );
  });

  app.get('/questions/:qid', (c) => {
    const qid = pathId(c.req.param('qid'));
    const q = parseQuery(url(c), { run: intParam(1), page: intParam(1) });
    const question = store.questions.get(qid);
    if (!question) throw new HttpError(404, `no question ${qid}`);
    const pageNo = q.page ?? 1;
    const res = questionSamples(store, qid, { verifier, ...(q.run !== undefined ? { runId: q.run } : {}), limit: pageSize, offset: (pageNo - 1) * pageSize });
    return c.html(questionPage({ runName, question, dataset: null, verifier, samples: res.rows, total: res.total, page: pageNo, pageSize }));
  });

  /** The prompt format the sample's run was made with (its params record it; none = plain). */
  const runPrompt = (s: SampleDetail): PromptSpec => recordedPrompt(s.run.params, `sample run ${s.run.name}: params.prompt`);

  const sampledSection = async (s: SampleDetail): Promise<TokenSection> => {
    const lps = s.tokenLogprobs;
    if (!lps) return null;
    try {
      const texts = await tokens.tokenTexts(s.run.modelId, s.text, { ended: s.finishReason === 'stop', chat: runPrompt(s).format === 'chat' });
      const mean = lps.length ? lps.reduce((a, x) => a + Math.exp(x), 0) / lps.length : null;
      const aligned = texts.length === lps.length ? '' : ` (the generator's tokenizer gives ${texts.length} tokens: aligned from the start)`;
      return {
        tokens: texts.map((t, i) => ({ text: t, p: i < lps.length ? Math.exp(lps[i] as number) : null })),
        summary: `${lps.length} stored log-probs under ${s.run.modelId} · mean p ${mean === null ? '—' : mean.toFixed(4)} · sum log p ${s.logprobSum === null ? '—' : s.logprobSum.toFixed(3)}${aligned}`,
      };
    } catch (err) {
      return { error: `cannot show the stored log-probs on tokens: ${(err as Error).message}` };
    }
  };

  app.get('/samples/:id', async (c) => {
    const id = pathId(c.req.param('id'));
    const q = parseQuery(url(c), { model: nameParam });
    const s = sampleDetail(store, id);
    if (!s) throw new HttpError(404, `no sample ${id}`);
    const models = store.models.list();
    if (q.model !== undefined && !models.some((m) => m.id === q.model)) throw new HttpError(404, `no model ${q.model} in this run`);
    let scored: TokenSection = null;
    if (q.model !== undefined) {
      try {
        const r = await tokens.probabilities(q.model, { id: s.id, prompt: questionPrompt(runPrompt(s), s.question.text), response: s.text, withEos: s.finishReason === 'stop' });
        scored = {
          tokens: r.tokens.map((t) => ({ text: t.text, p: t.logp === null ? null : Math.exp(t.logp) })),
          summary: `${r.scored} of ${r.tokens.length} tokens scored · mean p ${r.meanP === null ? '—' : r.meanP.toFixed(4)} · sum log p ${r.sumLogP.toFixed(3)}`,
        };
      } catch (err) {
        scored = { error: `cannot score with ${q.model}: ${(err as Error).message}` };
      }
    }
    return c.html(samplePage({ runName, s, models, model: q.model ?? s.run.modelId, sampled: await sampledSection(s), scored }));
  });

  app.get('/training', (c) => {
    parseQuery(url(c), {});
    // No dataset summaries here (the dataset pages have them): they would aggregate every sample.
    return c.html(trainingPage(runName, cache.memo('training', () => collectReportData(store, { runName, datasets: [] }))));
  });

  return app;
}
