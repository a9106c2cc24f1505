import { parseStrictJson } from '../src/common/http/strict-json';
import { MAX_BODY_BYTES } from '../src/app.setup';
import { elapsedUs, median, round } from './stats';
import type { BenchResult } from './suite';

/** Batches per body and parser, interleaved so both parsers see the same machine noise. */
const BATCHES = { warmup: 5, measured: 31 } as const;

/** A create body as agents send it: ~200 bytes. */
const TYPICAL = JSON.stringify({
  action: 'send_email',
  payload: { to: 'bob@example.com', subject: 'Quarterly report', amount: 1200.5, tags: ['q3'] },
  requestedBy: 'agent-7',
});

/** The largest body the host reads (64 KiB), of the same kinds of values, nested a little. */
function maxBody(): string {
  const entries: Record<string, unknown> = {};
  let body = '';
  for (let index = 0; ; index++) {
    entries[`item-${index}`] = { n: index * 1.5, label: `value ${index} é`, ok: index % 2 === 0 };
    const next = JSON.stringify({ action: 'import', payload: entries });
    if (Buffer.byteLength(next) > MAX_BODY_BYTES) return body;
    body = next;
  }
}

/** Median µs per parse of `text` by each parser, over interleaved batches of `perBatch`. */
function timeParsers(text: string, perBatch: number): { jsonParse: number; strict: number } {
  const bytes = Buffer.from(text);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const parsers = {
    // What body-parser's json parser did: decode, then JSON.parse.
    jsonParse: () => JSON.parse(bytes.toString('utf8')) as unknown,
    // What strictJsonBody does: a decode that refuses bad UTF-8, then lossless-json.
    strict: () => parseStrictJson(utf8.decode(bytes)),
  };
  const samples = { jsonParse: [] as number[], strict: [] as number[] };
  for (let batch = 0; batch < BATCHES.warmup + BATCHES.measured; batch++) {
    for (const name of ['jsonParse', 'strict'] as const) {
      const start = process.hrtime.bigint();
      for (let index = 0; index < perBatch; index++) parsers[name]();
      const us = elapsedUs(start, process.hrtime.bigint()) / perBatch;
      if (batch >= BATCHES.warmup) samples[name].push(us);
    }
  }
  return { jsonParse: median(samples.jsonParse), strict: median(samples.strict) };
}

/**
 * The host's strict JSON body parser (duplicate keys, lossy numbers and bad UTF-8 refused)
 * beside `JSON.parse`, per request body, for a typical body and the largest one the host
 * reads. In-process and CPU only: a body's share of a request's cost.
 */
export function measureJsonParsing(): BenchResult {
  const typical = timeParsers(TYPICAL, 2_000);
  const largest = maxBody();
  const max = timeParsers(largest, 10);
  return {
    json_body_typical_bytes: Buffer.byteLength(TYPICAL),
    json_body_typical_json_parse_us: round(typical.jsonParse, 2),
    json_body_typical_strict_us: round(typical.strict, 2),
    json_body_typical_strict_vs_json_parse: round(typical.strict / typical.jsonParse, 1),
    json_body_max_bytes: Buffer.byteLength(largest),
    json_body_max_json_parse_us: round(max.jsonParse, 0),
    json_body_max_strict_us: round(max.strict, 0),
    json_body_max_strict_vs_json_parse: round(max.strict / max.jsonParse, 1),
  };
}
