import { DomainError } from '../errors.js';
import { atLeast, type Role } from '../types.js';

/** What a member may do; checked in the domain so every adapter and the API obey it. */
export type Action = 'read' | 'record' | 'edit-own' | 'edit-any' | 'manage' | 'settings' | 'roles';

const MIN_ROLE: Record<Action, Role> = {
  read: 'viewer',
  record: 'member',
  'edit-own': 'member',
  'edit-any': 'admin',
  manage: 'admin',
  settings: 'admin',
  roles: 'admin',
};

export function can(role: Role, action: Action): boolean {
  return atLeast(role, MIN_ROLE[action]);
}

/** Throws `forbidden` naming the role needed. */
export function assertCan(role: Role, action: Action): void {
  if (!can(role, action)) throw new DomainError('forbidden', { role, needed: MIN_ROLE[action] });
}

/** Members change their own events; admins and owners anyone's. */
export function assertCanChange(role: Role, actorId: number, authorId: number | null): void {
  if (actorId === authorId) assertCan(role, 'edit-own');
  else if (!can(role, 'edit-any')) throw new DomainError('event_not_yours', {});
}
