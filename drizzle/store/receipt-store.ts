import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { rowsOf } from './rows.js';
import { receiptScans } from '../schema-receipts.js';
import { books, events } from '../schema.js';
import type { ReceiptProposal, ReceiptScan, ReceiptStore, ReceiptWorkStore } from '../../domain/receipts/ports.js';

type Row = typeof receiptScans.$inferSelect;

const toScan = (r: Omit<Row, 'image'>): ReceiptScan => ({
  id: r.id,
  bookId: r.bookId,
  userId: r.userId,
  platform: r.platform,
  chatId: r.chatId,
  state: r.state,
  mime: r.mime,
  proposal: (r.proposal as ReceiptProposal | null) ?? undefined,
  eventId: r.eventId ?? undefined,
});

const withoutImage = {
  id: receiptScans.id,
  bookId: receiptScans.bookId,
  userId: receiptScans.userId,
  platform: receiptScans.platform,
  chatId: receiptScans.chatId,
  state: receiptScans.state,
  mime: receiptScans.mime,
  proposal: receiptScans.proposal,
  eventId: receiptScans.eventId,
  createdAt: receiptScans.createdAt,
  updatedAt: receiptScans.updatedAt,
};

async function merchantLabel(db: Db, bookId: number, merchant: string): Promise<string | undefined> {
  const name = merchant.trim().toLowerCase();
  if (name.length < 3) return undefined;
  const rows = rowsOf<{ name: string }>(
    await db.execute(sql`
    select l.name from events e
      join event_labels el on el.event_id = e.id
      join labels l on l.id = el.label_id
    where e.book_id = ${bookId} and e.deleted_at is null and e.kind = 'expense'
      and position(${name} in lower(e.note)) > 0
    group by l.name order by count(*) desc, max(e.seq) desc limit 1`),
  );
  return rows[0]?.name;
}

/** Receipt scans (migration 0011) on a drizzle database. */
export function receiptStore(db: Db): ReceiptStore & ReceiptWorkStore {
  return {
    async startReceiptScan(scan, staleBefore) {
      await db
        .delete(receiptScans)
        .where(and(eq(receiptScans.platform, scan.platform), eq(receiptScans.chatId, scan.chatId), eq(receiptScans.state, 'reading'), lt(receiptScans.createdAt, staleBefore)));
      const rows = await db
        .insert(receiptScans)
        .values({ bookId: scan.bookId, userId: scan.userId, platform: scan.platform, chatId: scan.chatId, image: scan.image, mime: scan.mime, createdAt: scan.at, updatedAt: scan.at })
        .onConflictDoNothing({ target: [receiptScans.platform, receiptScans.chatId], where: sql`state = 'reading'` })
        .returning({ id: receiptScans.id });
      return rows[0]?.id;
    },

    async receiptScan(bookId, id) {
      const [r] = await db.select(withoutImage).from(receiptScans).where(and(eq(receiptScans.bookId, bookId), eq(receiptScans.id, id)));
      return r ? toScan(r) : undefined;
    },

    async attachReceipt(bookId, id, eventId) {
      const rows = await db
        .update(receiptScans)
        .set({ state: 'recorded', eventId, updatedAt: new Date() })
        .where(and(eq(receiptScans.bookId, bookId), eq(receiptScans.id, id), eq(receiptScans.state, 'proposed')))
        .returning({ id: receiptScans.id });
      return rows.length === 1;
    },

    async dropReceiptScan(bookId, id) {
      const rows = await db
        .delete(receiptScans)
        .where(and(eq(receiptScans.bookId, bookId), eq(receiptScans.id, id), sql`${receiptScans.state} <> 'recorded'`))
        .returning({ id: receiptScans.id });
      return rows.length === 1;
    },

    async receiptOfRecord(bookId, seq) {
      const [r] = await db
        .select({ image: receiptScans.image, mime: receiptScans.mime })
        .from(receiptScans)
        .innerJoin(events, eq(events.id, receiptScans.eventId))
        .where(and(eq(receiptScans.bookId, bookId), eq(events.bookId, bookId), eq(events.seq, seq), sql`${events.deletedAt} is null`));
      return r;
    },

    async recordsWithReceipt(bookId, seqs) {
      if (seqs.length === 0) return new Set();
      const rows = await db
        .select({ seq: events.seq })
        .from(receiptScans)
        .innerJoin(events, eq(events.id, receiptScans.eventId))
        .where(and(eq(receiptScans.bookId, bookId), eq(events.bookId, bookId), inArray(events.seq, [...seqs])));
      return new Set(rows.map((r) => r.seq));
    },

    merchantLabel: (bookId, merchant) => merchantLabel(db, bookId, merchant),

    async scanToRead(id) {
      const [r] = await db
        .select({ ...withoutImage, image: receiptScans.image, currency: books.currency, language: books.language })
        .from(receiptScans)
        .innerJoin(books, eq(books.id, receiptScans.bookId))
        .where(eq(receiptScans.id, id));
      return r ? { ...toScan(r), image: r.image, currency: r.currency, language: r.language } : undefined;
    },

    async proposeReceipt(id, proposal, image, mime) {
      const rows = await db
        .update(receiptScans)
        .set({ state: 'proposed', proposal, image, mime, updatedAt: new Date() })
        .where(and(eq(receiptScans.id, id), eq(receiptScans.state, 'reading')))
        .returning({ id: receiptScans.id });
      return rows.length === 1;
    },

    async failReceiptScan(id) {
      await db.delete(receiptScans).where(and(eq(receiptScans.id, id), eq(receiptScans.state, 'reading')));
    },
  };
}
