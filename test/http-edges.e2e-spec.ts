import { jest } from '@jest/globals';
import { api, ADMIN_TOKEN, SuiteStack, type RunningService } from './harness/stack.js';

// Longer than Jest's 5 s default, since a test makes a few dozen HTTP calls, each a write to PostgreSQL (on a loaded machine too).
jest.setTimeout(20000);

/** The edges every service shares (CONTRACT §2), on the real network manager, NATS and PostgreSQL. */
describe('HTTP edges', () => {
  const stack = new SuiteStack();
  let nm: RunningService;
  let admin: ReturnType<typeof api>;

  beforeAll(async () => {
    await stack.start();
    nm = await stack.startService('network-manager');
    admin = api(nm.url);
  }, 60000);
  afterAll(() => stack.stop(), 30000);

  const eventCount = async () => (await admin.get('/events?limit=1000')).body.events.length as number;

  it('answers 401 without a token and with a wrong one, and records nothing', async () => {
    const before = await eventCount();
    const none = await api(nm.url, null).post('/transport-zones', { name: 'z' });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'UNAUTHORIZED' });
    const wrong = await api(nm.url, 'not-the-token').get('/transport-zones');
    expect(wrong.status).toBe(401);
    expect((await api(nm.url, `${ADMIN_TOKEN}x`).get('/events')).status).toBe(401);
    expect(await eventCount()).toBe(before);
  });

  it('leaves /health, /docs and /metrics open', async () => {
    const open = api(nm.url, null);
    const health = await open.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect((await open.get('/docs')).status).toBe(200);
    const metrics = await open.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('vnet_http_requests_total');
  });

  it('answers 400 naming the field for an invalid or an unknown field, and records nothing', async () => {
    const before = await eventCount();
    const invalid = await admin.post('/transport-zones', { name: 42 });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
    expect(invalid.body.message).toMatch(/\bname\b/);

    const missing = await admin.post('/transport-zones', {});
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/\bname\b/);

    const unknown = await admin.post('/transport-zones', { name: 'z', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/\bcolour\b/);

    const badQuery = await admin.get('/events?limit=5000');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.message).toMatch(/\blimit\b/);

    expect(await eventCount()).toBe(before);
    expect((await admin.get('/transport-zones')).body).toEqual([]);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await admin.raw('POST', '/transport-zones', '{"name": "z",', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'MALFORMED_JSON' });
  });

  it('answers 404 in the error shape for an unknown id or route', async () => {
    const zone = await admin.delete('/transport-zones/5b0e5d8c-8a47-4a4c-9d53-2f3b7c1f6a11');
    expect(zone.status).toBe(404);
    expect(zone.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    expect((await admin.unchecked.get('/no-such-route')).status).toBe(404);
  });

  it('honours Idempotency-Key on creates: same key and body → first answer, nothing new; other body → 422', async () => {
    const first = await admin.post('/transport-zones', { name: 'idem' }, { 'Idempotency-Key': 'create-idem-1' });
    expect(first.status).toBe(201);
    const before = await eventCount();

    const again = await admin.post('/transport-zones', { name: 'idem' }, { 'Idempotency-Key': 'create-idem-1' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);

    const reused = await admin.post('/transport-zones', { name: 'something else' }, { 'Idempotency-Key': 'create-idem-1' });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    // Concurrent duplicates still create once.
    const racing = await Promise.all(
      Array.from({ length: 8 }, () => admin.post('/transport-zones', { name: 'race' }, { 'Idempotency-Key': 'create-race' })),
    );
    expect(new Set(racing.map((r) => r.body.id)).size).toBe(1);
    expect(racing.every((r) => r.status === 201)).toBe(true);

    expect(await eventCount()).toBe(before + 1);
    const zones = (await admin.get('/transport-zones')).body as Array<{ name: string }>;
    expect(zones.filter((z) => z.name === 'idem')).toHaveLength(1);
    expect(zones.filter((z) => z.name === 'race')).toHaveLength(1);
  });

  it('exposes the log in global order with paging, and rebuilds read models to the same state', async () => {
    for (let i = 0; i < 5; i++) expect((await admin.post('/transport-zones', { name: `page-${i}` })).status).toBe(201);
    const all = (await admin.get('/events?limit=1000')).body;
    expect(all.next).toBeNull();
    const first = await admin.get('/events?limit=2');
    expect(first.body.events).toHaveLength(2);
    expect(first.body.next).toBe(first.body.events[1].position);
    const second = await admin.get(`/events?limit=2&after=${first.body.next}`);
    expect(second.body.events[0].position).toBe(all.events[2].position);
    const ev = all.events[0];
    expect(Object.keys(ev).sort()).toEqual(['data', 'id', 'metadata', 'position', 'recordedAt', 'streamId', 'type', 'version']);
    expect(Object.keys(ev.metadata).sort()).toEqual(['actor', 'causationId', 'correlationId']);

    const beforeRebuild = (await admin.get('/transport-zones')).body;
    const rebuild = await admin.post('/admin/rebuild');
    expect(rebuild.status).toBe(200);
    expect(rebuild.body.events).toBe(all.events.length);
    expect((await admin.get('/transport-zones')).body).toEqual(beforeRebuild);
  });

  it('carries the caller’s correlation id into the event metadata', async () => {
    const created = await admin.post('/transport-zones', { name: 'traced' }, { 'X-Correlation-Id': 'trace-abc-123' });
    expect(created.headers.get('x-correlation-id')).toBe('trace-abc-123');
    const events = (await admin.get('/events?limit=1000')).body.events as Array<{ data: { id: string }; metadata: { correlationId: string } }>;
    expect(events.find((e) => e.data.id === created.body.id)?.metadata.correlationId).toBe('trace-abc-123');
  });
});
