import { Registry } from '../registry.js';
import { accountCommands } from './accounts.js';
import { labelCommands } from './labels.js';
import { quickEntry, recordActions, recordCommands } from './record.js';
import { settingsCommands } from './settings.js';
import { startCommands } from './start.js';
import { tokenCommands } from './tokens.js';
import { memberCommands } from './members.js';
import { splitActions, splitCommands } from './split.js';
import { linkCommands } from './link.js';
import { statsCommands } from './stats.js';
import { budgetCommands } from './budgets.js';
import { csvCommands } from './csv.js';
import { templateCommands } from './templates.js';
import { appCommands } from './app.js';
import { ruleActions, ruleCommands } from './rules.js';
import { digestCommands } from './digests.js';

/** Builds the one registry every adapter serves. */
export function createRegistry(): Registry {
  const r = new Registry();
  r.add(...startCommands(r), ...recordCommands, ...accountCommands, ...labelCommands, ...settingsCommands, ...tokenCommands, ...memberCommands, ...splitCommands, ...linkCommands, ...statsCommands, ...budgetCommands, ...csvCommands, ...templateCommands, ...ruleCommands, ...appCommands, ...digestCommands);
  r.addAction(...recordActions, ...splitActions, ...ruleActions);
  r.setQuickEntry(quickEntry);
  return r;
}
