import * as fc from 'fast-check';
import request from 'supertest';
import {
  dropSchema,
  TEST_DATABASE_URL,
  temporarySchemaName,
  testPool,
} from '../../src/approvals/postgres/testing/temporary-schema';
import {
  approvalsPath,
  authAs,
  closeAll,
  createApproval,
  PRINCIPALS,
  type RunningHost,
  startHost,
} from '../support';
import { RecordingLogger } from '../support/recording-logger';
import { assertProperty, FuzzTally, heapAfterGc } from './support/fuzz-tally';
import { isValidCreate, isValidReject } from './support/rest-model';

/**
 * The string and JSON rules of SECURITY.md ("Strings", "JSON bodies") over HTTP, against
 * the in-memory store and PostgreSQL alike: every body the model accepts is stored exactly
 * as sent (no U+FFFD, no rewritten number, no dropped duplicate), every other is a 400
 * naming the problem, never a 500, and nothing is logged at error on either store.
 */

const SEED_TEXT = 0x4e57_0101;
const SEED_JSON = 0x4e57_0102;
const RUNS_PER_STORE = 150;

/** Characters each rule treats apart, mixed with plain text. */
const hostileUnit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'Z', '7', ' ', 'é', '日', '-', '_') },
  { weight: 2, arbitrary: fc.constantFrom('😀', '\u{1F469}\u200D\u{1F4BB}', 'e\u0301') },
  { weight: 1, arbitrary: fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF') },
  { weight: 1, arbitrary: fc.constantFrom('\n', '\t', '\r', '\u0000', '\u001B', '\u007F') },
  { weight: 1, arbitrary: fc.constantFrom('\u0085', '\u009B', '\u2028', '\u2029') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '\u202E',
      '\u202A',
      '\u2066',
      '\u2069',
      '\u200E',
      '\u200F',
      '\u061C',
    ),
  },
);
const plainUnit = fc.constantFrom(
  'a',
  'Z',
  '7',
  ' ',
  'é',
  '日',
  '-',
  '😀',
  '\u{1F469}\u200D\u{1F4BB}',
);
/** Half plain text (what the rules keep), half with any character the rules treat apart. */
const hostileText = fc.oneof(
  fc.string({ unit: plainUnit, minLength: 1, maxLength: 12 }),
  fc.string({ unit: hostileUnit, minLength: 1, maxLength: 12 }),
);
const payload = fc.dictionary(
  hostileText,
  fc.oneof(hostileText, fc.array(hostileText, { maxLength: 3 })),
  {
    maxKeys: 3,
  },
);

/** Numbers, as JSON text, on both sides of what a double holds exactly. */
const numberText = fc.oneof(
  fc.integer().map(String),
  fc.constantFrom(
    '9007199254740991',
    '-9007199254740991',
    '0.30000000000000004',
    '5e-324',
    '1.5e-300',
  ),
  fc.constantFrom('9007199254740992', '9007199254740993', '-18014398509481984', '1e20', '1e400'),
  fc.constantFrom('-1e400', '1e-400', '0.123456789012345678901', '123456789012345678'),
);
/** lossless-json's verdict restated: safe integers, and decimals that read back as written. */
function numberIsExact(text: string): boolean {
  const value = Number(text);
  if (!Number.isFinite(value) || (value === 0 && /[1-9]/.test(text.split('e')[0]))) return false;
  if (Number.isInteger(value)) return Number.isSafeInteger(value);
  const digits = (written: string) =>
    written
      .replace(/e.*$/i, '')
      .replace(/[-.]/g, '')
      .replace(/^0+|0+$/g, '');
  return digits(text) === digits(String(value));
}

interface Store {
  name: string;
  host: RunningHost;
  logger: RecordingLogger;
}

