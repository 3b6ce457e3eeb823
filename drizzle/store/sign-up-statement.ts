import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { BookDefaults, ChatRef, IdentityRef } from '../../domain/ports.js';
import { rowsOf } from './rows.js';
import { snapshotColumns, type EnterRow } from './enter-row.js';

/** What the sign-up statement answers: an enter row, plus what it created in case it lost a race. */
export interface SignUpRow extends EnterRow {
  new_user_id: number | null;
  new_book_id: number | null;
}

/**
 * Everything a first message needs, in ONE statement: creates the user and identity, the book
 * and chat, and the membership that are missing (the first member of a book owns it), brings a
 * changed name or username up to date, makes a platform admin an admin unless a role was set by
 * hand, and answers with the same columns as the `enter` read (snapshot included).
 *
 * All parts see the same snapshot, so when a concurrent first message created the identity or
 * the chat first, ours is not inserted (`on conflict do nothing`) and the answer lacks the user,
 * book or role: the caller then drops what this statement created (`new_user_id`,
 * `new_book_id`) and resolves the slow, race-safe way.
 */
export async function signUpStatement(db: Db, chat: ChatRef, from: IdentityRef, platformAdmin: boolean, d: BookDefaults): Promise<SignUpRow> {
  const name = from.name;
  const locale = from.locale ?? null;
  const username = from.username ?? null;
  const res = await db.execute(sql`
    with ident as (
      select i.user_id, i.name as iname, u.name as uname, u.locale from identities i join users u on u.id = i.user_id
      where i.platform = ${from.platform} and i.external_id = ${from.externalId}
    ), new_user as (
      insert into users (name, locale) select ${name}::text, ${locale}::text where not exists (select 1 from ident)
      returning id, name, locale
    ), new_ident as (
      insert into identities (platform, external_id, user_id, username, name)
      select ${from.platform}::text, ${from.externalId}::text, id, ${username}::text, ${name}::text from new_user
      on conflict do nothing returning user_id
    ), renamed as (
      -- A person linked on two platforms keeps one name: it changes when it changes on one of them.
      update users set name = case when ident.iname is distinct from ${name}::text then ${name}::text else users.name end,
        locale = coalesce(${locale}::text, users.locale)
      from ident where users.id = ident.user_id
        and (ident.iname is distinct from ${name}::text or (${locale}::text is not null and users.locale is distinct from ${locale}::text))
      returning users.id
    ), reidentified as (
      update identities set username = coalesce(${username}::text, username), name = ${name}::text
      where platform = ${from.platform} and external_id = ${from.externalId}
        and (name is distinct from ${name}::text or (${username}::text is not null and username is distinct from ${username}::text))
      returning user_id
    ), usr as (
      select user_id as id, case when iname is distinct from ${name}::text then ${name}::text else uname end as name,
        coalesce(${locale}::text, locale) as locale from ident
      union all
      select n.id, n.name, n.locale from new_user n join new_ident ni on ni.user_id = n.id
    ), chat as (
      select b.id, b.title, b.currency, b.timezone, b.language, b.default_account_id
      from chats c join books b on b.id = c.book_id
      where c.platform = ${chat.platform} and c.chat_id = ${chat.chatId}
    ), new_book as (
      insert into books (title, currency, timezone, language)
      select ${chat.title}::text, ${d.currency}::text, ${d.timezone}::text, ${d.language}::text where not exists (select 1 from chat)
      returning id, title, currency, timezone, language, default_account_id
    ), new_chat as (
      insert into chats (platform, chat_id, book_id, kind, title)
      select ${chat.platform}::text, ${chat.chatId}::text, id, ${chat.kind}::text, ${chat.title}::text from new_book
      on conflict do nothing returning book_id
    ), bk as (
      select * from chat
      union all
      select b.* from new_book b join new_chat nc on nc.book_id = b.id
    ), mem as (
      select m.role, m.role_set_explicitly from members m join bk on m.book_id = bk.id join usr on m.user_id = usr.id
    ), promoted as (
      -- Platform admins are admins by default, unless someone set their role by hand.
      update members m set role = 'admin' from bk, usr
      where m.book_id = bk.id and m.user_id = usr.id and ${platformAdmin}::boolean
        and not m.role_set_explicitly and m.role in ('member', 'viewer')
      returning m.role
    ), new_member as (
      insert into members (book_id, user_id, role)
      select bk.id, usr.id,
        case when not exists (select 1 from members where book_id = bk.id) then 'owner'
             when ${platformAdmin}::boolean then 'admin' else 'member' end
      from bk, usr where not exists (select 1 from mem)
      on conflict do nothing returning role
    )
    select 1 as fresh,
      usr.id as user_id, usr.name as user_name, usr.locale, ${username}::text as username, ${name}::text as identity_name,
      bk.id as book_id, bk.title, bk.currency, bk.timezone, bk.language, bk.default_account_id,
      coalesce((select role from promoted), (select role from mem), (select role from new_member)) as role,
      coalesce((select role_set_explicitly from mem), false) as role_set_explicitly,
      ${snapshotColumns(sql.raw('bk.id'))},
      (select id from new_user) as new_user_id,
      (select id from new_book) as new_book_id
    from (select 1) as one
    left join usr on true
    left join bk on true`);
  return rowsOf<SignUpRow>(res)[0]!;
}

/**
 * Drops what a sign-up statement created when it lost a race (a user whose identity another
 * message created first, a book whose chat another message claimed first).
 */
export async function dropSignUpLeftovers(db: Db, row: SignUpRow): Promise<void> {
  if (row.new_user_id !== null && row.user_id === null)
    await db.execute(sql`delete from users u where u.id = ${row.new_user_id} and not exists (select 1 from identities i where i.user_id = u.id)`);
  if (row.new_book_id !== null && row.book_id === null)
    await db.execute(sql`delete from books b where b.id = ${row.new_book_id} and not exists (select 1 from chats c where c.book_id = b.id)`);
}
