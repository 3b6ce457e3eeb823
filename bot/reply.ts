/** A button under a reply; `action` is routed back through the registry's actions (`undo:12`). */
export interface Button {
  label: string;
  action: string;
}

/**
 * What a command answers, free of any platform: each adapter renders it (Telegram HTML,
 * Discord embeds/attachments, terminal text and files).
 */
export interface Reply {
  /** Plain text; adapters escape it. */
  text: string;
  /** A monospace block (tables) shown after the text. */
  pre?: string;
  image?: { name: string; png: Buffer; alt: string };
  file?: { name: string; content: Buffer; mime: string };
  buttons?: Button[][];
  /**
   * A button that opens the web app inside Telegram (a Mini App `web_app` button); other
   * platforms have no such button and carry a sign-in link in the text instead.
   */
  webApp?: { label: string; url: string };
  /** Only the sender should see it (Discord ephemeral); errors use it. */
  ephemeral?: boolean;
}

export const text = (t: string, extra: Partial<Reply> = {}): Reply => ({ text: t, ...extra });

/** Pads a table into aligned monospace columns; numbers (right-aligned) are marked by `align`. */
export function table(rows: string[][], align: ('l' | 'r')[] = []): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => {
          const pad = ' '.repeat((widths[i] ?? 0) - [...c].length);
          return align[i] === 'r' ? pad + c : c + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
