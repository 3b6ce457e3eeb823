// The page script of the web app: progressive enhancement only (every page works without it).
// Telegram Mini App: reads the launch parameters Telegram puts in the URL fragment (no script
// from telegram.org, so the Content-Security-Policy allows this origin only), signs in with
// initData and applies the Telegram theme.

interface TelegramProxy {
  postEvent(name: string, data: string): void;
}

const THEME_KEY = 'coin.tgTheme';

const THEME_VARS: Record<string, string> = {
  bg_color: '--bg',
  text_color: '--text',
  hint_color: '--muted',
  link_color: '--link',
  button_color: '--accent',
  button_text_color: '--accent-text',
  secondary_bg_color: '--surface',
  section_separator_color: '--line',
  destructive_text_color: '--danger',
};

function launchParams(): URLSearchParams {
  const hash = location.hash.slice(1);
  return new URLSearchParams(hash.includes('tgWebApp') ? hash : '');
}

function tellTelegram(name: string): void {
  const w = window as unknown as { TelegramWebviewProxy?: TelegramProxy; external?: { notify?: (s: string) => void } };
  const message = JSON.stringify({ eventType: name, eventData: {} });
  try {
    if (w.TelegramWebviewProxy) w.TelegramWebviewProxy.postEvent(name, '{}');
    else if (window.parent !== window) window.parent.postMessage(message, 'https://web.telegram.org');
  } catch {
    // Outside Telegram there is nobody to tell.
  }
}

function applyTheme(): void {
  const fresh = launchParams().get('tgWebAppThemeParams');
  if (fresh) sessionStorage.setItem(THEME_KEY, fresh);
  const stored = fresh ?? sessionStorage.getItem(THEME_KEY);
  if (!stored) return;
  let theme: Record<string, unknown>;
  try {
    theme = JSON.parse(stored) as Record<string, unknown>;
  } catch {
    return;
  }
  const root = document.documentElement;
  for (const [key, cssVar] of Object.entries(THEME_VARS)) {
    const v = theme[key];
    if (typeof v === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(v)) root.style.setProperty(cssVar, v);
  }
  root.classList.add('in-telegram');
  const bg = typeof theme.bg_color === 'string' ? theme.bg_color : '#ffffff';
  // Dark when the background is dark: perceived luminance of the hex colour.
  const n = parseInt(bg.slice(1).padEnd(6, '0').slice(0, 6), 16);
  const lum = 0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  root.style.setProperty('color-scheme', lum < 128 ? 'dark' : 'light');
}

function signInWithTelegram(): void {
  const form = document.getElementById('tg-sign-in') as HTMLFormElement | null;
  if (!form) return;
  const data = launchParams().get('tgWebAppData');
  if (!data) return;
  const input = form.querySelector('input[name="initData"]') as HTMLInputElement;
  input.value = data;
  document.getElementById('tg-waiting')?.removeAttribute('hidden');
  form.submit();
}

function enhance(): void {
  // Book switcher and other selects that act at once.
  for (const el of document.querySelectorAll<HTMLSelectElement>('select[data-autosubmit]'))
    el.addEventListener('change', () => el.form?.requestSubmit());
  for (const el of document.querySelectorAll<HTMLElement>('[data-autosubmit-hide]')) el.hidden = true;
  // Destructive buttons ask first.
  for (const el of document.querySelectorAll<HTMLButtonElement>('button[data-confirm]'))
    el.addEventListener('click', (ev) => {
      if (!confirm(el.dataset.confirm ?? '')) ev.preventDefault();
    });
  // A message after an action is announced and focused for keyboard and screen-reader users.
  const notice = document.querySelector<HTMLElement>('[data-focus]');
  notice?.focus();
}

applyTheme();
signInWithTelegram();
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', enhance);
else enhance();
tellTelegram('web_app_ready');
tellTelegram('web_app_expand');
