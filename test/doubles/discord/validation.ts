/**
 * Checks payloads against the limits Discord enforces, so code that would be rejected in
 * production is rejected by the double too. Problems are reported the way Discord reports
 * them: HTTP 400, JSON error code 50035 "Invalid Form Body" with a nested `errors` tree.
 * The checks cover what a bot commonly gets wrong (lengths, counts, button shapes, command
 * names); they are not a complete re-implementation of Discord's validator.
 */
import { ATTACHMENT_SIZE_LIMIT, MessageFlag, type RecordedFile } from './fixtures.js';

/** One rejected field. `path` follows Discord's error tree (`components.0.components.1.label`). */
export interface FieldIssue {
  path: (string | number)[];
  code: string;
  message: string;
}

/** A Discord error response the REST layer turns into an HTTP reply. */
export interface DiscordErrorBody {
  status: number;
  code: number;
  message: string;
  errors?: Record<string, unknown>;
}

/** Builds Discord's nested `errors` tree from flat issues. */
export function errorTree(issues: FieldIssue[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const issue of issues) {
    let node = root;
    for (const key of issue.path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as Record<string, unknown>;
    }
    const list = (node._errors ??= []) as { code: string; message: string }[];
    list.push({ code: issue.code, message: issue.message });
  }
  return root;
}

