import { Registry } from '../registry.js';
import { accountCommands } from './accounts.js';
import { labelCommands } from './labels.js';
import { recordActions, recordCommands } from './record.js';
import { settingsCommands } from './settings.js';
import { startCommands } from './start.js';

/** Builds the one registry every adapter serves. */
export function createRegistry(): Registry {
  const r = new Registry();
  r.add(...startCommands(r), ...recordCommands, ...accountCommands, ...labelCommands, ...settingsCommands);
  r.addAction(...recordActions);
  return r;
}
