import type { Platform } from '../types.js';
import type { Schedule } from './schedule.js';

/** Where a book is told what its templates did: the chat the template was created in. */
export interface NotifyTarget {
  platform: Platform;
  chatId: string;
}

/** A recurring record. */
export interface Template {
  id: number;
  bookId: number;
  kind: 'expense' | 'income';
  schedule: Schedule;
  /** Canonical schedule text (`monthly:last at:09:00`). */
  scheduleText: string;
  /** The record line without the income marker (`2500 salary`, `500 #rent @Card`). */
  record: string;
  authorId: number | null;
  notify: NotifyTarget | null;
  /** Where `every:` and rrule count from: the creation instant. */
  anchorAt: Date;
  /** The next occurrence not yet applied; null when an rrule has run out. */
  nextDueAt: Date | null;
  paused: boolean;
  createdAt: Date;
}

export type NewTemplate = Omit<Template, 'id' | 'paused' | 'createdAt'>;

export interface TemplatePatch {
  paused?: boolean;
  nextDueAt?: Date | null;
}

/** Storage of templates, one book at a time (drizzle/store/template-store.ts). */
export interface TemplateStore {
  createTemplate(t: NewTemplate): Promise<Template>;
  /** Live (not deleted) templates of a book, oldest first. */
  listTemplates(bookId: number): Promise<Template[]>;
  getTemplate(bookId: number, id: number): Promise<Template | undefined>;
  /** Undefined when the template does not exist (or is deleted) in this book. */
  updateTemplate(bookId: number, id: number, patch: TemplatePatch): Promise<Template | undefined>;
  /** Soft-deletes; false when there was nothing to delete. Recorded events keep their template id. */
  deleteTemplate(bookId: number, id: number): Promise<boolean>;
}
