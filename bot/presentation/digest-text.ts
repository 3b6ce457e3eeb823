import { DateTime } from 'luxon';
import type { DigestAnswer } from '../../domain/digests/settings.js';
import type { DigestReport } from '../../domain/digests/digest.js';
import { timeOfDay } from '../../domain/digests/schedule.js';
import { formatMoney } from '../../domain/money/money.js';
import { percentChange } from '../../domain/statistics/math.js';
import type { RunOut } from '../../domain/statistics/pace.js';
import type { Book, Language } from '../../domain/types.js';
import { periodText } from '../format.js';
import { t } from '../i18n/index.js';
import type { Reply } from '../reply.js';
import type { ChartSpec } from './chart-types.js';
import { budgetTarget } from './stats-format.js';

/** Labels named in the digest's text (the chart shows more). */
const TOP_LABELS = 3;
/** Budgets at risk listed (a Telegram caption holds 1,024 characters). */
const AT_RISK_LINES = 5;
/** Slices of the digest's chart; the rest are left out (the total stays the period's). */
const CHART_SLICES = 8;

/** "the 24th" / "24-го": the day a budget runs out. */
export function runOutDay(r: RunOut, lang: Language): string {
  const n = r.dayOfMonth;
  if (lang === 'ru') return `${n}-го`;
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `the ${n}${suffix}`;
}

/** A digest message: its text, and the chart of expenses by label drawn when it is sent. */
export interface DigestMessage {
  reply: Reply;
  chart?: ChartSpec;
}

/** The digest as a chat message in the book's language. */
export function digestMessage(d: DigestReport, book: Book, lang: Language): DigestMessage {
  const { report } = d;
  const cur = book.currency;
  const money = (minor: number) => formatMoney(minor, cur, { lang });
  const period = periodText(report.period, lang);
  const lines = [t(lang, d.every === 'weekly' ? 'digest.title_weekly' : 'digest.title_monthly', { book: book.title, period })];
  const spent = report.current.expense.minor;
  if (report.current.count === 0) lines.push(t(lang, 'digest.empty', { period }));
  else {
    lines.push(
      t(lang, 'digest.totals', {
        expense: money(spent),
        income: money(report.current.income.minor),
        net: formatMoney(report.current.net.minor, cur, { lang, sign: true }),
        count: report.current.count,
      }),
    );
    const before = report.before.expense.minor;
    const previous = periodText(report.previous, lang);
    const change = percentChange(spent, before);
    if (change === undefined || before === 0) lines.push(t(lang, 'digest.change_new', { period: previous }));
    else if (change === 0) lines.push(t(lang, 'digest.change_same', { period: previous }));
    else lines.push(t(lang, change > 0 ? 'digest.change_up' : 'digest.change_down', { percent: Math.abs(change), period: previous, before: money(before) }));
    const top = report.labels.filter((l) => l.expense.minor > 0).slice(0, TOP_LABELS);
    if (top.length) lines.push(t(lang, 'digest.top', { labels: top.map((l) => `${l.name === null ? t(lang, 'stats.no_label') : `#${l.name}`} ${money(l.expense.minor)}`) }));
  }
  const over = report.budgets.filter((b) => b.percent > 100);
  if (over.length) lines.push(t(lang, 'digest.over', { period, budgets: over.map((b) => `${budgetTarget(b.budget.label, lang)} ${b.percent}%`) }));
  if (d.atRisk.length) {
    lines.push('', t(lang, 'digest.at_risk'));
    for (const r of d.atRisk.slice(0, AT_RISK_LINES)) {
      const vars = {
        target: budgetTarget(r.progress.budget.label, lang),
        percent: r.progress.percent,
        amount: formatMoney(r.progress.budget.amountMinor, r.progress.budget.currency, { lang }),
        period: periodText(r.progress.period, lang),
      };
      lines.push(`• ${r.runsOut ? t(lang, 'digest.risk_pace', { ...vars, day: runOutDay(r.runsOut, lang) }) : t(lang, 'digest.risk', vars)}`);
    }
  }
  lines.push('', t(lang, 'digest.footer', { every: t(lang, d.every === 'weekly' ? 'digest.every_weekly' : 'digest.every_monthly') }));
  const reply: Reply = { text: lines.join('\n') };
  const slices = report.labels
    .filter((l) => l.expense.minor > 0)
    .slice(0, CHART_SLICES)
    .map((l) => ({ label: l.name === null ? t(lang, 'stats.no_label') : `#${l.name}`, minor: l.expense.minor }));
  if (slices.length === 0) return { reply };
  const chart: ChartSpec = {
    kind: 'pie',
    lang,
    title: t(lang, 'chart.title.pie', { book: book.title }),
    subtitle: t(lang, 'chart.subtitle', { period, currency: cur, converted: [] }),
    currency: cur,
    slices,
    totalMinor: spent,
  };
  return { reply, chart };
}

/** The daily nudge. */
export const reminderText = (book: Book, lang: Language): string => t(lang, 'remind.nudge', { book: book.title });

/** What `/digest` and `/remind` answer: the setting now, with its next run in the book's zone. */
export function digestSettingText(a: DigestAnswer, tz: string, lang: Language): string {
  const s = a.setting;
  if (!s) {
    if (a.changed) return t(lang, a.kind === 'digest' ? 'digest.turned_off' : 'remind.turned_off');
    return t(lang, a.kind === 'digest' ? 'digest.state_off' : 'remind.state_off');
  }
  const vars = {
    time: timeOfDay(s.atMinute),
    timezone: tz,
    next: DateTime.fromJSDate(s.nextAt, { zone: tz }).setLocale(lang).toFormat('ccc d LLL HH:mm'),
  };
  if (a.kind === 'reminder') return t(lang, 'remind.state_on', vars);
  return t(lang, s.every === 'monthly' ? 'digest.state_monthly' : 'digest.state_weekly', vars);
}
