import { z } from 'zod';

const chat = z.object({ id: z.number() });
const update = z
  .object({
    message: z.object({ chat }).passthrough().optional(),
    edited_message: z.object({ chat }).passthrough().optional(),
    callback_query: z.object({ message: z.object({ chat }).passthrough().optional() }).passthrough().optional(),
  })
  .passthrough();

/** The chat a raw Telegram update belongs to (`tg:<chat id>`), or undefined when it has none. */
export function updateChatKey(body: unknown): string | undefined {
  const u = update.safeParse(body);
  if (!u.success) return undefined;
  const id = u.data.message?.chat.id ?? u.data.edited_message?.chat.id ?? u.data.callback_query?.message?.chat.id;
  return id === undefined ? undefined : `tg:${id}`;
}
