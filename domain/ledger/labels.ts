import type { Actor } from '../access/actor.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../access/permissions.js';
import type { LabelTotal } from '../ports.js';
import { tokenize } from '../parsing/tokenize.js';
import type { Label } from '../types.js';
import { parsePeriod, type Period } from '../parsing/period.js';
import { parseLabelList } from './edit.js';

function requireLabel(labels: Label[], raw: string | undefined): Label {
  if (!raw) throw new DomainError('usage', { command: 'label' });
  const name = raw.replace(/^#/, '').toLowerCase();
  const l = labels.find((x) => x.name.toLowerCase() === name);
  if (!l) throw new DomainError('label_unknown', { label: name, labels: labels.map((x) => x.name) });
  return l;
}

/** Labels with this month's totals (labels without events this month show zero). */
export async function labelsWithTotals(a: Actor): Promise<{ period: Period; labels: Label[]; totals: LabelTotal[] }> {
  assertCan(a.role, 'read');
  const period = parsePeriod('month', a.clock.now(), a.book.timezone);
  const [labels, totals] = await Promise.all([
    a.store.listLabels(a.book.id),
    a.store.labelTotals(a.book.id, period.start, period.end),
  ]);
  return { period, labels, totals };
}

export async function renameLabel(a: Actor, args: string): Promise<{ from: string; to: string }> {
  assertCan(a.role, 'manage');
  const [from, to, extra] = tokenize(args);
  if (!to || extra) throw new DomainError('usage', { command: 'label' });
  const labels = await a.store.listLabels(a.book.id);
  const l = requireLabel(labels, from);
  // Exactly one new name: `none`, `-` or two words (possible from the web form) would lose the label.
  const names = to === '-' || to.toLowerCase() === 'none' ? [] : parseLabelList(to);
  const name = names.length === 1 ? names[0]! : null;
  if (!name) throw new DomainError('label_invalid', { label: to });
  if (labels.some((x) => x.id !== l.id && x.name.toLowerCase() === name)) throw new DomainError('label_invalid', { label: name, reason: 'exists' });
  await a.store.renameLabel(a.book.id, l.id, name);
  return { from: l.name, to: name };
}

/** `/label merge <from> <into>`: every event of `from` gets `into`, and `from` is gone. */
export async function mergeLabels(a: Actor, args: string): Promise<{ from: string; to: string }> {
  assertCan(a.role, 'manage');
  const [from, into, extra] = tokenize(args);
  if (!into || extra) throw new DomainError('usage', { command: 'label' });
  const labels = await a.store.listLabels(a.book.id);
  const f = requireLabel(labels, from);
  const t = requireLabel(labels, into);
  if (f.id === t.id) throw new DomainError('label_invalid', { label: f.name, reason: 'same' });
  await a.store.mergeLabels(a.book.id, f.id, t.id);
  return { from: f.name, to: t.name };
}

export async function deleteLabel(a: Actor, args: string): Promise<string> {
  assertCan(a.role, 'manage');
  const l = requireLabel(await a.store.listLabels(a.book.id), tokenize(args)[0]);
  await a.store.deleteLabel(a.book.id, l.id);
  return l.name;
}
