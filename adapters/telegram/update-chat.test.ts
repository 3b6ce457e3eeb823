import { describe, expect, it } from 'vitest';
import { updateChatKey } from './update-chat.js';

describe('the chat of a raw update (the per-chat lock key)', () => {
  it('GIVEN messages, edits and button presses THEN their chat; anything else has none', () => {
    expect(updateChatKey({ update_id: 1, message: { message_id: 1, chat: { id: -100123, type: 'supergroup' }, text: 'x' } })).toBe('tg:-100123');
    expect(updateChatKey({ update_id: 2, edited_message: { chat: { id: 42 } } })).toBe('tg:42');
    expect(updateChatKey({ update_id: 3, callback_query: { id: 'q', message: { chat: { id: 7 } }, data: 'undo:1' } })).toBe('tg:7');
    expect(updateChatKey({ update_id: 4, callback_query: { id: 'q', data: 'x' } })).toBeUndefined();
    expect(updateChatKey({ update_id: 5, my_chat_member: {} })).toBeUndefined();
    expect(updateChatKey({ message: { chat: { id: '42' } } })).toBeUndefined();
    expect(updateChatKey('not json')).toBeUndefined();
    expect(updateChatKey(undefined)).toBeUndefined();
  });
});