/** Wraps issues as Discord's 400 Invalid Form Body, or returns null when there are none. */
export function invalidFormBody(issues: FieldIssue[]): DiscordErrorBody | null {
  if (issues.length === 0) return null;
  return { status: 400, code: 50035, message: 'Invalid Form Body', errors: errorTree(issues) };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function maxLength(issues: FieldIssue[], path: (string | number)[], value: unknown, max: number) {
  if (typeof value === 'string' && [...value].length > max) {
    issues.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` });
  }
}

function lengthBetween(
  issues: FieldIssue[],
  path: (string | number)[],
  value: unknown,
  min: number,
  max: number,
) {
  if (typeof value !== 'string') {
    issues.push({ path, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
    return;
  }
  const len = [...value].length;
  if (len < min || len > max) {
    issues.push({
      path,
      code: 'BASE_TYPE_BAD_LENGTH',
      message: `Must be between ${min} and ${max} in length.`,
    });
  }
}

function validateEmbeds(issues: FieldIssue[], embeds: unknown) {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds)) {
    issues.push({ path: ['embeds'], code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    return;
  }
  if (embeds.length > 10) {
    issues.push({ path: ['embeds'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 10 or fewer in length.' });
  }
  let total = 0;
  embeds.forEach((embed: unknown, i) => {
    if (!isObject(embed)) return;
    const count = (v: unknown) => (typeof v === 'string' ? [...v].length : 0);
    maxLength(issues, ['embeds', i, 'title'], embed.title, 256);
    maxLength(issues, ['embeds', i, 'description'], embed.description, 4096);
    total += count(embed.title) + count(embed.description);
    if (isObject(embed.footer)) {
      maxLength(issues, ['embeds', i, 'footer', 'text'], embed.footer.text, 2048);
      total += count(embed.footer.text);
    }
    if (isObject(embed.author)) {
      maxLength(issues, ['embeds', i, 'author', 'name'], embed.author.name, 256);
      total += count(embed.author.name);
    }
    if (Array.isArray(embed.fields)) {
      if (embed.fields.length > 25) {
        issues.push({
          path: ['embeds', i, 'fields'],
          code: 'BASE_TYPE_MAX_LENGTH',
          message: 'Must be 25 or fewer in length.',
        });
      }
      embed.fields.forEach((field: unknown, j: number) => {
        if (!isObject(field)) return;
        lengthBetween(issues, ['embeds', i, 'fields', j, 'name'], field.name, 1, 256);
        lengthBetween(issues, ['embeds', i, 'fields', j, 'value'], field.value, 1, 1024);
        total += count(field.name) + count(field.value);
      });
    }
  });
  if (total > 6000) {
    issues.push({
      path: ['embeds'],
      code: 'MAX_EMBED_SIZE_EXCEEDED',
      message: 'Embed size exceeds maximum size of 6000',
    });
  }
}

const BUTTON = 2;
const ACTION_ROW = 1;
const SELECTS = new Set([3, 5, 6, 7, 8]);

function validateLegacyComponents(issues: FieldIssue[], components: unknown[]) {
  if (components.length > 5) {
    issues.push({ path: ['components'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 5 or fewer in length.' });
  }
  const customIds = new Set<string>();
  components.forEach((row: unknown, i) => {
    const rowPath = ['components', i];
    if (!isObject(row) || row.type !== ACTION_ROW) {
      issues.push({
        path: [...rowPath, 'type'],
        code: 'UNION_TYPE_CHOICES',
        message: 'Top-level components must be action rows (type 1) unless IS_COMPONENTS_V2 is set.',
      });
      return;
    }
    const children = Array.isArray(row.components) ? row.components : [];
    if (children.length === 0) {
      issues.push({
        path: [...rowPath, 'components'],
        code: 'BASE_TYPE_MIN_LENGTH',
        message: 'Must be 1 or more in length.',
      });
    }
    const selects = children.filter((c: unknown) => isObject(c) && SELECTS.has(c.type as number));
    if (selects.length > 0 && children.length > 1) {
      issues.push({
        path: [...rowPath, 'components'],
        code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
        message: 'The specified component exceeds the maximum width',
      });
    }
    if (children.length > 5) {
      issues.push({
        path: [...rowPath, 'components'],
        code: 'BASE_TYPE_MAX_LENGTH',
        message: 'Must be 5 or fewer in length.',
      });
    }
    children.forEach((child: unknown, j: number) => {
      const path = [...rowPath, 'components', j];
      if (!isObject(child)) return;
      if (typeof child.custom_id === 'string') {
        lengthBetween(issues, [...path, 'custom_id'], child.custom_id, 1, 100);
        if (customIds.has(child.custom_id)) {
          issues.push({
            path: [...path, 'custom_id'],
            code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
            message: 'Component custom id cannot be duplicated',
          });
        }
        customIds.add(child.custom_id);
      }
      if (child.type === BUTTON) {
        const style = child.style as number;
        if (!Number.isInteger(style) || style < 1 || style > 6) {
          issues.push({ path: [...path, 'style'], code: 'BASE_TYPE_CHOICES', message: 'Value must be one of (1, 2, 3, 4, 5, 6).' });
        } else if (style === 5) {
          if (typeof child.url !== 'string') {
            issues.push({ path: [...path, 'url'], code: 'BUTTON_COMPONENT_URL_REQUIRED', message: 'A url is required' });
          }
          if (child.custom_id !== undefined) {
            issues.push({
              path: [...path, 'custom_id'],
              code: 'BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED',
              message: 'A custom id cannot be specified',
            });
          }
        } else if (style !== 6 && typeof child.custom_id !== 'string') {
          issues.push({
            path: [...path, 'custom_id'],
            code: 'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED',
            message: 'A custom id is required',
          });
        }
        maxLength(issues, [...path, 'label'], child.label, 80);
        if (style !== 6 && child.label === undefined && child.emoji === undefined) {
          issues.push({
            path: [...path, 'label'],
            code: 'BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED',
            message: 'A label or emoji is required',
          });
        }
      } else if (SELECTS.has(child.type as number)) {
        if (typeof child.custom_id !== 'string') {
          issues.push({ path: [...path, 'custom_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
        }
        maxLength(issues, [...path, 'placeholder'], child.placeholder, 150);
        if (child.type === 3) {
          const options = Array.isArray(child.options) ? child.options : [];
          if (options.length < 1 || options.length > 25) {
            issues.push({
              path: [...path, 'options'],
              code: 'BASE_TYPE_BAD_LENGTH',
              message: 'Must be between 1 and 25 in length.',
            });
          }
          options.forEach((option: unknown, k: number) => {
            if (!isObject(option)) return;
            lengthBetween(issues, [...path, 'options', k, 'label'], option.label, 1, 100);
            lengthBetween(issues, [...path, 'options', k, 'value'], option.value, 1, 100);
            maxLength(issues, [...path, 'options', k, 'description'], option.description, 100);
          });
        }
      } else {
        issues.push({
          path: [...path, 'type'],
          code: 'UNION_TYPE_CHOICES',
          message: 'Action rows hold buttons or one select menu.',
        });
      }
    });
  });
}

/** What a message payload (JSON body or payload_json) may contain and how it is checked. */
export interface MessageCheck {
  /** Reject a message with nothing to show (Discord error 50006). */
  requireNonEmpty: boolean;
  /** Attachments the message keeps from before (edits); counts as content. */
  keptAttachments?: number;
}

/**
 * Validates a message body (create, reply, edit or follow-up) and its uploaded files.
 * Returns the Discord error to answer with, or null when the payload is acceptable.
 */
export function checkMessagePayload(
  payload: Json,
  files: RecordedFile[],
  check: MessageCheck,
): DiscordErrorBody | null {
  const tooBig = files.find((f) => f.bytes.length > ATTACHMENT_SIZE_LIMIT);
  if (tooBig) return { status: 413, code: 40005, message: 'Request entity too large' };
  const issues: FieldIssue[] = [];
  if (files.length > 10) {
    issues.push({ path: ['files'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 10 or fewer in length.' });
  }
  if (payload.content !== undefined && payload.content !== null && typeof payload.content !== 'string') {
    issues.push({ path: ['content'], code: 'BASE_TYPE_STRING', message: 'Must be a string.' });
  }
  maxLength(issues, ['content'], payload.content, 2000);
  validateEmbeds(issues, payload.embeds);
  const flags = typeof payload.flags === 'number' ? payload.flags : 0;
  const v2 = (flags & MessageFlag.IsComponentsV2) !== 0;
  if (Array.isArray(payload.components)) {
    if (v2) {
      if (typeof payload.content === 'string' && payload.content.length > 0) {
        issues.push({
          path: ['content'],
          code: 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
          message: 'The \'content\' field cannot be used when using MessageFlags.IS_COMPONENTS_V2',
        });
      }
    } else {
      validateLegacyComponents(issues, payload.components);
    }
  }
  const formError = invalidFormBody(issues);
  if (formError) return formError;
  if (check.requireNonEmpty) {
    const hasContent = typeof payload.content === 'string' && payload.content.trim().length > 0;
    const hasEmbeds = Array.isArray(payload.embeds) && payload.embeds.length > 0;
    const hasComponents = Array.isArray(payload.components) && payload.components.length > 0;
    const hasStickers = Array.isArray(payload.sticker_ids) && payload.sticker_ids.length > 0;
    const hasPoll = isObject(payload.poll);
    const hasFiles = files.length > 0 || (check.keptAttachments ?? 0) > 0;
    if (!hasContent && !hasEmbeds && !hasComponents && !hasStickers && !hasPoll && !hasFiles) {
      return { status: 400, code: 50006, message: 'Cannot send an empty message' };
    }
  }
  return null;
}

/** Validates an autocomplete result (`data.choices`). */
export function checkAutocompleteChoices(data: Json): DiscordErrorBody | null {
  const issues: FieldIssue[] = [];
  const choices = data.choices;
  if (!Array.isArray(choices)) {
    issues.push({ path: ['data', 'choices'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
    return invalidFormBody(issues);
  }
  if (choices.length > 25) {
    issues.push({ path: ['data', 'choices'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
  }
  choices.forEach((choice: unknown, i) => {
    if (!isObject(choice)) return;
    lengthBetween(issues, ['data', 'choices', i, 'name'], choice.name, 1, 100);
    if (typeof choice.value === 'string') {
      maxLength(issues, ['data', 'choices', i, 'value'], choice.value, 100);
    } else if (typeof choice.value !== 'number') {
      issues.push({
        path: ['data', 'choices', i, 'value'],
        code: 'BASE_TYPE_REQUIRED',
        message: 'Must be a string or a number.',
      });
    }
  });
  return invalidFormBody(issues);
}

/** Option types of application commands. */
export const OptionType = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

const NAME_PATTERN = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function checkName(issues: FieldIssue[], path: (string | number)[], name: unknown, lowercase: boolean) {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    issues.push({
      path: [...path, 'name'],
      code: 'APPLICATION_COMMAND_INVALID_NAME',
      message: `Command name is invalid`,
    });
  } else if (lowercase && name !== name.toLowerCase()) {
    issues.push({
      path: [...path, 'name'],
      code: 'APPLICATION_COMMAND_INVALID_NAME',
      message: 'Command name must be lowercase',
    });
  }
}

function checkOptions(issues: FieldIssue[], path: (string | number)[], options: unknown, depth: number) {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    issues.push({ path, code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    return;
  }
  if (options.length > 25) {
    issues.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
  }
  const names = new Set<string>();
  let seenOptional = false;
  let subs = 0;
  options.forEach((option: unknown, i) => {
    const p = [...path, i];
    if (!isObject(option)) return;
    const type = option.type as number;
    checkName(issues, p, option.name, true);
    lengthBetween(issues, [...p, 'description'], option.description, 1, 100);
    if (typeof option.name === 'string') {
      if (names.has(option.name)) {
        issues.push({
          path: [...p, 'name'],
          code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
          message: 'Option names must be unique',
        });
      }
      names.add(option.name);
    }
    if (!Number.isInteger(type) || type < 1 || type > 11) {
      issues.push({ path: [...p, 'type'], code: 'BASE_TYPE_CHOICES', message: 'Value must be one of (1..11).' });
      return;
    }
    if (type === OptionType.Subcommand || type === OptionType.SubcommandGroup) {
      subs += 1;
      if (type === OptionType.SubcommandGroup && depth > 0) {
        issues.push({ path: [...p, 'type'], code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', message: 'Subcommand groups cannot be nested' });
      }
      if (type === OptionType.Subcommand && depth > 1) {
        issues.push({ path: [...p, 'type'], code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', message: 'Subcommands cannot be nested this deep' });
      }
      if (type === OptionType.SubcommandGroup && Array.isArray(option.options)) {
        option.options.forEach((child: unknown, j: number) => {
          if (isObject(child) && child.type !== OptionType.Subcommand) {
            issues.push({
              path: [...p, 'options', j, 'type'],
              code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
              message: 'A subcommand group holds only subcommands',
            });
          }
        });
      }
      checkOptions(issues, [...p, 'options'], option.options, depth + 1);
      return;
    }
    if (option.required === true) {
      if (seenOptional) {
        issues.push({
          path: [...p, 'required'],
          code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
          message: 'Required options must be placed before non-required options',
        });
      }
    } else {
      seenOptional = true;
    }
    const choices = option.choices;
    if (Array.isArray(choices)) {
      if (option.autocomplete === true && choices.length > 0) {
        issues.push({
          path: [...p, 'autocomplete'],
          code: 'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID',
          message: 'Autocomplete cannot be set when choices are present',
        });
      }
      if (choices.length > 25) {
        issues.push({ path: [...p, 'choices'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
      }
      choices.forEach((choice: unknown, j: number) => {
        if (!isObject(choice)) return;
        lengthBetween(issues, [...p, 'choices', j, 'name'], choice.name, 1, 100);
        const wantsString = type === OptionType.String;
        if (wantsString ? typeof choice.value !== 'string' : typeof choice.value !== 'number') {
          issues.push({
            path: [...p, 'choices', j, 'value'],
            code: wantsString ? 'BASE_TYPE_STRING' : 'NUMBER_TYPE_COERCE',
            message: wantsString ? 'Must be a string.' : 'Value is not a number.',
          });
        }
        maxLength(issues, [...p, 'choices', j, 'value'], choice.value, 100);
      });
    }
    if (option.autocomplete === true && ![OptionType.String, OptionType.Integer, OptionType.Number].includes(type as 3)) {
      issues.push({
        path: [...p, 'autocomplete'],
        code: 'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID',
        message: 'Autocomplete is only for string, integer and number options',
      });
    }
  });
  if (subs > 0 && subs !== options.length) {
    issues.push({
      path,
      code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
      message: 'Subcommands and groups cannot be mixed with other options',
    });
  }
}

/**
 * Validates one application command definition (as sent to POST/PUT commands). `path` prefixes
 * the error paths (the index in a bulk overwrite).
 */
export function commandIssues(command: unknown, path: (string | number)[] = []): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!isObject(command)) {
    issues.push({ path, code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' });
    return issues;
  }
  const type = (command.type as number | undefined) ?? 1;
  const chatInput = type === 1;
  checkName(issues, path, command.name, chatInput);
  if (chatInput) {
    lengthBetween(issues, [...path, 'description'], command.description, 1, 100);
    checkOptions(issues, [...path, 'options'], command.options, 0);
  } else if (command.description !== undefined && command.description !== '') {
    issues.push({
      path: [...path, 'description'],
      code: 'APPLICATION_COMMAND_DESCRIPTION_INVALID',
      message: 'Context menu commands cannot have a description',
    });
  }
  const dmp = command.default_member_permissions;
  if (dmp !== undefined && dmp !== null && (typeof dmp !== 'string' || !/^\d+$/.test(dmp))) {
    issues.push({
      path: [...path, 'default_member_permissions'],
      code: 'BASE_TYPE_STRING',
      message: 'Must be a permission bitfield string or null.',
    });
  }
  return issues;
}

/** Validates a bulk overwrite (PUT commands): each command, at most 100, unique names per type. */
export function checkCommandList(list: unknown): DiscordErrorBody | null {
  if (!Array.isArray(list)) {
    return invalidFormBody([{ path: [], code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }]);
  }
  const issues: FieldIssue[] = [];
  if (list.length > 110) {
    issues.push({ path: [], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 110 or fewer in length.' });
  }
  const seen = new Set<string>();
  list.forEach((command: unknown, i) => {
    issues.push(...commandIssues(command, [i]));
    if (isObject(command) && typeof command.name === 'string') {
      const key = `${(command.type as number | undefined) ?? 1}:${command.name}`;
      if (seen.has(key)) {
        issues.push({
          path: [i, 'name'],
          code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
          message: `Application command names must be unique`,
        });
      }
      seen.add(key);
    }
  });
  return invalidFormBody(issues);
}
