/**
 * What outside probes found, on a real DynamoDB emulator. Free text a client sends
 * (notes, a manual run's who and why, filters) that DynamoDB would refuse (a lone
 * surrogate is no UTF-8) or that has no place in a name: each a 400 naming the
 * field, never a 500. A job's history paged with a token from before `from`, or a
 * forged one from year 0: an empty page or a 400, never DynamoDB's refusal of a
 * reversed range as a 500.
 */
import { describe, expect, it } from 'vitest';
import { dynamoBackends } from './backends.js';
import { apiOnDynamo } from './api-on-dynamo.js';

const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };

for (const backend of dynamoBackends()) {
  describe.skipIf(backend.endpoint === null)(`hostile text on ${backend.name}`, () => {
    const appOn = async () => {
      const { app, deps } = await apiOnDynamo(backend.endpoint!);
      return Object.assign(app, { deps });
    };

    it('refuses lone surrogates and control characters in free text and filters, naming the field', async () => {
      const app = await appOn();
      const created = await app.request('/v1/jobs', {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'text', schedule: { every: '1h' }, handler: 'log' }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      // JSON escapes, so the body carries the lone surrogate itself.
      const lone = '"x\\ud800y"';
      const cases: [string, string, string, string][] = [
        ['POST', `/v1/jobs/${id}/pause`, `{"note":${lone}}`, 'note'],
        ['PATCH', `/v1/jobs/${id}`, `{"note":${lone}}`, 'note'],
        ['POST', `/v1/jobs/${id}/trigger`, `{"by":${lone}}`, 'by'],
        ['POST', `/v1/jobs/${id}/trigger`, `{"reason":"a\\u0000b"}`, 'reason'],
        ['POST', `/v1/jobs/${id}/resume`, `{"note":"bell\\u0007"}`, 'note'],
      ];
      for (const [method, path, body, field] of cases) {
        const res = await app.request(path, { method, headers, body });
        expect(res.status, `${method} ${path} ${body}`).toBe(400);
        expect(((await res.json()) as { error: { details: { path: string }[] } }).error.details.map((d) => d.path)).toContain(field);
      }
      for (const [query, field] of [
        ['q=%ED%A0%80', 'q'],
        ['name=a%00b', 'name'],
        ['handler=a%07b', 'handler'],
      ]) {
        const res = await app.request(`/v1/jobs?${query}`, { headers });
        expect(res.status, query).toBe(400);
        expect(
          ((await res.json()) as { error: { details: { path: string }[] } }).error.details.map((d) => d.path),
          query,
        ).toContain(field);
      }
      // Bytes that are no UTF-8 in a query arrive as U+FFFD: harmless, an empty list.
      expect((await app.request('/v1/jobs?handler=%F0%9F%92%A5%ED%A0%80', { headers })).status).toBe(200);
      // Text that is fine: accents, emoji, newlines in a note.
      const fine = await app.request(`/v1/jobs/${id}/pause`, { method: 'POST', headers, body: JSON.stringify({ note: 'Zoë 🚀\nby ops' }) });
      expect(fine.status).toBe(200);
      expect(((await fine.json()) as { note: string }).note).toBe('Zoë 🚀\nby ops');
    });

    it("pages a job's history with a token from before `from`, or a forged one, without a 5xx", async () => {
      const app = await appOn();
      const created = await app.request('/v1/jobs', {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'h', schedule: { every: '1h' }, handler: 'log' }),
      });
      const { id } = (await created.json()) as { id: string };
      // Recent, so that retention has not let them go.
      const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
      const skips = [1, 2, 3]
        .map((h) => new Date(hour - h * 3_600_000).toISOString())
        .map((scheduledFor) => ({
          jobId: id,
          scheduledFor,
          jobName: 'h',
          handler: 'log',
          reason: 'misfire' as const,
        }));
      await app.deps.executions.recordSkipped(skips, new Date(hour).toISOString());
      const first = (await (await app.request(`/v1/jobs/${id}/executions?limit=1`, { headers })).json()) as { next?: string };
      expect(first.next).toBeDefined();
      const later = await app.request(`/v1/jobs/${id}/executions?limit=2&from=2999-01-01T00:00:00Z&next=${first.next!}`, { headers });
      expect(later.status).toBe(200);
      expect(((await later.json()) as { executions: unknown[] }).executions).toEqual([]);
      for (const k of ['0000-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z']) {
        const forged = Buffer.from(JSON.stringify({ k })).toString('base64url');
        for (const path of [`/v1/jobs/${id}/executions?next=${forged}`, `/v1/executions?next=${forged}`]) {
          const res = await app.request(path, { headers });
          expect(res.status, `${path} (${k})`).toBeLessThan(500);
        }
      }
    });
  });
}