describe('text and JSON rules on every store, over HTTP', () => {
  const tally = new FuzzTally('text and JSON (HTTP, memory + PostgreSQL)');
  const pool = testPool(1);
  const schema = temporarySchemaName();
  let stores: Store[] = [];
  let heapBefore = 0;

  beforeAll(async () => {
    heapBefore = heapAfterGc();
    const boot = async (name: string, env = {}) => {
      const logger = new RecordingLogger();
      // Every run creates as the agent: far past the default open-approvals cap.
      const caps = { MAX_OPEN_APPROVALS_PER_REQUESTER: '1000000' };
      return { name, logger, host: await startHost({ logger, env: { ...caps, ...env } }) };
    };
    stores = [
      await boot('memory'),
      await boot('postgres', { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema }),
    ];
  });

  afterAll(async () => {
    const errors = stores.flatMap(({ name, logger }) =>
      logger.at('error').map((entry) => `${name}: ${entry.message.slice(0, 200)}`),
    );
    await closeAll();
    await dropSchema(pool, schema);
    await pool.end();
    tally.report(heapBefore, heapAfterGc());
    expect(errors).toEqual([]);
  });

  it('creates and rejects: 400 naming the field for what the rules refuse, stored as sent otherwise', async () => {
    const property = fc.asyncProperty(
      fc.constantFrom(0, 1),
      fc.record(
        // requestedFor is the label a requester writes (requestedBy is the principal's id).
        { action: hostileText, requestedFor: hostileText, payload },
        { requiredKeys: ['action'] },
      ),
      // resolvedBy is the decider's own id (or absent): the free text is in reason and notes.
      fc.record({ reason: hostileText, notes: hostileText }, { requiredKeys: [] }),
      async (which, create, reject) => {
        const { host } = stores[which];
        const created = await request(host.url)
          .post(approvalsPath('ws-text'))
          .set(authAs('agent'))
          .send(create);
        const createValid = isValidCreate(create);
        tally.record(
          {
            kind:
              created.status === 201 ? 'accepted' : created.status === 400 ? 'refused' : 'crashed',
          },
          () => `create ${created.status}: ${JSON.stringify(create)}`,
        );
        expect({ create, status: created.status }).toEqual({
          create,
          status: createValid ? 201 : 400,
        });
        if (!createValid) {
          expect(String(created.body.message)).toMatch(
            /^(action|requestedFor|payload)\b.* must not contain /,
          );
          return;
        }
        const read = await request(host.url)
          .get(approvalsPath('ws-text', created.body.id))
          .set(authAs('agent'))
          .expect(200);
        expect(read.body).toMatchObject(create);
        const decided = await request(host.url)
          .post(approvalsPath('ws-text', created.body.id, 'reject'))
          .set(authAs('approver'))
          .send(reject);
        const rejectValid = isValidReject(reject);
        tally.record(
          {
            kind:
              decided.status === 200 ? 'accepted' : decided.status === 400 ? 'refused' : 'crashed',
          },
          () => `reject ${decided.status}: ${JSON.stringify(reject)}`,
        );
        expect({ reject, status: decided.status }).toEqual({
          reject,
          status: rejectValid ? 200 : 400,
        });
        if (rejectValid) {
          expect(decided.body).toMatchObject({
            resolvedBy: PRINCIPALS.approver.id,
            // Stored as sent; nothing at all when neither was sent.
            ...(Object.keys(reject).length > 0 ? { resolution: reject } : {}),
          });
        }
      },
    );
    await assertProperty('HTTP text rules, both stores', property, SEED_TEXT, 2 * RUNS_PER_STORE, {
      endOnFailure: true,
    });
  });

  it('JSON: a duplicate key or a number a double cannot hold is 400, any other is stored exactly', async () => {
    const property = fc.asyncProperty(
      fc.constantFrom(0, 1),
      fc.array(numberText, { minLength: 1, maxLength: 2 }),
      fc.boolean(),
      async (which, numbers, duplicate) => {
        const { host } = stores[which];
        const body = `{"action":"numbers","payload":{"n":[${numbers.join(',')}]${duplicate ? ',"n":[0]' : ''}}}`;
        const response = await request(host.url)
          .post(approvalsPath('ws-json'))
          .set(authAs('agent'))
          .set('content-type', 'application/json')
          .send(body);
        const valid = !duplicate && numbers.every(numberIsExact);
        tally.record(
          {
            kind:
              response.status === 201
                ? 'accepted'
                : response.status === 400
                  ? 'refused'
                  : 'crashed',
          },
          () => `${response.status}: ${body}`,
        );
        expect({ body, status: response.status }).toEqual({ body, status: valid ? 201 : 400 });
        if (valid) {
          const read = await request(host.url)
            .get(approvalsPath('ws-json', response.body.id))
            .set(authAs('agent'))
            .expect(200);
          expect(read.body.payload.n).toEqual(numbers.map(Number));
        }
      },
    );
    await assertProperty('HTTP strict JSON, both stores', property, SEED_JSON, 2 * RUNS_PER_STORE, {
      endOnFailure: true,
    });
  });

  it('leaves both stores answering', async () => {
    for (const { host } of stores) await createApproval(host.url, 'ws-after');
  });
});
