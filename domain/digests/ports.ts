import type { Platform } from '../types.js';
import type { DigestKind, DigestSetting } from './schedule.js';

/** A chat's setting with its next run. */
export interface ScheduledDigest extends DigestSetting {
  nextAt: Date;
}

/** Storage port of what a chat asked COIN to send on its own (digest, reminder). */
export interface DigestSettingsStore {
  /** The chat's settings; a kind absent is off. */
  digestSettings(platform: Platform, chatId: string): Promise<Partial<Record<DigestKind, ScheduledDigest>>>;
  /** Sets (or with `null` removes) one kind for the chat. Removing what is not there is fine. */
  setDigestSetting(platform: Platform, chatId: string, kind: DigestKind, setting: ScheduledDigest | null): Promise<void>;
}

/** What a reminder run asks: was anything recorded (or dated) in the book in `[from, to)`. */
export interface ReminderStore {
  recordedBetween(bookId: number, from: Date, to: Date): Promise<boolean>;
}
