import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.js';

const ann = { id: '1', name: 'Ann' };
const bob = { id: '2', name: 'Bob' };
const GROUP = 'g-flat';

describe('/template and /templates on PostgreSQL', () => {
  let h: Harness;
  beforeAll(async () => {
    // A Tuesday, 12:00 UTC = 13:00 in Berlin.
    h = await createHarness({ now: '2026-11-24T12:00:00Z' });
    await h.say(ann, '/timezone Europe/Berlin');
  });
  afterAll(async () => h?.close());

  it('GIVEN /template add monthly:31 THEN the reply names the first date, November 30 in book time', async () => {
    const out = await h.say(ann, '/template add monthly:31 at:18:30 850 #rent flat');
    expect(out).toContain('Template 1 added: 850 #rent flat');
    expect(out).toContain('every month on the 31st (or the last day of shorter months) at 18:30');
    expect(out).toContain('Next: 2026-11-30 18:30 (Europe/Berlin)');
  });

  it('GIVEN a leading + or the word income THEN the template records an income', async () => {
    expect(await h.say(ann, '/template add monthly:1 +2500 salary')).toContain('Template 2 added: +2500 salary');
    expect(await h.say(ann, '/template add weekly:fri income 40 pocket money')).toContain('Template 3 added: +40 pocket money');
  });

  it('GIVEN at:HH:MM after the record (how typed options arrive) THEN it is the time of day', async () => {
    const out = await h.say(ann, '/template add daily 3.20 #coffee at:07:15');
    expect(out).toContain('Template 4 added: 3.20 #coffee');
    expect(out).toContain('Next: 2026-11-25 07:15');
  });

  it('GIVEN /templates THEN every template is listed with its next occurrence in book time', async () => {
    const out = await h.say(ann, '/templates');
    expect(out).toContain('Templates (times in Europe/Berlin):');
    expect(out).toMatch(/1\s+2026-11-30 18:30\s+monthly:31 at:18:30\s+850 #rent flat/);
    expect(out).toMatch(/2\s+2026-12-01 09:00\s+monthly:1 at:09:00\s+\+2500 salary/);
    expect(out).toMatch(/3\s+2026-11-27 09:00\s+weekly:fri at:09:00\s+\+40 pocket money/);
  });

  it('GIVEN a bad schedule, a bad record or an unknown account THEN nothing is added and the reply says why', async () => {
    expect(await h.say(ann, '/template add monthly:32 5 x')).toContain('is not a schedule');
    expect(await h.say(ann, '/template add sometimes 5 x')).toContain('is not a schedule');
    expect(await h.say(ann, '/template add daily at:25:00 5 x')).toContain('is not a schedule');
    expect(await h.say(ann, '/template add daily abc')).toContain('is not an amount');
    expect(await h.say(ann, '/template add daily 5 @Card')).toContain('There is no account “Card”');
    expect(await h.say(ann, '/template add daily')).toContain('Usage: /template add');
    expect(await h.say(ann, '/template add rrule:FREQ=DAILY;UNTIL=20200101T000000Z 5 x')).toContain('is not a schedule');
    expect(await h.say(ann, '/templates')).not.toMatch(/^5\s/m);
  });

  it('GIVEN pause and resume THEN the list shows paused, and resuming schedules from now', async () => {
    expect(await h.say(ann, '/template pause 4')).toContain('Template 4 paused');
    expect(await h.say(ann, '/templates')).toMatch(/4\s+paused\s+daily at:07:15/);
    h.clock.set('2026-11-28T12:00:00Z');
    expect(await h.say(ann, '/template resume 4')).toContain('Template 4 resumed. Next: 2026-11-29 07:15 (Europe/Berlin)');
    // Resuming a running template that is due this minute and not swept yet must not skip it.
    h.clock.set('2026-11-29T06:15:30Z');
    expect(await h.say(ann, '/template resume 4')).toContain('Next: 2026-11-29 07:15');
    h.clock.set('2026-11-24T12:00:00Z');
  });

  it('GIVEN /template run THEN the record is made now, marked as from the template, with an Undo button', async () => {
    const [reply] = await h.replies(ann, '/template run 1');
    expect(reply!.text).toContain('#1 −850.00 EUR · #rent @Main · flat');
    expect(reply!.buttons?.[0]?.[0]?.action).toBe('undo:1');
    const [row] = (await h.database.db.execute(
      'select template_id, occurrence_at from events where seq = 1' as never,
    )) as unknown as [{ template_id: number; occurrence_at: Date }];
    expect(row.template_id).toBe(1);
    expect(new Date(row.occurrence_at).toISOString()).toBe('2026-11-24T12:00:00.000Z');
    // Running is not the schedule: the next occurrence is still the 30th.
    expect(await h.say(ann, '/templates')).toMatch(/1\s+2026-11-30 18:30/);
  });

  it('GIVEN templates of others in a group THEN members cannot pause or delete them, admins can, viewers cannot add', async () => {
    await h.say(ann, '/spend 1 start', GROUP); // Ann owns the group book
    await h.say(bob, '/spend 1 hello', GROUP);
    const added = await h.say(ann, '/template add weekly:mon 60 #cleaning', GROUP);
    const id = /Template (\d+) added/.exec(added)![1];
    expect(await h.say(bob, `/template pause ${id}`, GROUP)).toContain('only change your own');
    expect(await h.say(bob, `/template delete ${id}`, GROUP)).toContain('only change your own');
    await h.say(ann, '/role Bob viewer', GROUP);
    expect(await h.say(bob, '/template add daily 1 x', GROUP)).toMatch(/viewer/i);
    expect(await h.say(ann, `/template delete ${id}`, GROUP)).toContain(`Template ${id} deleted`);
    expect(await h.say(ann, '/templates', GROUP)).toContain('No templates yet');
    expect(await h.say(ann, `/template run ${id}`, GROUP)).toContain(`There is no template ${id}`);
  });

  it('GIVEN a template id of another book THEN it is unknown here', async () => {
    expect(await h.say(bob, '/template pause 1')).toContain('There is no template 1');
    expect(await h.say(bob, '/template resume x')).toContain('Usage: /template resume');
  });
});
